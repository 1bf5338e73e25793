from legacy.backfills import recipients_without_person
from liffy.backfills import BackfillCommand


class Command(BackfillCommand):
    help = (
        "Phase 4 step 0: link campaign recipients without person_id to the organizer's person with the same "
        "address. Recipients with no such person stay unlinked and are counted. Idempotent, resumable."
    )
    unit = "recipients"
    report_fields = {"recipients_processed": "processed", "linked": "linked", "no_person": "no_person"}
    batch_path = "legacy.backfills.link_recipients_batch"
    table = "campaign_recipients"

    def total(self):
        return recipients_without_person()

    def where(self):
        return "person_id IS NULL", []
