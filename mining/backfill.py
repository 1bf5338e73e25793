"""backfill_persons: persons + affiliations from the mining results already stored.

Reads `mining_results` in id order, a batch at a time (constant memory), runs each result through
the same normalizer and upsert as the aggregation trigger (source_type `backfill`), one transaction
per batch, through the shared backfill runner (`liffy.backfills`): idempotent, so a run that was
killed is simply run again; split into id ranges over `workers` processes (or Celery tasks); a dry
run does all the work in one transaction rolled back at the end, so its report is exact.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from liffy import sql
from liffy.backfills import run_batches
from liffy.parallel import LAST_ID, in_thread, key_ranges
from mining.models import MiningResult
from mining.normalize import normalize_blocks_counted
from persons.bulk import upsert_candidates

FIELDS = (
    "pk",
    "organizer_id",
    "job_id",
    "emails",
    "contact_name",
    "company_name",
    "job_title",
    "phone",
    "country",
    "city",
    "address",
    "website",
    "source_url",
    "confidence_score",
)
COLUMNS = ("id", *FIELDS[1:])
MAX_REPORTED_ERRORS = 50
COUNTERS = {
    "results_scanned": "processed",
    "persons_created": "persons_created",
    "persons_updated": "persons_updated",
    "affiliations_created": "affiliations_created",
    "affiliations_enriched": "affiliations_enriched",
    "skipped_no_email": "skipped_no_email",
}


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


def selected_results(
    *,
    organizer_id: UUID | str | None = None,
    job_id: UUID | str | None = None,
) -> QuerySet[MiningResult]:
    results = MiningResult.objects.all()
    if organizer_id:
        results = results.filter(organizer_id=organizer_id)
    if job_id:
        results = results.filter(job_id=job_id)
    return results


def selection(organizer_id: UUID | str | None = None, job_id: UUID | str | None = None) -> tuple[str, list]:
    """The selected results as an SQL condition on mining_results and its parameters."""
    conditions, params = ["TRUE"], []
    for column, value in (("organizer_id", organizer_id), ("job_id", job_id)):
        if value:
            conditions.append(f"{column} = %s")
            params.append(UUID(str(value)))
    return " AND ".join(conditions), params


def backfill_persons(
    *,
    organizer_id: UUID | str | None = None,
    job_id: UUID | str | None = None,
    batch_size: int = 1000,
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
    workers: int = 1,
) -> BackfillReport:
    """Every selected result through the upsert; `workers` id ranges in parallel (a dry run uses one)."""
    counts, errors = Counter(), []
    where, params = selection(organizer_id, job_id)
    run_batches(
        "mining.backfill.backfill_batch",
        counts,
        batch_size=batch_size,
        dry_run=dry_run,
        options={"organizer_id": organizer_id and str(organizer_id), "job_id": job_id and str(job_id)},
        errors=errors,
        progress=progress,
        workers=workers,
        workload="mining",
        ranges=lambda parts: key_ranges("mining_results", parts, where, params),
    )
    return BackfillReport(
        **{name: counts.get(counter, 0) for name, counter in COUNTERS.items()}, errors=errors[:MAX_REPORTED_ERRORS]
    )


def backfill_batch(
    after: UUID, size: int, upto: UUID = LAST_ID, organizer_id: str | None = None, job_id: str | None = None
) -> tuple[UUID | None, Counter, list]:
    """The selected results with ids in (`after`, `upto`], up to `size`: (last id | None, counts, errors).

    While this batch is written, the next one is read and normalised in a thread (`_ahead`), so the
    interpreter works while the server writes. An organizer whose upsert fails is reported and skipped
    (its results are retried by the next run); the batch's other organizers are written.
    """
    key = (after, size, upto, organizer_id, job_id)
    rows, skipped, candidates = _ahead.pop(key)() if key in _ahead else _read_and_prepare(key)()
    _ahead.clear()
    if not rows:
        return None, Counter(), []
    following = (rows[-1]["pk"], *key[1:])
    _ahead[following] = _read_and_prepare(following)
    counts, errors = Counter(processed=len(rows), skipped_no_email=skipped), []
    for organizer, batch in candidates.items():
        try:
            with transaction.atomic():
                counters = upsert_candidates(organizer, batch, source_type="backfill")
        except Exception as error:  # noqa: BLE001 - reported; the next batches still run
            errors.append({"organizer_id": str(organizer), "error": str(error)[:300]})
            continue
        counts.update(counters.as_dict())
    return rows[-1]["pk"], counts, errors


_ahead = {}  # the next batch's key → its (rows, skipped, candidates) being prepared in a thread


def _read_and_prepare(key):
    """Read the batch of `key` now (on this thread's connection) and normalise it in a thread."""
    rows = _rows(*key)
    return in_thread(lambda: (rows, *_prepare(rows)))


def _rows(after, size, upto, organizer_id, job_id):
    """A batch of result rows (dicts) in id order: keyset pagination, binary transfer."""
    where, params = selection(organizer_id, job_id)
    query = (
        f"SELECT {', '.join(COLUMNS)} FROM mining_results WHERE id > %b AND id <= %b AND "
        f"{where.replace('%s', '%b')} ORDER BY id LIMIT {int(size)}"
    )
    with sql.cursor() as cursor:
        cursor.execute(query, [after, upto, *params], binary=True)
        return [dict(zip(FIELDS, row, strict=True)) for row in cursor.fetchall()]


def _prepare(rows):
    """Read side of a batch: emails checked (once), names parsed, countries normalized — no writes.
    Returns (results without a usable email, candidates by organizer)."""
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
    return skipped, candidates


def _block(row):
    """A result as a normalizer block."""
    confidence = float(row["confidence_score"]) if row["confidence_score"] is not None else None
    return {
        "emails": row["emails"],
        "contact_name": row["contact_name"],
        "company_name": row["company_name"],
        "job_title": row["job_title"],
        "phone": row["phone"],
        "country": row["country"],
        "city": row["city"],
        "address": row["address"],
        "website": row["website"],
        "source_url": row["source_url"],
        "confidence": confidence,
        "context": "",
        "result_id": row["pk"],
        "mining_job_id": row["job_id"],
    }
