"""Keyset-batched backfills: rows in id order, one transaction per batch, so a killed run is resumed
by running it again (every batch is idempotent). A dry run does the same work inside one transaction
that is rolled back, so its report is exact and nothing stays written.

A run can be split into id ranges processed in parallel (`workers`, see `liffy.parallel`): each range
is batched the same way, the progress bar and the report stay one for the whole run. A dry run stays
in one process (its one transaction is what makes it exact).
"""

import json
import sys
import uuid
from abc import ABCMeta, abstractmethod
from collections import Counter
from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from liffy.parallel import (
    FIRST_ID,
    LAST_ID,
    Outcome,
    Progress,
    Work,
    default_workers,
    key_ranges,
    run_parts,
    usable_workers,
)

__all__ = ["FIRST_ID", "LAST_ID", "BackfillCommand", "option_uuid", "run_batches", "run_or_rehearse"]

Batch = Callable[..., tuple]  # batch(after, size, upto) -> (last id | None, Counter[, errors])


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


def batch_range(part: tuple, progress: Progress, *, batch: str | Batch, batch_size: int, **options: Any) -> Outcome:
    """Every batch of the id range `part` = (after, upto], each in its transaction.

    `batch` (a function or its dotted name) is called as `batch(after, size, upto, **options)` and returns
    (last id | None when none was left, Counter) or (…, Counter, errors). A failing batch ends the range:
    its error is listed and the batches before it are kept (and counted).
    """
    if isinstance(batch, str):
        module, name = batch.rsplit(".", 1)
        batch = getattr(import_module(module), name)
    after, upto = uuid.UUID(str(part[0])), uuid.UUID(str(part[1]))
    outcome = Outcome()
    while True:
        try:
            with transaction.atomic():
                after, counts, *errors = batch(after, batch_size, upto, **options)
        except Exception as error:  # noqa: BLE001 - reported; the batches before the failing one are kept
            outcome.errors.append(str(error)[:500])
            return outcome
        if after is None:
            return outcome
        outcome.add(Outcome(counts, errors[0] if errors else []))
        progress(counts.get("processed", 0))


def run_batches(
    batch: str | Batch,
    report: Counter | None = None,
    *,
    batch_size: int,
    dry_run: bool = False,
    options: dict | None = None,
    errors: list | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    ranges: Callable[[int], list[tuple]] | None = None,
    workload: str = "maintenance",
) -> Counter:
    """Run `batch` (see `batch_range`) over all ids, adding its counters to `report` (so a caller whose run
    failed still has the counts of the batches before) and its errors to `errors`; without an `errors`
    list, the first error is raised once every range has ended.

    `workers` > 1 splits the ids into ranges (`ranges(n)`, e.g. a `key_ranges` of the table) run in
    parallel; with a broker, as Celery tasks on the `workload` queue when `batch` is a dotted name.
    """
    report = Counter() if report is None else report
    kwargs = {"batch": batch, "batch_size": batch_size, **(options or {})}
    work = Work("liffy.backfills.batch_range", kwargs) if isinstance(batch, str) else partial(batch_range, **kwargs)

    def run_all():
        parts = ranges(usable_workers(workers)) if ranges and usable_workers(workers) > 1 else [(FIRST_ID, LAST_ID)]
        outcome = run_parts(work, parts, workers=workers, progress=progress, workload=workload)
        report.update(outcome.counts)
        if errors is not None:
            errors.extend(outcome.errors)
        elif outcome.errors:
            raise RuntimeError(outcome.errors[0])

    run_or_rehearse(run_all, dry_run=dry_run)
    return report


def option_uuid(value: str, option: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"{option} must be an id (UUID), not {value!r}.") from None


class BackfillCommand(BaseCommand, metaclass=ABCMeta):
    """A management command around `run_batches`: --batch-size, --workers, --dry-run, progress bar, JSON report.

    Subclasses set `unit`, `report_fields` (report name → counter name), `batch_path` (the dotted name of
    the batch function, see `batch_range`) and `table` (whose ids are split between workers), and
    implement `total()`; `add_filters` / `prepare` add options of their own, `options()` hands them to
    the batches and `where()` to the split (SQL condition and parameters of the rows looked at).
    """

    unit = "rows"
    report_fields: dict[str, str] = {}
    default_batch_size = 2000
    parallel = True  # False: the batches rely on seeing the writes of the batches before (one process)
    workload = "maintenance"  # the queue whose workers take the parts when a broker is configured
    batch_path: str
    table: str

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=self.default_batch_size,
            help=f"Rows per transaction (default {self.default_batch_size}).",
        )
        if self.parallel:
            parser.add_argument(
                "--workers",
                type=int,
                default=default_workers(),
                help="Id ranges processed in parallel: worker processes here, or Celery tasks on "
                "the workers of every machine when a broker and a result backend are "
                "configured (default: the cores of this machine). A dry run uses one.",
            )
        parser.add_argument("--dry-run", action="store_true", help="Compute the report, write nothing.")
        self.add_filters(parser)

    def add_filters(self, parser):
        pass

    def prepare(self, options):
        """Check the options; raise CommandError for bad ones."""

    def options(self) -> dict:
        """Keyword arguments of every batch call (JSON-able: they may travel to other machines)."""
        return {}

    def where(self) -> tuple[str, list]:
        """The rows the run looks at, as an SQL condition on `table` and its parameters (for the split)."""
        return "TRUE", []

    @abstractmethod
    def total(self):
        """How many rows the run will look at (for the progress bar)."""

    def report(self, counts: Counter, errors: list, dry_run: bool) -> dict:
        report = {name: counts.get(counter, 0) for name, counter in self.report_fields.items()}
        return report | {"errors": errors, "dry_run": dry_run}

    def summary(self, report: dict, dry_run: bool) -> str:
        return "Dry run: nothing was written." if dry_run else "Done."

    def handle(self, *args, batch_size, dry_run, workers=1, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        self.prepare(options)
        counts, errors = Counter(), []
        where, params = self.where()
        try:
            with tqdm(total=self.total(), unit=self.unit, disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
                run_batches(
                    self.batch_path,
                    counts,
                    batch_size=batch_size,
                    dry_run=dry_run,
                    options=self.options(),
                    errors=errors,
                    progress=bar.update,
                    workers=workers,
                    workload=self.workload,
                    ranges=partial(key_ranges, self.table, where=where, params=params),
                )
        except Exception as exc:  # noqa: BLE001 - reported; the batches before the failing one are kept
            errors.append(str(exc)[:500])
        report = self.report(counts, errors, dry_run)
        self.stdout.write(json.dumps(report, indent=2, default=str))
        if errors:
            raise CommandError(
                f"{len(errors)} batch(es) failed: {errors[0]}. The batches before are kept; run again to continue."
            )
        self.stdout.write(self.style.SUCCESS(self.summary(report, dry_run)))
