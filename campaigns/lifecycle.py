"""Campaign lifecycle: every status change is a conditional update on the status it expects.

Two racing requests can never both win: the loser gets a 409 naming the campaign's current status.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.sending import CannotSend, send_context
from liffy.errors import Conflict, InvalidInput, checked_input
from liffy.tenancy import check_organizer_invariants

logger = logging.getLogger(__name__)

S = CampaignStatus
EDITABLE_FIELDS = {"name", "template", "list", "sender", "include_risky", "verification_mode"}
CANCELLABLE = (S.DRAFT, S.READY, S.SCHEDULED, S.PAUSED)


def _refused(campaign: Campaign, action: str) -> Conflict:
    current = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
    return Conflict(f"A {current} campaign cannot be {action}.", code=current)


def transition(
    campaign: Campaign, expected: str | Iterable[str], new_status: str, action: str, **changes: Any
) -> Campaign:
    """Move `campaign` from one of `expected` statuses to `new_status`, or raise Conflict."""
    expected = (expected,) if isinstance(expected, str) else tuple(expected)
    updated = Campaign.objects.filter(pk=campaign.pk, status__in=expected).update(status=new_status, **changes)
    if not updated:
        raise _refused(campaign, action)
    campaign.refresh_from_db()
    return campaign


def update_campaign(campaign: Campaign, **values: Any) -> Campaign:
    """Only a draft can be edited."""
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput({name: "cannot be changed" for name in unknown})
    if not values:
        return campaign
    for name, value in values.items():
        setattr(campaign, name, value)
    with checked_input():
        check_organizer_invariants(campaign, fields=set(values))  # the update below bypasses save()
    columns = {
        f"{name}_id" if name in ("template", "list", "sender") else name: getattr(value, "pk", value)
        for name, value in values.items()
    }
    return transition(campaign, S.DRAFT, S.DRAFT, "edited", **columns)


@transaction.atomic
def unresolve_campaign(campaign: Campaign) -> Campaign:
    """ready → draft, dropping the recipient snapshot."""
    transition(campaign, S.READY, S.DRAFT, "sent back to draft", recipient_count=0)
    CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING).delete()
    return campaign


def schedule_campaign(campaign: Campaign, scheduled_at: datetime) -> Campaign:
    if scheduled_at <= timezone.now():
        raise InvalidInput({"scheduled_at": "must be in the future"})
    return transition(campaign, (S.READY, S.SCHEDULED), S.SCHEDULED, "scheduled", scheduled_at=scheduled_at)


def unschedule_campaign(campaign: Campaign) -> Campaign:
    return transition(campaign, S.SCHEDULED, S.READY, "unscheduled", scheduled_at=None)


def _enqueue_send(campaign):
    from campaigns.tasks import send_campaign_task  # the tasks module imports this one

    transaction.on_commit(lambda: send_campaign_task.delay(str(campaign.pk)))


def start_campaign(campaign: Campaign) -> Campaign:
    """ready or scheduled → sending, and a send task takes over. Refused (400, nothing changed) when the
    organizer has no physical address or SendGrid key, or the campaign no sender."""
    send_context(campaign)  # CannotSend names what is missing
    transition(campaign, (S.READY, S.SCHEDULED), S.SENDING, "started", started_at=Coalesce(F("started_at"), Now()))
    _enqueue_send(campaign)
    return campaign


def pause_campaign(campaign: Campaign) -> Campaign:
    """Workers stop after the batch they are sending."""
    return transition(campaign, S.SENDING, S.PAUSED, "paused")


def resume_campaign(campaign: Campaign) -> Campaign:
    send_context(campaign)
    transition(campaign, S.PAUSED, S.SENDING, "resumed")
    _enqueue_send(campaign)
    return campaign


def start_due_campaigns(now: datetime | None = None) -> int:
    """Start every scheduled campaign whose time has come; one that cannot send is marked failed."""
    started = 0
    due = Campaign.objects.select_related("template", "sender").filter(
        status=S.SCHEDULED, scheduled_at__lte=now or timezone.now()
    )
    for campaign in due:
        try:
            start_campaign(campaign)
            started += 1
        except CannotSend as problem:
            Campaign.objects.filter(pk=campaign.pk, status=S.SCHEDULED).update(
                status=S.FAILED, error="; ".join(problem.messages), completed_at=timezone.now()
            )
            logger.warning("Scheduled campaign %s cannot send: %s", campaign.pk, problem.messages)
        except Conflict:
            pass  # unscheduled or started by someone else meanwhile
    return started


@transaction.atomic
def cancel_campaign(campaign: Campaign) -> Campaign:
    """From draft, ready, scheduled or paused; recipients still pending are marked skipped."""
    transition(campaign, CANCELLABLE, S.CANCELLED, "cancelled", completed_at=timezone.now())
    CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING).update(
        status=RecipientStatus.SKIPPED, last_error="campaign cancelled"
    )
    return campaign


@transaction.atomic
def delete_campaign(campaign: Campaign) -> None:
    """Refused while sending; the row is locked first, so a start cannot slip in between."""
    locked = Campaign.objects.select_for_update().filter(pk=campaign.pk).exclude(status=S.SENDING).first()
    if locked is None:
        raise _refused(campaign, "deleted")
    locked.delete()
