import json
import sys
import uuid

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from liffy.models import Organizer
from mining.backfill import backfill_persons, selected_results
from mining.models import MiningJob


class Command(BaseCommand):
    help = (
        "Create or enrich persons + affiliations from stored mining results (source_type 'backfill'). "
        "Idempotent and safe to run again after an interruption."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organizer", help="Only this organizer's results (id).")
        parser.add_argument("--job", help="Only this mining job's results (id).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Results per transaction (default 1000).")
        parser.add_argument("--dry-run", action="store_true", help="Compute the report, write nothing.")

    def handle(self, *args, organizer=None, job=None, batch_size=1000, dry_run=False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if organizer and not Organizer.objects.filter(pk=_uuid(organizer, "--organizer")).exists():
            raise CommandError(f"No organizer {organizer}.")
        if job and not MiningJob.objects.filter(pk=_uuid(job, "--job")).exists():
            raise CommandError(f"No mining job {job}.")
        total = selected_results(organizer_id=organizer, job_id=job).count()
        with tqdm(total=total, unit="results", disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            report = backfill_persons(organizer_id=organizer, job_id=job, batch_size=batch_size, dry_run=dry_run,
                                      progress=bar.update)
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        verb = "would be" if dry_run else "were"
        self.stdout.write(self.style.SUCCESS(
            f"{report.results_scanned} results scanned; {report.persons_created} persons {verb} created, "
            f"{report.affiliations_created} affiliations {verb} created."
            + (" (dry run: nothing written)" if dry_run else "")
        ))
        if report.errors:
            raise CommandError(f"{len(report.errors)} batch(es) failed; see errors above. Run again to retry them.")


def _uuid(value, option):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"{option} must be an id (UUID), not {value!r}.") from None
