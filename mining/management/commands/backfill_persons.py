from django.core.management.base import CommandError

from liffy.backfills import BackfillCommand, option_uuid
from liffy.models import Organizer
from mining.backfill import COUNTERS, MAX_REPORTED_ERRORS, selected_results, selection
from mining.models import MiningJob


class Command(BackfillCommand):
    help = (
        "Create or enrich persons + affiliations from stored mining results (source_type 'backfill'). "
        "Idempotent and safe to run again after an interruption."
    )
    unit = "results"
    report_fields = COUNTERS
    default_batch_size = 1000
    batch_path = "mining.backfill.backfill_batch"
    workload = "mining"
    table = "mining_results"

    def add_filters(self, parser):
        parser.add_argument("--organizer", help="Only this organizer's results (id).")
        parser.add_argument("--job", help="Only this mining job's results (id).")

    def prepare(self, options):
        self.organizer, self.job = options.get("organizer"), options.get("job")
        if self.organizer and not Organizer.objects.filter(pk=option_uuid(self.organizer, "--organizer")).exists():
            raise CommandError(f"No organizer {self.organizer}.")
        if self.job and not MiningJob.objects.filter(pk=option_uuid(self.job, "--job")).exists():
            raise CommandError(f"No mining job {self.job}.")

    def options(self):
        return {"organizer_id": self.organizer, "job_id": self.job}

    def where(self):
        return selection(self.organizer, self.job)

    def total(self):
        return selected_results(organizer_id=self.organizer, job_id=self.job).count()

    def report(self, counts, errors, dry_run):
        return {name: counts.get(counter, 0) for name, counter in self.report_fields.items()} | {
            "errors": errors[:MAX_REPORTED_ERRORS]
        }

    def summary(self, report, dry_run):
        verb = "would be" if dry_run else "were"
        return (
            f"{report['results_scanned']} results scanned; {report['persons_created']} persons {verb} created, "
            f"{report['affiliations_created']} affiliations {verb} created."
            + (" (dry run: nothing written)" if dry_run else "")
        )
