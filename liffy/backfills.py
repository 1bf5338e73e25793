"""Keyset-batched backfills: rows in id order, one transaction per batch, so a killed run is resumed
by running it again (every batch is idempotent). A dry run does the same work inside one transaction
that is rolled back, so its report is exact and nothing stays written.
"""
import json
import sys
from abc import ABCMeta, abstractmethod
import uuid
from collections import Counter
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

FIRST_ID = uuid.UUID(int=0)


class _DryRunRollback(Exception):
    pass


def run_or_rehearse(work: Callable[[], object], *, dry_run: bool) -> None:
    """Call `work()`; for a dry run, inside one transaction that is rolled back at the end."""
    if not dry_run:
        work()
        return
    try:
        with transaction.atomic():
            work()
            raise _DryRunRollback
    except _DryRunRollback:
        pass


def run_batches(batch: Callable[[uuid.UUID, int], tuple[uuid.UUID | None, Counter]], report: Counter, *,
                total: int | None, batch_size: int, dry_run: bool = False, unit: str = "rows") -> Counter:
    """Call `batch(after_id, batch_size) -> (last_id | None, Counter)` until it returns None, adding its
    counters to `report` (a Counter, so a caller whose run fails still has the counts of the batches before)."""

    def run_all():
        after = FIRST_ID
        with tqdm(total=total, unit=unit, disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
            while True:
                with transaction.atomic():
                    after, counts = batch(after, batch_size)
                if after is None:
                    return
                report.update(counts)
                bar.update(counts.get("processed", 0))

    run_or_rehearse(run_all, dry_run=dry_run)
    return report


def option_uuid(value: str, option: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"{option} must be an id (UUID), not {value!r}.") from None


class BackfillCommand(BaseCommand, metaclass=ABCMeta):
    """A management command around `run_batches`: --batch-size, --dry-run, progress bar, JSON report.

    Subclasses set `unit` and `report_fields` (report name → counter name) and implement `total()`
    and `batch(after, size)`; `add_filters` / `prepare` add options of their own.
    """

    unit = "rows"
    report_fields: dict[str, str] = {}
    default_batch_size = 2000

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=self.default_batch_size,
                            help=f"Rows per transaction (default {self.default_batch_size}).")
        parser.add_argument("--dry-run", action="store_true", help="Compute the report, write nothing.")
        self.add_filters(parser)

    def add_filters(self, parser):
        pass

    def prepare(self, options):
        """Check the options; raise CommandError for bad ones."""

    @abstractmethod
    def total(self):
        """How many rows the run will look at (for the progress bar)."""

    @abstractmethod
    def batch(self, after, size):
        """Process up to `size` rows after the id `after`: (last id, Counter); the id is None when none was left."""

    def handle(self, *args, batch_size, dry_run, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.prepare(options)
        counts, error = Counter(), None
        try:
            run_batches(self.batch, counts, total=self.total(), batch_size=batch_size, dry_run=dry_run, unit=self.unit)
        except Exception as exc:  # noqa: BLE001 - reported; the batches before the failing one are kept
            error = str(exc)[:500]
        report = {name: counts.get(counter, 0) for name, counter in self.report_fields.items()}
        report |= {"errors": [error] if error else [], "dry_run": dry_run}
        self.stdout.write(json.dumps(report, indent=2))
        if error:
            raise CommandError(f"A batch failed: {error}. The batches before it are kept; run again to continue.")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was written." if dry_run else "Done."))
