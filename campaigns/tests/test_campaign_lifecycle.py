"""Campaign lifecycle through the API: create, edit, resolve (filter matrix), unresolve, schedule, cancel,
delete, and racing requests."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRecipient
from campaigns.tests.factories import CampaignFactory, EmailTemplateFactory, SenderIdentityFactory, UnsubscribeFactory
from legacy.tests.factories import ListFactory, ListMemberFactory
from liffy.testing import at_once
from persons.tests.factories import AffiliationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(organizer):
    target = ListFactory(organizer=organizer)
    return CampaignFactory(organizer=organizer, list=target, sender=SenderIdentityFactory(organizer=organizer))


def member(campaign, email, status="valid", **person):
    person = PersonFactory(organizer=campaign.organizer, email=email, verification_status=status, **person)
    ListMemberFactory(organizer=campaign.organizer, list=campaign.list, person=person)
    return person


def test_create_needs_name_and_template_of_the_callers_organizer(member_client, organizer, other_organizer):
    template = EmailTemplateFactory(organizer=organizer)
    created = member_client.post("/api/campaigns", {"name": "Spring", "template": str(template.pk)}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert Campaign.objects.get(pk=created.json()["id"]).organizer == organizer
    assert "template" in member_client.post("/api/campaigns", {"name": "x"}, format="json").json()
    foreign = EmailTemplateFactory(organizer=other_organizer)
    assert (
        member_client.post("/api/campaigns", {"name": "x", "template": str(foreign.pk)}, format="json").status_code
        == 404
    )
    foreign_list = ListFactory(organizer=other_organizer)
    assert (
        member_client.post(
            "/api/campaigns", {"name": "x", "template": str(template.pk), "list": str(foreign_list.pk)}, format="json"
        ).status_code
        == 404
    )


def test_only_drafts_can_be_edited(member_client, draft):
    assert (
        member_client.patch(f"/api/campaigns/{draft.pk}", {"name": "New", "include_risky": True}, format="json").json()[
            "name"
        ]
        == "New"
    )
    Campaign.objects.filter(pk=draft.pk).update(status="ready")
    response = member_client.patch(f"/api/campaigns/{draft.pk}", {"name": "Late"}, format="json")
    assert response.status_code == 409 and "ready" in response.json()["detail"]


def test_resolve_snapshots_members_with_their_latest_affiliation(member_client, draft):
    jane = member(draft, "jane@acme.de", first_name="Jane", last_name="Doe")
    AffiliationFactory(person=jane, organizer=draft.organizer, company_name="Old Co", country_code="AT")
    AffiliationFactory(
        person=jane, organizer=draft.organizer, company_name="Acme GmbH", country_code="DE", position="CEO"
    )
    AffiliationFactory(person=jane, organizer=draft.organizer, company_name=None, position="Speaker")
    member(draft, "x@acme.de", status="invalid")
    response = member_client.post(f"/api/campaigns/{draft.pk}/resolve")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready" and body["recipient_count"] == 1
    assert body["stats"] == {
        "total_in_list": 2,
        "excluded_blank": 0,
        "excluded_unsubscribed": 0,
        "excluded_invalid": 1,
        "excluded_risky": 0,
        "excluded_unverified": 0,
        "excluded_duplicate": 0,
        "eligible": 1,
        "inserted": 1,
    }
    recipient = CampaignRecipient.objects.get(campaign=draft)
    assert (recipient.email, recipient.name, recipient.person_id, recipient.status) == (
        "jane@acme.de",
        "Jane Doe",
        jane.pk,
        "pending",
    )
    assert recipient.meta == {
        "first_name": "Jane",
        "last_name": "Doe",
        "company": "Acme GmbH",
        "company_name": "Acme GmbH",
        "country": "DE",
        "position": "CEO",
        "city": "Berlin",
        "person_id": str(jane.pk),
    }
    again = member_client.post(f"/api/campaigns/{draft.pk}/resolve")
    assert again.status_code == 409 and "ready" in again.json()["detail"]


MODES = {
    "verified_only": ("verified_only", False),
    "exclude_invalid": ("exclude_invalid", False),
    "exclude_invalid+risky": ("exclude_invalid", True),
}
ELIGIBLE = {
    "verified_only": {"valid", "catchall"},
    "exclude_invalid": {"valid", "catchall", "unknown"},
    "exclude_invalid+risky": {"valid", "catchall", "unknown", "risky"},
}
STATUSES = ["valid", "catchall", "unknown", "risky", "invalid"]


@pytest.mark.parametrize("mode, status, unsubscribed", list(itertools.product(MODES, STATUSES, [False, True])))
def test_resolve_filter_matrix(member_client, draft, mode, status, unsubscribed):
    verification_mode, include_risky = MODES[mode]
    Campaign.objects.filter(pk=draft.pk).update(verification_mode=verification_mode, include_risky=include_risky)
    member(draft, "one@acme.de", status=status)
    member(draft, "always@acme.de", status="valid")  # keeps the campaign resolvable
    if unsubscribed:
        UnsubscribeFactory(organizer=draft.organizer, email="ONE@acme.de")
    stats = member_client.post(f"/api/campaigns/{draft.pk}/resolve").json()["stats"]
    expected = status in ELIGIBLE[mode] and not unsubscribed
    assert set(CampaignRecipient.objects.filter(campaign=draft).values_list("email", flat=True)) == (
        {"one@acme.de", "always@acme.de"} if expected else {"always@acme.de"}
    )
    assert stats["inserted"] == (2 if expected else 1) and stats["total_in_list"] == 2
    if unsubscribed:
        assert stats["excluded_unsubscribed"] == 1


def test_resolve_with_nobody_eligible_stays_draft_and_says_why(member_client, draft):
    member(draft, "bad@acme.de", status="invalid")
    UnsubscribeFactory(organizer=draft.organizer, email=member(draft, "gone@acme.de").email)
    response = member_client.post(f"/api/campaigns/{draft.pk}/resolve")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "No eligible recipients among the list's 2 members (excluded: 1 unsubscribed, 1 invalid)."
    )
    draft.refresh_from_db()
    assert draft.status == "draft" and not CampaignRecipient.objects.filter(campaign=draft).exists()


def test_resolve_that_would_add_nobody_new_says_so_next_to_its_numbers(member_client, draft):
    """A draft that kept recipients (of an earlier resolve) gets none again: the reason matches eligible: 1."""
    person = member(draft, "ann@acme.de")
    CampaignRecipient.objects.create(organizer=draft.organizer, campaign=draft, email=person.email, person=person)
    response = member_client.post(f"/api/campaigns/{draft.pk}/resolve")
    assert response.status_code == 400
    assert response.json()["stats"]["eligible"] == 1 and response.json()["stats"]["excluded_duplicate"] == 1
    assert response.json()["detail"] == (
        "All 1 eligible members of the list's 1 are already recipients of this campaign: nothing to add."
    )


def test_resolve_needs_a_list_and_an_active_sender(member_client, organizer):
    campaign = CampaignFactory(organizer=organizer)
    assert set(member_client.post(f"/api/campaigns/{campaign.pk}/resolve").json()) == {"list", "sender"}
    campaign.list = ListFactory(organizer=organizer)
    campaign.sender = SenderIdentityFactory(organizer=organizer, is_active=False)
    campaign.save()
    assert member_client.post(f"/api/campaigns/{campaign.pk}/resolve").json() == {
        "sender": ["the sender is deactivated"]
    }


def test_unresolve_schedule_cancel(member_client, draft):
    member(draft, "a@acme.de")
    member_client.post(f"/api/campaigns/{draft.pk}/resolve")
    assert member_client.post(f"/api/campaigns/{draft.pk}/unresolve").json()["status"] == "draft"
    assert not CampaignRecipient.objects.filter(campaign=draft).exists()

    member_client.post(f"/api/campaigns/{draft.pk}/resolve")
    past = member_client.post(
        f"/api/campaigns/{draft.pk}/schedule",
        {"scheduled_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400 and "scheduled_at" in past.json()
    when = timezone.now() + timedelta(days=1)
    scheduled = member_client.post(
        f"/api/campaigns/{draft.pk}/schedule", {"scheduled_at": when.isoformat()}, format="json"
    ).json()
    assert scheduled["status"] == "scheduled"
    assert member_client.post(f"/api/campaigns/{draft.pk}/unschedule").json()["status"] == "ready"
    assert member_client.post(f"/api/campaigns/{draft.pk}/cancel").json()["status"] == "cancelled"
    assert set(CampaignRecipient.objects.filter(campaign=draft).values_list("status", flat=True)) == {"skipped"}
    again = member_client.post(f"/api/campaigns/{draft.pk}/cancel")
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    assert member_client.post(f"/api/campaigns/{draft.pk}/unresolve").status_code == 409


def test_delete_is_refused_while_sending(member_client, draft):
    Campaign.objects.filter(pk=draft.pk).update(status="sending")
    response = member_client.delete(f"/api/campaigns/{draft.pk}")
    assert response.status_code == 409 and "sending" in response.json()["detail"]
    Campaign.objects.filter(pk=draft.pk).update(status="paused")
    assert member_client.delete(f"/api/campaigns/{draft.pk}").status_code == 204
    assert not Campaign.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_racing_resolves_have_one_winner(owner):
    campaign = CampaignFactory(
        organizer=owner.organizer,
        list=ListFactory(organizer=owner.organizer),
        sender=SenderIdentityFactory(organizer=owner.organizer),
    )
    for n in range(200):
        member(campaign, f"p{n}@acme.de")

    def resolve():
        client = APIClient()
        client.force_authenticate(owner)
        return client.post(f"/api/campaigns/{campaign.pk}/resolve").status_code

    assert sorted(at_once(resolve, resolve)) == [200, 409]
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 200
