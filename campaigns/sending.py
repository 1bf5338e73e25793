"""Sending a campaign through SendGrid, batch after batch, safe with any number of workers.

A batch is claimed in one short transaction (`FOR UPDATE SKIP LOCKED`, rows marked `sending` with the
claim time), recipients unsubscribed since resolve are skipped in the same transaction, messages go
out with no transaction open, at the organizer's rate, and the outcomes of the whole batch are
written in one statement together with the `sent` events. A worker asked to shut down (SIGTERM,
`liffy.shutdown`) sends no message it has not started: the rest of its batch goes back to pending
with the batch's outcomes, and the task hands the campaign on. A worker that dies (SIGKILL) leaves
`sending` rows that `return_stale_claims` hands back to pending after SEND_CLAIM_TIMEOUT_MINUTES.
"""

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.messages import Recipient, SendContext, compose
from campaigns.models import Campaign, CampaignStatus, RecipientStatus, SenderIdentity
from campaigns.sendgrid import SendGridClient, SendGridError
from liffy import shutdown, sql
from liffy.errors import InvalidInput
from liffy.models import Organizer

logger = logging.getLogger(__name__)
STOP_CHECK_SECONDS = 0.1  # how soon a worker waiting for a send slot notices it is asked to stop


class CannotSend(InvalidInput):
    """A campaign lacks something every message needs; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__({field: message})
        self.field = field


@dataclass
class Outcome:
    recipient_id: str
    status: str
    message_id: str | None = None
    error: str | None = None
    sent_at: object = None


def _sender_of(campaign, organizer):
    sender = campaign.sender if campaign.sender_id and campaign.sender.is_active else None
    sender = sender or SenderIdentity.objects.filter(organizer=organizer, is_active=True, is_default=True).first()
    if sender:
        return sender.from_email, sender.from_name, sender.reply_to
    if organizer.default_from_email:
        return organizer.default_from_email, organizer.default_from_name or organizer.name, None
    raise CannotSend("sender", "The campaign has no active sender and the organizer no default from address.")


def send_context(campaign: Campaign) -> SendContext:
    """Everything the campaign's messages share, or CannotSend naming what is missing."""
    organizer = Organizer.objects.get(pk=campaign.organizer_id)
    if not (organizer.physical_address or "").strip():
        raise CannotSend("physical_address", "The organizer has no physical address; every email must show one.")
    if not organizer.sendgrid_api_key:
        raise CannotSend("sendgrid_api_key", "The organizer has no SendGrid API key.")
    from_email, from_name, reply_to = _sender_of(campaign, organizer)
    return SendContext(
        organizer_id=str(organizer.pk),
        organizer_name=organizer.name,
        physical_address=organizer.physical_address,
        campaign_id=str(campaign.pk),
        template=campaign.template,
        from_email=from_email,
        from_name=from_name,
        reply_to=reply_to,
    )


def send_limits(organizer: Organizer) -> tuple[int, int]:
    return (
        organizer.send_rate_per_second or settings.SEND_RATE_PER_SECOND,
        organizer.send_batch_size or settings.SEND_BATCH_SIZE,
    )


@transaction.atomic
def claim_batch(campaign_id: UUID | str, size: int) -> tuple[datetime, list[Recipient]]:
    """Claim up to `size` pending recipients; those unsubscribed meanwhile become `skipped`.

    Returns the claim time (it identifies this claim) and the recipients to send to.
    """
    claimed_at = timezone.now()
    with sql.cursor() as cursor:
        cursor.execute(
            "WITH picked AS (SELECT id FROM campaign_recipients WHERE campaign_id = %s AND status = 'pending'"
            " ORDER BY created_at, id LIMIT %s FOR UPDATE SKIP LOCKED)"
            " UPDATE campaign_recipients r SET status = 'sending', claimed_at = %s FROM picked WHERE r.id = picked.id"
            " RETURNING r.id, r.email, r.name, r.meta::text,"
            " EXISTS (SELECT 1 FROM unsubscribes u WHERE u.organizer_id = r.organizer_id"
            " AND lower(u.email) = lower(r.email)) AS unsubscribed",
            [campaign_id, size, claimed_at],
        )
        rows = cursor.fetchall()
        unsubscribed = [row[0] for row in rows if row[4]]
        if unsubscribed:
            cursor.execute(
                "UPDATE campaign_recipients SET status = 'skipped', last_error = 'unsubscribed', claimed_at = NULL"
                " WHERE id = ANY(%s)",
                [unsubscribed],
            )
    recipients = [
        Recipient(str(id_), email, name, json.loads(meta) if meta else None)
        for id_, email, name, meta, unsub in rows
        if not unsub
    ]
    return claimed_at, recipients


def record_outcomes(claimed_at: datetime, outcomes: Sequence[Outcome]) -> int:
    """Write a batch's outcomes and its `sent` events in one statement.

    Only rows still held by this claim are written, so a claim returned to pending (and maybe sent by
    another worker since) is never overwritten. A `pending` outcome returns its row unsent.
    """
    if not outcomes:
        return 0
    columns = (
        [o.recipient_id for o in outcomes],
        [o.status for o in outcomes],
        [o.error for o in outcomes],
        [o.message_id for o in outcomes],
        [o.sent_at for o in outcomes],
    )
    with sql.cursor() as cursor:
        cursor.execute(
            "WITH o AS (SELECT * FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::timestamptz[])"
            "   AS o(id, status, error, message_id, sent_at)),"
            " done AS (UPDATE campaign_recipients r SET status = o.status, last_error = o.error,"
            "   sent_at = coalesce(o.sent_at, r.sent_at), claimed_at = NULL"
            "   FROM o WHERE r.id = o.id AND r.status = 'sending' AND r.claimed_at = %s"
            "   RETURNING r.id, r.organizer_id, r.campaign_id, r.person_id, r.email, o.status, o.message_id, o.sent_at)"
            " INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, person_id, event_type, email,"
            "   provider_event_id, provider_response, occurred_at, created_at)"
            " SELECT gen_random_uuid(), organizer_id, campaign_id, id, person_id, 'sent', email, 'sent:' || id,"
            "   jsonb_build_object('message_id', message_id), sent_at, now()"
            " FROM done WHERE status = 'sent' ON CONFLICT DO NOTHING",
            [*columns, claimed_at],
        )
        return cursor.rowcount


def reserve_send_slots(organizer_id: UUID | str, count: int, per_second: float) -> float:
    """Reserve `count` consecutive send slots of the organizer; seconds until the first one.

    One statement on the organizer's throttle row, so workers running at once get disjoint slots.
    """
    span = count / per_second
    with sql.cursor() as cursor:
        cursor.execute(
            "INSERT INTO send_throttles AS t (organizer_id, next_slot_at)"
            " VALUES (%s, clock_timestamp() + make_interval(secs => %s))"
            " ON CONFLICT (organizer_id) DO UPDATE"
            " SET next_slot_at = greatest(t.next_slot_at, clock_timestamp()) + make_interval(secs => %s)"
            " RETURNING extract(epoch FROM next_slot_at - clock_timestamp())",
            [organizer_id, span, span],
        )
        return max(0.0, float(cursor.fetchone()[0]) - span)


def _deliver(client, context, recipient):
    try:
        message_id = client.send(compose(context, recipient))
        return Outcome(recipient.id, RecipientStatus.SENT, message_id=message_id, sent_at=timezone.now())
    except SendGridError as exc:
        return Outcome(recipient.id, RecipientStatus.FAILED, error=str(exc))
    except Exception as exc:  # one broken message must not hold up the batch
        logger.exception("Could not send to recipient %s", recipient.id)
        return Outcome(recipient.id, RecipientStatus.FAILED, error=f"Could not send: {exc}")


def _wait_for_slot(slot_at):
    """Sleep until `slot_at` (monotonic); False if the worker is asked to stop first."""
    while (pause := slot_at - time.monotonic()) > 0 and not shutdown.requested():
        time.sleep(min(pause, STOP_CHECK_SECONDS))
    return not shutdown.requested()


def deliver_batch(
    context: SendContext, recipients: Sequence[Recipient], client: SendGridClient, per_second: float
) -> list[Outcome]:
    """Send each message at its reserved slot, SEND_CONCURRENCY requests in flight at most (SendGrid's
    latency would otherwise cap a worker far below the rate limit); one Outcome per recipient.

    Once the worker is asked to stop, messages not yet handed to SendGrid get a `pending` outcome."""
    start = time.monotonic() + reserve_send_slots(context.organizer_id, len(recipients), per_second)

    def at_slot(index, recipient):
        if not _wait_for_slot(start + index / per_second):
            return Outcome(recipient.id, RecipientStatus.PENDING)
        return _deliver(client, context, recipient)

    with ThreadPoolExecutor(max_workers=settings.SEND_CONCURRENCY) as pool:
        return list(pool.map(at_slot, range(len(recipients)), recipients))


def fail_campaign(campaign_id: UUID | str, error: str) -> int:
    return Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.FAILED, error=error, completed_at=timezone.now()
    )


def complete_finished_campaigns(campaign_id: UUID | str | None = None) -> int:
    """sending → completed for campaigns (all, or one) with no recipient pending or sending; returns how many."""
    only_one = " AND c.id = %s" if campaign_id else ""
    with sql.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns c SET status = 'completed', completed_at = now() WHERE c.status = 'sending'"
            " AND NOT EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = c.id"
            " AND r.status IN ('pending', 'sending'))" + only_one,
            [campaign_id] if campaign_id else [],
        )
        return cursor.rowcount


def send_campaign(campaign_id: UUID | str, *, seconds: float | None = None) -> Literal["done", "stopped", "more"]:
    """Send batches of a `sending` campaign until none is left, it stops sending, or `seconds` pass.

    Returns "done" (nothing left to claim), "stopped" (paused, cancelled, failed) or "more" (time is up,
    or the worker is shutting down: another task must go on).
    """
    deadline = time.monotonic() + (seconds if seconds is not None else settings.SEND_TASK_SECONDS)
    client = None
    while True:
        if shutdown.requested():
            logger.info("Worker shutting down: campaign %s is handed on", campaign_id)
            return "more"
        campaign = (
            Campaign.objects.select_related("template", "sender")
            .filter(pk=campaign_id, status=CampaignStatus.SENDING)
            .first()
        )
        if campaign is None:
            return "stopped"
        try:
            context = send_context(campaign)
        except CannotSend as problem:
            fail_campaign(campaign_id, "; ".join(problem.messages))
            return "stopped"
        organizer = Organizer.objects.get(pk=campaign.organizer_id)
        per_second, batch_size = send_limits(organizer)
        client = client or SendGridClient(organizer.sendgrid_api_key)
        claimed_at, recipients = claim_batch(campaign_id, batch_size)
        if not recipients:
            complete_finished_campaigns(campaign_id)
            if not Campaign.objects.filter(pk=campaign_id, recipients__status=RecipientStatus.PENDING).exists():
                return "done"
            continue  # the whole batch was unsubscribed
        record_outcomes(claimed_at, deliver_batch(context, recipients, client, per_second))
        if time.monotonic() >= deadline:
            return "more"


def return_stale_claims(timeout_minutes: float | None = None) -> int:
    """Recipients claimed longer ago than the timeout go back to pending (their worker died)."""
    minutes = settings.SEND_CLAIM_TIMEOUT_MINUTES if timeout_minutes is None else timeout_minutes
    cutoff = timezone.now() - timedelta(minutes=minutes)
    with sql.cursor() as cursor:
        cursor.execute(
            "UPDATE campaign_recipients SET status = 'pending', claimed_at = NULL"
            " WHERE status = 'sending' AND claimed_at < %s",
            [cutoff],
        )
        return cursor.rowcount


def campaigns_needing_a_worker() -> list[UUID]:
    """Sending campaigns with pending recipients that no worker holds a claim on right now."""
    return list(
        Campaign.objects.filter(status=CampaignStatus.SENDING, recipients__status=RecipientStatus.PENDING)
        .exclude(recipients__status=RecipientStatus.SENDING)
        .values_list("pk", flat=True)
        .distinct()
    )
