"""Database-enforced invariants of campaigns and the engagement log."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from campaigns.models import CampaignEvent, CampaignRecipient
from campaigns.tests.factories import (
    CampaignEventFactory,
    CampaignFactory,
    CampaignRecipientFactory,
    UnsubscribeFactory,
)
from persons.tests.factories import PersonFactory


def test_campaign_events_cannot_be_updated(organizer):
    event = CampaignEventFactory(recipient__campaign__organizer=organizer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignEvent.objects.filter(pk=event.pk).update(event_type="open")
    event.reason = "edited"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()
    assert CampaignEvent.objects.get(pk=event.pk).reason is None


def test_deleting_a_person_or_recipient_detaches_their_events(organizer):
    person = PersonFactory(organizer=organizer)
    event = CampaignEventFactory(recipient__campaign__organizer=organizer, person=person)
    person.delete()
    event.recipient.delete()
    event.refresh_from_db()
    assert (event.person_id, event.recipient_id, event.event_type) == (None, None, "sent")


def test_events_cannot_be_attached_to_another_person_afterwards(organizer):
    event = CampaignEventFactory(recipient__campaign__organizer=organizer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignEvent.objects.filter(pk=event.pk).update(person=PersonFactory(organizer=organizer))


def test_provider_event_is_stored_once_per_campaign_type_and_email(organizer):
    event = CampaignEventFactory(recipient__campaign__organizer=organizer, provider_event_id="sg-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignEventFactory(recipient=event.recipient, email=event.email.upper(), provider_event_id="sg-1")
    CampaignEventFactory(recipient=event.recipient, event_type="open", provider_event_id="sg-1")
    CampaignEventFactory(recipient=event.recipient, event_type="open")
    CampaignEventFactory(recipient=event.recipient, event_type="open")  # repeated opens all count


def test_event_type_is_checked(organizer):
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignEventFactory(recipient__campaign__organizer=organizer, event_type="liked")


def test_one_recipient_per_campaign_and_email(organizer):
    recipient = CampaignRecipientFactory(campaign__organizer=organizer, email="jane@acme.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignRecipientFactory(campaign=recipient.campaign, email="Jane@ACME.test")
    CampaignRecipientFactory(campaign__organizer=organizer, email="jane@acme.test")


def test_frozen_engagement_columns_reject_changes(organizer):
    recipient = CampaignRecipientFactory(campaign__organizer=organizer, open_count=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignRecipient.objects.filter(pk=recipient.pk).update(open_count=4)
    CampaignRecipient.objects.filter(pk=recipient.pk).update(status="delivered")
    recipient.refresh_from_db()
    recipient.save()  # rewriting the same values is no change
    assert (recipient.status, recipient.open_count) == ("delivered", 3)


def test_unsubscribes_are_unique_per_organizer_ignoring_case(organizer, other_organizer):
    first = UnsubscribeFactory(organizer=organizer, email=" Jane@Acme.test ")
    assert first.email == "jane@acme.test"
    with pytest.raises(IntegrityError), transaction.atomic():
        UnsubscribeFactory(organizer=organizer, email="JANE@acme.test")
    UnsubscribeFactory(organizer=other_organizer, email="jane@acme.test")


def test_a_template_used_by_a_campaign_cannot_be_deleted(organizer):
    campaign = CampaignFactory(organizer=organizer)
    with pytest.raises(ProtectedError):
        campaign.template.delete()
