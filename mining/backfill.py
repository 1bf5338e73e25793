"""backfill_persons: persons + affiliations from the mining results already stored.

Streams `mining_results` in id order, a batch at a time (constant memory), runs each result through
the same normalizer and upsert as the aggregation trigger (source_type `backfill`), one transaction
per batch. Idempotent, so a run that was killed is simply run again. A dry run does all the work in a
transaction that is rolled back at the end: its report is exact, and nothing stays written.
"""
from dataclasses import asdict, dataclass, field

from django.db import transaction

from mining.models import MiningResult
from mining.normalize import normalize_blocks
from mining.normalize.emails import clean_email
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


class _DryRunRollback(Exception):
    pass


def selected_results(*, organizer_id=None, job_id=None):
    results = MiningResult.objects.all()
    if organizer_id:
        results = results.filter(organizer_id=organizer_id)
    if job_id:
        results = results.filter(job_id=job_id)
    return results


def backfill_persons(*, organizer_id=None, job_id=None, batch_size=1000, dry_run=False, progress=None):
    results = selected_results(organizer_id=organizer_id, job_id=job_id)
    report = BackfillReport()
    if not dry_run:
        _run(results, batch_size, report, progress)
        return report
    try:
        with transaction.atomic():
            _run(results, batch_size, report, progress)
            raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _run(results, batch_size, report, progress):
    last_pk = None
    while True:
        page = results.order_by("pk")
        if last_pk is not None:
            page = page.filter(pk__gt=last_pk)
        rows = list(page.values_list(*FIELDS)[:batch_size])
        if not rows:
            return
        last_pk = rows[-1][0]
        _backfill_batch([dict(zip(FIELDS, row)) for row in rows], report)
        if progress:
            progress(len(rows))


def _backfill_batch(rows, report):
    report.results_scanned += len(rows)
    by_organizer = {}
    for row in rows:
        blocks = _blocks(row)
        if not blocks:
            report.skipped_no_email += 1
            continue
        by_organizer.setdefault(row["organizer_id"], []).extend(blocks)
    for organizer_id, blocks in by_organizer.items():
        candidates, _rejected = normalize_blocks(blocks, {"miner_name": "backfill"})
        try:
            with transaction.atomic():
                counters = upsert_candidates(organizer_id, candidates, source_type="backfill")
        except Exception as error:  # noqa: BLE001 - reported; the next batches still run
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append({"organizer_id": str(organizer_id), "error": str(error)[:300]})
            continue
        for name, value in counters.as_dict().items():
            setattr(report, name, getattr(report, name) + value)


def _blocks(row):
    emails = [email for email in map(clean_email, row["emails"] or []) if email]
    if not emails:
        return []
    confidence = float(row["confidence_score"]) if row["confidence_score"] is not None else None
    return [{
        "emails": emails,
        "contact_name": row["contact_name"], "company_name": row["company_name"], "job_title": row["job_title"],
        "phone": row["phone"], "country": row["country"], "city": row["city"], "address": row["address"],
        "website": row["website"], "source_url": row["source_url"], "confidence": confidence, "context": "",
        "result_id": row["pk"], "mining_job_id": row["job_id"],
    }]

