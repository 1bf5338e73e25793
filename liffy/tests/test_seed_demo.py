from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignEvent, CampaignRecipient, EmailTemplate
from campaigns.tests.factories import CampaignFactory, EmailTemplateFactory
from legacy.models import List, ListMember
from liffy.demo import DEMO_PASSWORD, STAFF_EMAIL, demo_id
from liffy.models import Organizer, User
from persons.models import Affiliation, Person, ProspectIntent
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

MODELS = [Organizer, User, Person, Affiliation, ProspectIntent, ListMember, Campaign, CampaignRecipient, CampaignEvent]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_loads_two_organizers_with_a_working_campaign():
    out = seed()

    assert "owner@acme.test" in out and STAFF_EMAIL in out
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


def test_the_banner_counts_what_the_admin_shows():
    out = seed()
    # the staff organizer is an organizer too, listed in the admin beside the two demo ones
    assert Organizer.objects.count() == 3
    assert "3 organizers (Acme Events, Globex Fairs, Liffy staff)" in out
    assert f"{Person.objects.count()} persons" in out


def test_demo_persons_with_a_verification_answer_have_its_time():
    seed()
    for person in Person.objects.all():
        assert (person.verified_at is None) == (person.verification_status == "unknown"), person.email


def test_seed_demo_twice_changes_nothing():
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_seed_demo_never_trips_over_rows_users_made_with_demo_names():
    seed()
    acme = Organizer.objects.get(slug="acme-events")
    template = EmailTemplateFactory(organizer=acme, name="Spring fair invitation")
    CampaignFactory(organizer=acme, name="Spring fair invitation", template=template)
    CampaignFactory(organizer=acme, name="Autumn follow-up (draft)", template=template)
    List.objects.create(organizer=acme, name="Spring fair prospects")
    Campaign.objects.filter(pk=demo_id("acme-events", "campaign", "autumn-draft")).delete()
    before = counts()
    seed()
    assert counts()["Campaign"] == before["Campaign"] + 1  # the demo draft that was deleted, and nothing else
    assert EmailTemplate.objects.filter(organizer=acme, name="Spring fair invitation").count() == 2


def test_a_person_a_user_added_with_a_demo_address_in_other_case_is_kept():
    acme = Organizer.objects.create(name="Acme Events", slug="acme-events")
    mine = PersonFactory(organizer=acme, email="Maria.Rossi@FieraMilano.it", first_name="Mine")
    seed()
    assert Person.objects.get(organizer=acme, email__iexact="maria.rossi@fieramilano.it") == mine


def test_if_missing_leaves_an_existing_demo_alone():
    seed()
    acme = Organizer.objects.get(slug="acme-events")
    Person.objects.filter(organizer=acme, email="info@trade-hub.nl").delete()
    before = counts()
    assert "already there" in seed("--if-missing")
    assert counts() == before
    User.objects.filter(email=STAFF_EMAIL).delete()
    assert "Demo data loaded." in seed("--if-missing")
    assert User.objects.filter(email=STAFF_EMAIL).exists()


def test_demo_owner_can_log_in_and_sees_only_own_persons():
    seed()
    client = APIClient()
    token = client.post("/api/auth/token", {"email": "owner@globex.test", "password": DEMO_PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/persons")
    assert response.status_code == 200
    assert response.json()["count"] == 3
