from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignEvent, CampaignRecipient
from legacy.models import ListMember
from liffy.demo import DEMO_PASSWORD, STAFF_EMAIL
from liffy.models import Organizer, User
from persons.models import Affiliation, Person, ProspectIntent

pytestmark = pytest.mark.django_db

MODELS = [Organizer, User, Person, Affiliation, ProspectIntent, ListMember, Campaign, CampaignRecipient, CampaignEvent]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_loads_two_organizers_with_a_working_campaign():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "owner@acme.test" in out.getvalue() and STAFF_EMAIL in out.getvalue()
    acme, globex = Organizer.objects.get(slug="acme-events"), Organizer.objects.get(slug="globex-fairs")
    assert User.objects.get(email=STAFF_EMAIL).is_staff
    assert Person.objects.filter(organizer=acme).count() == 6
    shared = "maria.rossi@fieramilano.it"
    assert Person.objects.filter(email=shared, organizer__in=[acme, globex]).count() == 2
    campaign = Campaign.objects.get(organizer=acme, status="completed")
    assert campaign.recipient_count == CampaignRecipient.objects.filter(campaign=campaign).count() == 5
    event_types = set(CampaignEvent.objects.filter(campaign=campaign).values_list("event_type", flat=True))
    assert {"sent", "delivered", "open", "click", "reply", "bounce", "unsubscribe"} <= event_types
    assert ProspectIntent.objects.filter(organizer=acme, intent_type="click_through", campaign=campaign).count() == 1
    assert ListMember.objects.filter(organizer=globex).count() == 3


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first


def test_demo_owner_can_log_in_and_sees_only_own_persons():
    call_command("seed_demo", stdout=StringIO())
    client = APIClient()
    token = client.post("/api/auth/token", {"email": "owner@globex.test", "password": DEMO_PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/persons")
    assert response.status_code == 200
    assert response.json()["count"] == 3
