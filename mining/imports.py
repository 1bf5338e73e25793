"""Import-all: every usable result of a mining job into a list, in the background.

Batches of results (keyset by id, claimed with SKIP LOCKED) each run in their own transaction: person
and affiliation upserts, list members, result status and the progress JSON move together. A
`processing` import whose progress has not moved for 5 minutes is stale and may be started again;
results already imported are skipped.
"""
import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from legacy.lists import add_members
from legacy.models import List
from liffy.errors import Conflict, InvalidInput
from liffy.models import User
from liffy.tenancy import get_for_organizer_or_404
from mining.joblog import log_job
from mining.normalize.emails import clean_email
from mining.models import LogLevel, MiningJob, MiningResult
from mining.results import candidates_from_rows
from persons.bulk import upsert_candidates

BATCH_SIZE = 200
STALE_AFTER = timedelta(minutes=5)
MAX_REPORTED_ERRORS = 100
ImportStatus = MiningJob.ImportStatus


def start_import_all(job: MiningJob, *, user: User | None, list_id: UUID | str | None = None,
                     list_name: str | None = None) -> List:
    """Claim the job's import (409 while a fresh one runs) and queue it. Returns the target list."""
    from mining.tasks import import_all_task

    if list_id:
        target = get_for_organizer_or_404(List.objects, job.organizer_id, list_id, "list")
    elif list_name and list_name.strip():
        target = List.objects.create(organizer_id=job.organizer_id, name=list_name.strip()[:255],
                                     type=List.Type.MINED, created_by_user=user,
                                     description=f"Imported from mining job {job.name or job.input}"[:1000])
    else:
        raise InvalidInput({"list_id": "give list_id or list_name"})

    now = timezone.now()
    total = MiningResult.objects.filter(job=job).exclude(status="imported").count()
    progress = {"total": total, "imported": 0, "skipped": 0, "duplicates": 0, "persons_upserted": 0,
                "affiliations_upserted": 0, "errors": [], "list_id": str(target.pk),
                "started_at": now.isoformat(), "updated_at": now.isoformat(), "completed_at": None}
    stale_before = (now - STALE_AFTER).isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE mining_jobs SET import_status = 'processing', import_progress = %s::jsonb
            WHERE id = %s AND (import_status IS DISTINCT FROM 'processing'
                               OR (import_progress->>'updated_at')::timestamptz < %s::timestamptz
                               OR import_progress->>'updated_at' IS NULL)
            """,
            [_json(progress), job.pk, stale_before],
        )
        claimed = cursor.rowcount
    if not claimed:
        raise Conflict("An import of this job is already running.")
    log_job(job, LogLevel.INFO, "Import into a list started", list=target.name, results=total)
    transaction.on_commit(lambda: import_all_task.delay(str(job.pk), str(target.pk)))
    return target


def run_import_all(job_id: UUID | str, list_id: UUID | str, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    """Import the job's results batch by batch; safe to run again after a crash."""
    job = MiningJob.objects.get(pk=job_id)
    last_id = None
    while True:
        with transaction.atomic():
            results = _claim_batch(job, last_id, batch_size)
            if not results:
                break
            last_id = results[-1].pk
            counts = _import_batch(job, list_id, results)
            _add_progress(job.pk, counts)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE mining_jobs SET import_status = 'completed',
                import_progress = import_progress || jsonb_build_object('completed_at', now(), 'updated_at', now())
            WHERE id = %s
            """,
            [job.pk],
        )
    job.refresh_from_db()
    log_job(job, LogLevel.SUCCESS, "Import into a list finished", **{
        key: job.import_progress[key] for key in ("imported", "skipped", "duplicates")})
    return job.import_progress


def _claim_batch(job, last_id, batch_size):
    queryset = MiningResult.objects.filter(job=job).exclude(status__in=["imported", "skipped"])
    if last_id is not None:
        queryset = queryset.filter(pk__gt=last_id)
    return list(queryset.order_by("pk").select_for_update(skip_locked=True)[:batch_size])


def _import_batch(job, list_id, results):
    counts = {"imported": 0, "skipped": 0, "duplicates": 0, "persons_upserted": 0, "affiliations_upserted": 0,
              "errors": []}
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
    return {"emails": emails, "contact_name": result.contact_name, "company_name": result.company_name,
            "job_title": result.job_title, "phone": result.phone, "country": result.country, "city": result.city,
            "address": result.address, "website": result.website, "source_url": result.source_url,
            "confidence": float(result.confidence_score) if result.confidence_score is not None else None}


def _add_progress(job_id, counts):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE mining_jobs SET import_progress = import_progress || jsonb_build_object(
                'imported', (import_progress->>'imported')::int + %s,
                'skipped', (import_progress->>'skipped')::int + %s,
                'duplicates', (import_progress->>'duplicates')::int + %s,
                'persons_upserted', (import_progress->>'persons_upserted')::int + %s,
                'affiliations_upserted', (import_progress->>'affiliations_upserted')::int + %s,
                'errors', (SELECT COALESCE(jsonb_agg(e), '[]'::jsonb) FROM (
                    SELECT e FROM jsonb_array_elements(import_progress->'errors' || %s::jsonb) e LIMIT %s) s),
                'updated_at', now())
            WHERE id = %s
            """,
            [counts["imported"], counts["skipped"], counts["duplicates"], counts["persons_upserted"],
             counts["affiliations_upserted"], _json(counts["errors"]), MAX_REPORTED_ERRORS, job_id],
        )


def _json(value):
    return json.dumps(value, default=str)
