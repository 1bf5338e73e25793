"""Sender identities: one default per organizer, deactivation instead of deletion."""

from typing import Any

from django.db import transaction

from campaigns.models import SenderIdentity
from liffy.models import Organizer


@transaction.atomic
def save_sender(sender: SenderIdentity, **values: Any) -> SenderIdentity:
    """Create or update a sender; making it the default clears the flag on the organizer's others."""
    for name, value in values.items():
        setattr(sender, name, value)
    if sender.is_default:
        # one default per organizer, even when two requests race: they queue on the organizer row
        Organizer.objects.select_for_update().filter(pk=sender.organizer_id).first()
        SenderIdentity.objects.filter(organizer_id=sender.organizer_id, is_default=True).exclude(pk=sender.pk).update(
            is_default=False
        )
        sender.is_active = True
    sender.save()
    return sender


def deactivate_sender(sender: SenderIdentity) -> SenderIdentity:
    SenderIdentity.objects.filter(pk=sender.pk).update(is_active=False, is_default=False)
    sender.refresh_from_db()
    return sender
