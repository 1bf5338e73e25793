from legacy.backfills import link_recipients_batch, recipients_without_person
from liffy.backfills import BackfillCommand


class Command(BackfillCommand):
    help = ("Phase 4 step 0: link campaign recipients without person_id to the organizer's person with the same "
            "address. Recipients with no such person stay unlinked and are counted. Idempotent, resumable.")
    unit = "recipients"
    report_fields = {"recipients_processed": "processed", "linked": "linked", "no_person": "no_person"}

    def total(self):
        return recipients_without_person()

    def batch(self, after, size):
        return link_recipients_batch(after, size)
