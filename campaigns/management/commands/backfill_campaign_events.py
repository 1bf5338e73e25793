from django.core.management.base import CommandError

from campaigns.backfill import recipients_to_scan
from liffy.backfills import BackfillCommand, option_uuid
from liffy.models import Organizer


class Command(BackfillCommand):
    help = (
        "Turn the historical engagement timestamps and counts of campaign recipients into campaign events. "
        "Idempotent (deterministic provider ids) and safe to run again after an interruption."
    )
    unit = "recipients"
    report_fields = {
        "recipients_processed": "processed",
        "events_created": "events_created",
        "already_present": "already_present",
    }
    batch_path = "campaigns.backfill.backfill_batch"
    table = "campaign_recipients"

    def add_filters(self, parser):
        parser.add_argument("--organizer", help="Only this organizer's recipients (id).")

    def prepare(self, options):
        self.organizer = options.get("organizer")
        if self.organizer and not Organizer.objects.filter(pk=option_uuid(self.organizer, "--organizer")).exists():
            raise CommandError(f"No organizer {self.organizer}.")

    def total(self):
        return recipients_to_scan(self.organizer)

    def options(self):
        return {"organizer_id": self.organizer}

    def where(self):
        return ("organizer_id = %s", [self.organizer]) if self.organizer else ("TRUE", [])
