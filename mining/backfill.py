"""backfill_persons: persons + affiliations from the mining results already stored.

Streams `mining_results` in id order, a batch at a time (constant memory), runs each result through
the same normalizer and upsert as the aggregation trigger (source_type `backfill`), one transaction
per batch. Idempotent, so a run that was killed is simply run again. A dry run does all the work in a
transaction that is rolled back at the end: its report is exact, and nothing stays written.
"""
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from liffy.backfills import run_or_rehearse
from liffy.database import binary_cursor

from mining.models import MiningResult
from mining.normalize import normalize_blocks_counted
from persons.bulk import upsert_candidates

FIELDS = ("pk", "organizer_id", "job_id", "emails", "contact_name", "company_name", "job_title", "phone", "country",
          "city", "address", "website", "source_url", "confidence_score")
MAX_REPORTED_ERRORS = 50


@dataclass
class BackfillReport:
    results_scanned: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    affiliations_created: int = 0
    affiliations_enriched: int = 0
    skipped_no_email: int = 0
    errors: list = field(default_factory=list)

    def as_dict(self):
        return asdict(self)


def selected_results(*, organizer_id: UUID | None = None, job_id: UUID | None = None) -> QuerySet[MiningResult]:
    results = MiningResult.objects.all()
    if organizer_id:
        results = results.filter(organizer_id=organizer_id)
    if job_id:
        results = results.filter(job_id=job_id)
    return results


def backfill_persons(*, organizer_id: UUID | None = None, job_id: UUID | None = None, batch_size: int = 1000,
                     dry_run: bool = False, progress: Callable[[int], object] | None = None) -> BackfillReport:
    report = BackfillReport()
    run_or_rehearse(lambda: _run(organizer_id, job_id, batch_size, report, progress), dry_run=dry_run)
    return report


COLUMNS = ("id", "organizer_id", "job_id", "emails", "contact_name", "company_name", "job_title", "phone", "country",
           "city", "address", "website", "source_url", "confidence_score")


def _pages(organizer_id, job_id, batch_size):
    """Batches of result rows (dicts) in id order: keyset pagination, binary transfer, nothing kept."""
    conditions, params = ["id > %b"], []
    if organizer_id:
        conditions.append("organizer_id = %b")
        params.append(UUID(str(organizer_id)))
    if job_id:
        conditions.append("job_id = %b")
        params.append(UUID(str(job_id)))
    query = (f"SELECT {', '.join(COLUMNS)} FROM mining_results WHERE {' AND '.join(conditions)} "
             f"ORDER BY id LIMIT {int(batch_size)}")
    last_id = UUID(int=0)
    with binary_cursor() as cursor:
        while True:
            cursor.execute(query, [last_id, *params], binary=True)
            rows = cursor.fetchall()
            if not rows:
                return
            last_id = rows[-1][0]
            yield [dict(zip(FIELDS, row, strict=True)) for row in rows]


@dataclass
class PreparedBatch:
    size: int
    skipped_no_email: int
    candidates_by_organizer: dict


def _prepare(rows):
    """Read side of a batch: emails checked (once), names parsed, countries normalized — no writes."""
    by_organizer, skipped = {}, 0
    for row in rows:
        if row["emails"]:
            by_organizer.setdefault(row["organizer_id"], []).append(_block(row))
        else:
            skipped += 1
    candidates, meta = {}, {"miner_name": "backfill"}
    for organizer_id, blocks in by_organizer.items():
        candidates[organizer_id], _rejected, without_email = normalize_blocks_counted(blocks, meta)
        skipped += without_email
    return PreparedBatch(len(rows), skipped, candidates)


def _run(organizer_id, job_id, batch_size, report, progress):
    for rows in _pages(organizer_id, job_id, batch_size):
        batch = _prepare(rows)
        _write(batch, report)
        if progress:
            progress(batch.size)


def _write(batch, report):
    report.results_scanned += batch.size
    report.skipped_no_email += batch.skipped_no_email
    for organizer_id, candidates in batch.candidates_by_organizer.items():
        try:
            with transaction.atomic():
                counters = upsert_candidates(organizer_id, candidates, source_type="backfill")
        except Exception as error:  # noqa: BLE001 - reported; the next batches still run
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append({"organizer_id": str(organizer_id), "error": str(error)[:300]})
            continue
        for name, value in counters.as_dict().items():
            setattr(report, name, getattr(report, name) + value)


def _block(row):
    """A result as a normalizer block."""
    confidence = float(row["confidence_score"]) if row["confidence_score"] is not None else None
    return {
        "emails": row["emails"],
        "contact_name": row["contact_name"], "company_name": row["company_name"], "job_title": row["job_title"],
        "phone": row["phone"], "country": row["country"], "city": row["city"], "address": row["address"],
        "website": row["website"], "source_url": row["source_url"], "confidence": confidence, "context": "",
        "result_id": row["pk"], "mining_job_id": row["job_id"],
    }

