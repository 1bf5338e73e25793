"""Email verification through ZeroBounce: the queue, its worker, and single checks.

One open (pending or processing) queue row per organizer and address, enforced by a unique index;
addresses whose person is already valid, invalid or catch-all are not queued. The worker claims a
batch with `SKIP LOCKED` (rows become `processing`, `processed_at` = claim time), calls ZeroBounce
with bounded parallelism and no transaction open, then writes the results and the persons' statuses
in one transaction. A refused key puts the rows back and pauses the organizer until a new key is
saved; rate limits and outages put them back for the next run. Each row is verified at most once.
"""

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from liffy import sql
from liffy.errors import InvalidInput
from liffy.models import Organizer
from persons.models import Person, QueueStatus, VerificationQueue
from persons.zerobounce import ZeroBounceClient, ZeroBounceError, ZeroBounceKeyError

logger = logging.getLogger(__name__)
STATUS_OF_VERDICT = {
    "valid": "valid",
    "catch-all": "catchall",
    "catchall": "catchall",
    "unknown": "unknown",
    "invalid": "invalid",
    "spamtrap": "invalid",
    "abuse": "invalid",
    "do_not_mail": "invalid",
}
SETTLED = ("valid", "invalid", "catchall")


def verdict_status(body: dict[str, Any]) -> str:
    return STATUS_OF_VERDICT.get(str(body.get("status", "")).lower(), "unknown")


def _key_of(organizer):
    if not organizer.zerobounce_api_key:
        raise InvalidInput({"zerobounce_api_key": "Set a ZeroBounce API key in the organizer settings first."})
    return organizer.zerobounce_api_key


def queue_for_verification(organizer_id: UUID | str, emails: Iterable[str], *, only_with_key: bool = False) -> int:
    """Queue addresses (lower-cased) for the worker; returns how many new rows were queued."""
    organizer = Organizer.objects.get(pk=organizer_id)
    if only_with_key and not organizer.zerobounce_api_key:
        return 0
    _key_of(organizer)
    emails = sorted({email.strip().lower() for email in emails if email and email.strip()})
    if not emails:
        return 0
    with sql.cursor() as cursor:
        cursor.execute(
            "INSERT INTO verification_queue (id, organizer_id, email, person_id, status, created_at)"
            " SELECT gen_random_uuid(), %s, e.email, p.id, 'pending', now() FROM unnest(%s::text[]) AS e(email)"
            " LEFT JOIN persons p ON p.organizer_id = %s AND lower(p.email) = e.email"
            " WHERE p.verification_status IS NULL OR p.verification_status <> ALL(%s)"
            " ON CONFLICT DO NOTHING",
            [organizer_id, emails, organizer_id, list(SETTLED)],
        )
        return cursor.rowcount


def _apply_verdicts(organizer_id, verdicts):
    """{email: (status, body)} → persons' verification status, in one statement."""
    if not verdicts:
        return
    emails = list(verdicts)
    with sql.cursor() as cursor:
        cursor.execute(
            "UPDATE persons p SET verification_status = v.status, verified_at = now(), updated_at = now()"
            " FROM unnest(%s::text[], %s::text[]) AS v(email, status)"
            " WHERE p.organizer_id = %s AND lower(p.email) = v.email",
            [emails, [verdicts[email][0] for email in emails], organizer_id],
        )


def verify_single(organizer: Organizer, email: str) -> dict[str, Any]:
    """Verify one address now (outside the queue); its person, if any, takes the verdict."""
    key = _key_of(organizer)
    email = email.strip().lower()
    try:
        body = ZeroBounceClient(key).validate(email)
    except ZeroBounceKeyError as exc:
        Organizer.objects.filter(pk=organizer.pk).update(zerobounce_key_rejected_at=timezone.now())
        raise InvalidInput({"zerobounce_api_key": exc.message}) from exc
    status = verdict_status(body)
    _apply_verdicts(organizer.pk, {email: (status, body)})
    return {"email": email, "status": status, "sub_status": body.get("sub_status") or None, "result": body}


@transaction.atomic
def claim_batch(organizer_id: UUID | str, size: int) -> list[tuple[UUID, str]]:
    with sql.cursor() as cursor:
        cursor.execute(
            "WITH picked AS (SELECT id FROM verification_queue WHERE organizer_id = %s AND status = 'pending'"
            " ORDER BY created_at, id LIMIT %s FOR UPDATE SKIP LOCKED)"
            " UPDATE verification_queue q SET status = 'processing', processed_at = now() FROM picked"
            " WHERE q.id = picked.id RETURNING q.id, q.email",
            [organizer_id, size],
        )
        return cursor.fetchall()


def _complete(done):
    """{row id: (email, status, body)} → completed rows with their result, in one statement."""
    if not done:
        return
    ids = list(done)
    with sql.cursor() as cursor:
        cursor.execute(
            "UPDATE verification_queue q SET status = 'completed', processed_at = now(), result = r.body"
            " FROM unnest(%s::uuid[], %s::jsonb[]) AS r(id, body) WHERE q.id = r.id AND q.status = 'processing'",
            [ids, [json.dumps(done[i][2] | {"mapped_status": done[i][1]}) for i in ids]],
        )


def _release(ids):
    VerificationQueue.objects.filter(pk__in=ids, status=QueueStatus.PROCESSING).update(
        status=QueueStatus.PENDING, processed_at=None
    )


def _call(client, email):
    try:
        return client.validate(email), None
    except ZeroBounceError as exc:
        return None, exc


def verify_batch(organizer: Organizer) -> dict[str, int]:
    """Claim and verify one batch of the organizer's queue; returns counters."""
    rows = claim_batch(organizer.pk, settings.VERIFICATION_BATCH_SIZE)
    if not rows:
        return {"claimed": 0, "completed": 0, "returned": 0}
    client = ZeroBounceClient(organizer.zerobounce_api_key)
    with ThreadPoolExecutor(max_workers=settings.ZEROBOUNCE_CONCURRENCY) as pool:
        answers = list(pool.map(lambda row: _call(client, row[1]), rows))
    done, retry = {}, []
    for (row_id, email), (body, _error) in zip(rows, answers, strict=True):
        if body is not None:
            done[row_id] = (email, verdict_status(body), body)
        else:
            retry.append(row_id)
    key_refused = any(isinstance(error, ZeroBounceKeyError) for _, error in answers)
    with transaction.atomic():
        _complete(done)
        _apply_verdicts(organizer.pk, {email: (status, body) for email, status, body in done.values()})
        _release(retry)
        if key_refused:
            Organizer.objects.filter(pk=organizer.pk).update(zerobounce_key_rejected_at=timezone.now())
    if retry:
        logger.warning(
            "ZeroBounce: %d address(es) of organizer %s back in the queue (%s)",
            len(retry),
            organizer.pk,
            next(str(error) for _, error in answers if error),
        )
    return {"claimed": len(rows), "completed": len(done), "returned": len(retry)}


def verify_pending() -> dict[str, int]:
    """One pass of the worker over every organizer with a usable key and pending rows."""
    organizers = (
        Organizer.objects.filter(
            zerobounce_key_rejected_at__isnull=True,
            pk__in=VerificationQueue.objects.filter(status=QueueStatus.PENDING).values("organizer_id"),
        )
        .exclude(zerobounce_api_key=None)
        .exclude(zerobounce_api_key="")
    )
    totals = {"claimed": 0, "completed": 0, "returned": 0}
    for organizer in organizers:
        for name, value in verify_batch(organizer).items():
            totals[name] += value
    return totals


def return_stale_claims(minutes: float | None = None) -> int:
    cutoff = timezone.now() - timedelta(
        minutes=settings.VERIFICATION_CLAIM_TIMEOUT_MINUTES if minutes is None else minutes
    )
    return VerificationQueue.objects.filter(status=QueueStatus.PROCESSING, processed_at__lt=cutoff).update(
        status=QueueStatus.PENDING, processed_at=None
    )


def queue_status(organizer: Organizer, list_id: UUID | str | None = None) -> dict[str, Any]:
    rows = VerificationQueue.objects.for_organizer(organizer)
    if list_id:
        rows = rows.filter(person__list_memberships__list_id=list_id)
    counts = dict.fromkeys(QueueStatus.values, 0)
    for status, count in rows.values_list("status").annotate(count=Count("id")).order_by():
        counts[status] = count
    return {"counts": counts, "key_rejected_at": organizer.zerobounce_key_rejected_at}


def credits(organizer: Organizer) -> dict[str, Any]:
    """Credits left on the organizer's ZeroBounce account (None, and why, when no key is set)."""
    if not organizer.zerobounce_api_key:
        return {"credits": None, "detail": "No ZeroBounce API key is set."}
    try:
        return {"credits": ZeroBounceClient(organizer.zerobounce_api_key).credits()}
    except ZeroBounceKeyError as exc:
        raise InvalidInput({"zerobounce_api_key": exc.message}) from exc


def list_emails(organizer_id: UUID | str, list_id: UUID | str) -> list[str]:
    return list(
        Person.objects.for_organizer(organizer_id)
        .filter(list_memberships__list_id=list_id)
        .values_list("email", flat=True)
    )
