"""Import-all: every usable result of a mining job into a list, in the background.

Batches of results (keyset by id, claimed with SKIP LOCKED) each run in their own transaction: person
and affiliation upserts, list members, result status and the progress JSON move together. A
`processing` import whose progress has not moved for 5 minutes is stale and may be started again;
results already imported are skipped. A large job's results can be split into id ranges imported at
once (worker processes, or Celery tasks on every imports worker when a result backend is configured):
a result is claimed by one batch only, and the progress counters are added to on the server.
"""

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from legacy.lists import add_members
from legacy.models import List
from liffy import sql
from liffy.errors import Conflict, InvalidInput
from liffy.models import User
from liffy.parallel import Outcome, Progress, Work, key_ranges, run_parts, usable_workers
from liffy.progress import add_progress, failure_recorded
from liffy.tenancy import get_for_organizer_or_404
from mining.joblog import log_job
from mining.normalize.emails import clean_email
from mining.models import LogLevel, MiningJob, MiningResult
from mining.results import candidates_from_rows
from persons.bulk import upsert_candidates

BATCH_SIZE = 200
RESULTS_PER_PART = 20_000  # results of one Celery task when an import is split over the workers of many machines
STALE_AFTER = timedelta(minutes=5)
FAILURE_ADVICE = (
    "The import stopped on an unexpected error. The results imported before it are in the list; start the "
    "import again to import the rest (results already imported are skipped)."
)
ImportStatus = MiningJob.ImportStatus


def start_import_all(
    job: MiningJob, *, user: User | None, list_id: UUID | str | None = None, list_name: str | None = None
) -> List:
    """Claim the job's import (409 while a fresh one runs) and queue it. Returns the target list."""
    from mining.tasks import import_all_task

    if list_id:
        target = get_for_organizer_or_404(List.objects, job.organizer_id, list_id, "list")
    elif list_name and list_name.strip():
        target = List.objects.create(
            organizer_id=job.organizer_id,
            name=list_name.strip()[:255],
            type=List.Type.MINED,
            created_by_user=user,
            description=f"Imported from mining job {job.name or job.input}"[:1000],
        )
    else:
        raise InvalidInput({"list_id": "give list_id or list_name"})

    now = timezone.now()
    total = MiningResult.objects.filter(job=job).exclude(status="imported").count()
    progress = {
        "total": total,
        "imported": 0,
        "skipped": 0,
        "duplicates": 0,
        "persons_upserted": 0,
        "affiliations_upserted": 0,
        "errors": [],
        "list_id": str(target.pk),
        "started_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "completed_at": None,
    }
    stale_before = (now - STALE_AFTER).isoformat()
    claimed = sql.execute(
        """
        UPDATE mining_jobs SET import_status = 'processing', import_progress = %s::jsonb
        WHERE id = %s AND (import_status IS DISTINCT FROM 'processing'
                           OR (import_progress->>'updated_at')::timestamptz < %s::timestamptz
                           OR import_progress->>'updated_at' IS NULL)
        """,
        [_json(progress), job.pk, stale_before],
    )
    if not claimed:
        raise Conflict("An import of this job is already running.")
    log_job(job, LogLevel.INFO, "Import into a list started", list=target.name, results=total)
    transaction.on_commit(lambda: import_all_task.delay(str(job.pk), str(target.pk)))
    return target


def run_import_all(
    job_id: UUID | str, list_id: UUID | str, batch_size: int = BATCH_SIZE, *, workers: int = 1
) -> dict[str, Any]:
    """Import the job's results batch by batch, in `workers` id ranges at once; safe to run again after a crash."""
    work, parts = import_all_parts(job_id, list_id, usable_workers(workers), batch_size)
    run_parts(work, parts, workers=workers)
    return finish_import_all(job_id)


def parts_for(job_id: UUID | str) -> int:
    """How many Celery tasks an import-all is split into: one per RESULTS_PER_PART results left."""
    return -(-_left(job_id).count() // RESULTS_PER_PART)


def import_all_parts(
    job_id: UUID | str, list_id: UUID | str, parts: int, batch_size: int | None = None
) -> tuple[Work, list[tuple[str, str]]]:
    """The work and the id ranges of the job's results left to import, split in `parts`."""
    ranges = key_ranges("mining_results", parts, "job_id = %s AND status NOT IN ('imported', 'skipped')", [job_id])
    return Work(
        "mining.imports.import_result_range",
        {"job_id": str(job_id), "list_id": str(list_id), "batch_size": batch_size or BATCH_SIZE},
    ), ranges


def import_result_range(
    part: tuple[str, str], progress: Progress, *, job_id: str, list_id: str, batch_size: int = BATCH_SIZE
) -> Outcome:
    """The job's results with ids in (after, upto], batch by batch, each batch in one transaction with its
    progress (the results' status moves with it, so a batch is never imported twice)."""
    job = MiningJob.objects.get(pk=job_id)
    after, upto = UUID(part[0]), UUID(part[1])
    while True:
        with (
            failure_recorded("mining_jobs", job.pk, FAILURE_ADVICE, on_failure=lambda: _log_failure(job)),
            transaction.atomic(),
        ):
            results = _claim_batch(job, after, upto, batch_size)
            if not results:
                return Outcome()
            after = results[-1].pk
            counts = _import_batch(job, list_id, results)
            errors = counts.pop("errors")
            add_progress("mining_jobs", job.pk, counts, errors, stamp=True)
        progress(len(results))


def finish_import_all(job_id: UUID | str) -> dict[str, Any]:
    """After every range: the import completed, and logged to the job."""
    sql.execute(
        """
        UPDATE mining_jobs SET import_status = 'completed',
            import_progress = import_progress || jsonb_build_object('completed_at', now(), 'updated_at', now())
        WHERE id = %s
        """,
        [job_id],
    )
    job = MiningJob.objects.get(pk=job_id)
    log_job(
        job,
        LogLevel.SUCCESS,
        "Import into a list finished",
        **{key: job.import_progress[key] for key in ("imported", "skipped", "duplicates")},
    )
    return job.import_progress


def _log_failure(job):
    log_job(job, LogLevel.ERROR, "Import into a list failed", reason=FAILURE_ADVICE)


def _left(job_id):
    return MiningResult.objects.filter(job_id=job_id).exclude(status__in=["imported", "skipped"])


def _claim_batch(job, after, upto, batch_size):
    queryset = _left(job.pk).filter(pk__gt=after, pk__lte=upto)
    return list(queryset.order_by("pk").select_for_update(skip_locked=True)[:batch_size])


def _import_batch(job, list_id, results):
    counts = {
        "imported": 0,
        "skipped": 0,
        "duplicates": 0,
        "persons_upserted": 0,
        "affiliations_upserted": 0,
        "errors": [],
    }
    rows = {result.pk: _row(result) for result in results}
    usable = [result for result in results if rows[result.pk]["emails"]]
    skipped = [result.pk for result in results if not rows[result.pk]["emails"]]
    imported = []
    try:
        imported = _import_rows(job, list_id, usable, rows, counts)
    except Exception:  # noqa: BLE001 - find the failing rows one by one; the others still import
        for result in usable:
            try:
                imported += _import_rows(job, list_id, [result], rows, counts)
            except Exception as error:  # noqa: BLE001 - reported, left for the next import
                counts["errors"].append({"result_id": str(result.pk), "error": str(error)[:300]})
    now = timezone.now()
    MiningResult.objects.filter(pk__in=imported).update(status="imported", updated_at=now)
    MiningResult.objects.filter(pk__in=skipped).update(status="skipped", updated_at=now)
    counts["imported"], counts["skipped"] = len(imported), len(skipped)
    return counts


def _import_rows(job, list_id, results, rows, counts):
    """Upsert persons + affiliations and add list members for `results`, in a savepoint."""
    if not results:
        return []
    with transaction.atomic():
        candidates = candidates_from_rows([rows[r.pk] for r in results], "import_all")
        upserted = upsert_candidates(job.organizer_id, candidates, source_type="mining", mining_job_id=job.pk)
        new_members = add_members(job.organizer_id, list_id, upserted.person_ids.values())
    counts["persons_upserted"] += len(upserted.person_ids)
    counts["affiliations_upserted"] += upserted.affiliations_created + upserted.affiliations_enriched
    counts["duplicates"] += len(results) - new_members
    return [r.pk for r in results]


def _row(result):
    emails = list(dict.fromkeys(filter(None, (clean_email(e) for e in result.emails or []))))
    return {
        "emails": emails,
        "contact_name": result.contact_name,
        "company_name": result.company_name,
        "job_title": result.job_title,
        "phone": result.phone,
        "country": result.country,
        "city": result.city,
        "address": result.address,
        "website": result.website,
        "source_url": result.source_url,
        "confidence": float(result.confidence_score) if result.confidence_score is not None else None,
    }


def _json(value):
    return json.dumps(value, default=str)
