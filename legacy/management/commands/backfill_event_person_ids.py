from django.core.management.base import CommandError

from legacy.backfills import events_without_person
from legacy.phase4 import events_are_immutable
from liffy.backfills import BackfillCommand


class Command(BackfillCommand):
    help = (
        "Phase 4, before step 028 makes events immutable: campaign events without person_id (the original "
        "system wrote some without one; those of recipients linked late) get the organizer's person with the "
        "same address. Events of an address without a person stay unlinked and are counted. Idempotent, "
        "resumable."
    )
    unit = "events"
    report_fields = {"events_processed": "processed", "linked": "linked", "no_person": "no_person"}
    batch_path = "legacy.backfills.link_events_batch"
    table = "campaign_events"

    def prepare(self, options):
        if events_are_immutable():
            raise CommandError("Step 028 has made campaign events immutable: their person can no longer be set.")

    def total(self):
        return events_without_person()

    def where(self):
        return "person_id IS NULL", []
