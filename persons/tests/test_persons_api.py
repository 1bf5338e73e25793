"""Persons API: list with search, filters, pagination and the latest affiliation; stats; detail; writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Unsubscribe
from campaigns.tests.factories import CampaignEventFactory, CampaignRecipientFactory, UnsubscribeFactory
from legacy.tests.factories import ListMemberFactory
from persons.models import Affiliation, Person, ProspectIntent
from persons.tests.factories import (
    AffiliationFactory,
    PersonFactory,
    ProspectIntentFactory,
    ZohoPushLogFactory,
)


def emails(response):
    return sorted(row["email"] for row in response.json()["results"])


def test_list_is_paginated_and_carries_the_latest_affiliation(member_client, organizer):
    person = PersonFactory(organizer=organizer, email="jane@acme.test")
    AffiliationFactory(person=person, company_name="Old Corp", created_at=timezone.now() - timedelta(days=5))
    AffiliationFactory(person=person, company_name="New Corp", created_at=timezone.now() - timedelta(days=1))
    AffiliationFactory(person=person, company_name=None, position="Advisor")  # newest, but without a company
    PersonFactory.create_batch(3, organizer=organizer)

    body = member_client.get("/api/persons", {"page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]

    row = member_client.get("/api/persons", {"search": "jane@"}).json()["results"][0]
    assert row["latest_affiliation"]["company_name"] == "New Corp"


def test_latest_affiliation_falls_back_to_the_newest_without_company(member_client, organizer):
    person = PersonFactory(organizer=organizer)
    AffiliationFactory(person=person, company_name=None, position="Founder")
    row = member_client.get("/api/persons").json()["results"][0]
    assert row["latest_affiliation"]["position"] == "Founder"


def test_query_count_does_not_grow_with_page_size(member_client, organizer, django_assert_max_num_queries):
    for person in PersonFactory.create_batch(30, organizer=organizer):
        AffiliationFactory.create_batch(2, person=person)
    with django_assert_max_num_queries(6):
        response = member_client.get("/api/persons", {"page_size": 30})
    assert len(response.json()["results"]) == 30


def test_search_matches_email_names_and_company_once(member_client, organizer):
    jane = PersonFactory(organizer=organizer, email="jane@acme.test", first_name="Jane", last_name="Doe")
    AffiliationFactory(person=jane, company_name="Acme Fairs")
    AffiliationFactory(person=jane, company_name="Acme Events")
    PersonFactory(organizer=organizer, email="bob@globex.test", first_name="Bob", last_name="Stone")
    assert emails(member_client.get("/api/persons", {"search": "acme"})) == ["jane@acme.test"]
    assert emails(member_client.get("/api/persons", {"search": "stone"})) == ["bob@globex.test"]


def test_search_with_an_at_sign_matches_the_address_only(member_client, organizer):
    PersonFactory(organizer=organizer, email="jane@acme.test", first_name="Jane", last_name="Doe")
    janet = PersonFactory(organizer=organizer, email="js@globex.test", first_name="Janet", last_name="Smith")
    AffiliationFactory(person=janet, company_name="Jane Street")
    assert emails(member_client.get("/api/persons", {"search": "jane"})) == ["jane@acme.test", "js@globex.test"]
    assert emails(member_client.get("/api/persons", {"search": "JANE@"})) == ["jane@acme.test"]
    assert emails(member_client.get("/api/persons", {"search": "@"})) == []


@pytest.mark.parametrize(
    "term, found",
    [
        ("ANN", ["ann.lee@fair.test", "jo@expo.test", "max@annex.test"]),  # email, name word, company word
        ("ann.lee@f", ["ann.lee@fair.test"]),  # the start of an email address, any characters
        ("lee", ["ann.lee@fair.test"]),  # a word of the last name, not the email
        ("marie mül", ["jo@expo.test"]),  # each word begins a word of the name
        ("anne lee", []),  # … of the same person
        ("ex", ["max@annex.test"]),  # word prefix of a company name ("Annex Exhibitions"), never a substring
        ("nne", []),
        ("xpo", []),
        ("@", []),
        ("exhibitions annex", ["max@annex.test"]),  # words in any order within one company name
        ("-Marie--", ["jo@expo.test"]),  # punctuation separates words
    ],
)
def test_search_is_by_email_prefix_and_word_prefixes(member_client, organizer, term, found):
    PersonFactory(organizer=organizer, email="ann.lee@fair.test", first_name="Jo", last_name="Lee")
    PersonFactory(organizer=organizer, email="jo@expo.test", first_name="Anne-Marie", last_name="Müller")
    AffiliationFactory(
        person=PersonFactory(organizer=organizer, email="max@annex.test", first_name="Max", last_name=None),
        company_name="Annex Exhibitions",
    )
    assert emails(member_client.get("/api/persons", {"search": term})) == found


def test_search_with_a_nul_character_is_a_400_naming_it(member_client):
    response = member_client.get("/api/persons", {"search": "ann\x00"})
    assert response.status_code == 400 and "search" in response.json()


def test_search_stays_within_the_callers_organizer(member_client, organizer, other_organizer):
    PersonFactory(organizer=other_organizer, email="ann@other.test", first_name="Ann")
    AffiliationFactory(person=PersonFactory(organizer=other_organizer), company_name="Ann Corp")
    assert emails(member_client.get("/api/persons", {"search": "ann"})) == []


def test_filters(member_client, organizer):
    valid = PersonFactory(organizer=organizer, email="valid@a.test", verification_status="valid")
    PersonFactory(organizer=organizer, email="invalid@a.test", verification_status="invalid")
    PersonFactory(organizer=organizer, email="risky@a.test", verification_status="risky")
    AffiliationFactory(person=valid, country_code="TR", company_name="Anadolu A.Ş.")
    ProspectIntentFactory(person=valid)

    def get(**params):
        return emails(member_client.get("/api/persons", params))

    assert get(verification_status="exclude_invalid") == ["valid@a.test"]
    assert get(verification_status="invalid") == ["invalid@a.test"]
    assert get(country="tr") == ["valid@a.test"]
    assert get(company="anadolu") == ["valid@a.test"]
    assert get(has_intent="true") == ["valid@a.test"]
    assert get(has_intent="false") == ["invalid@a.test", "risky@a.test"]
    assert get(created_after=(timezone.now() + timedelta(hours=1)).isoformat()) == []


def test_bad_filter_values_are_400(member_client, organizer):
    response = member_client.get("/api/persons", {"verification_status": "sparkly"})
    assert response.status_code == 400 and "verification_status" in response.json()


def test_stats(member_client, organizer):
    PersonFactory(organizer=organizer, verification_status="valid")
    ProspectIntentFactory(person=PersonFactory(organizer=organizer, verification_status="invalid"))
    PersonFactory(organizer=organizer)
    body = member_client.get("/api/persons/stats").json()
    assert body["total"] == 3 and body["with_intent"] == 1
    assert body["by_verification_status"] == {"unknown": 1, "valid": 1, "invalid": 1, "catchall": 0, "risky": 0}


def test_detail_has_affiliations_intents_engagement_pushes_and_lists(member_client, organizer):
    person = PersonFactory(organizer=organizer)
    AffiliationFactory.create_batch(2, person=person)
    ProspectIntentFactory(person=person, intent_type="reply")
    recipient = CampaignRecipientFactory(campaign__organizer=organizer, email=person.email, person=person)
    for event_type in ("sent", "open", "open"):
        CampaignEventFactory(recipient=recipient, person=person, event_type=event_type)
    ZohoPushLogFactory(person=person)
    member = ListMemberFactory(list__organizer=organizer, person=person)

    body = member_client.get(f"/api/persons/{person.pk}").json()
    assert len(body["affiliations"]) == 2
    assert [i["intent_type"] for i in body["intents"]] == ["reply"]
    assert body["engagement"]["open"]["count"] == 2 and body["engagement"]["sent"]["count"] == 1
    assert len(body["zoho_pushes"]) == 1
    assert body["lists"] == [{"id": str(member.list_id), "name": member.list.name}]


def test_create_person_lowercases_and_refuses_duplicates(member_client, organizer):
    response = member_client.post("/api/persons", {"email": " Jane@Acme.TEST ", "first_name": "Jane"})
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "jane@acme.test"
    duplicate = member_client.post("/api/persons", {"email": "JANE@acme.test"})
    assert duplicate.status_code == 409
    assert member_client.post("/api/persons", {"email": "not-an-email"}).status_code == 400


def test_email_is_immutable(member_client, organizer):
    person = PersonFactory(organizer=organizer, email="jane@acme.test")
    response = member_client.patch(f"/api/persons/{person.pk}", {"email": "other@acme.test"})
    assert response.status_code == 400 and "email" in response.json()
    same = member_client.patch(f"/api/persons/{person.pk}", {"email": "JANE@acme.test", "last_name": "Roe"})
    assert same.status_code == 200
    person.refresh_from_db()
    assert (person.email, person.last_name) == ("jane@acme.test", "Roe")


@pytest.mark.parametrize(
    "client_fixture, allowed", [("member_client", False), ("org_admin_client", True), ("owner_client", True)]
)
def test_only_owners_and_admins_delete_persons(request, organizer, client_fixture, allowed):
    person = PersonFactory(organizer=organizer)
    response = request.getfixturevalue(client_fixture).delete(f"/api/persons/{person.pk}")
    assert response.status_code == (204 if allowed else 403)
    assert Person.objects.filter(pk=person.pk).exists() is not allowed


def test_delete_removes_the_layers_but_keeps_the_unsubscribe(owner_client, organizer):
    person = PersonFactory(organizer=organizer, email="gone@acme.test")
    AffiliationFactory(person=person)
    ProspectIntentFactory(person=person)
    ZohoPushLogFactory(person=person)
    UnsubscribeFactory(organizer=organizer, email="gone@acme.test")
    assert owner_client.delete(f"/api/persons/{person.pk}").status_code == 204
    assert not Affiliation.objects.filter(person_id=person.pk).exists()
    assert not ProspectIntent.objects.filter(person_id=person.pk).exists()
    assert organizer.persons.count() == 0
    assert Unsubscribe.objects.filter(organizer=organizer, email="gone@acme.test").exists()


def test_affiliations_read_and_add(member_client, organizer):
    person = PersonFactory(organizer=organizer)
    url = f"/api/persons/{person.pk}/affiliations"
    created = member_client.post(url, {"company_name": "Acme GmbH", "country_code": "de", "confidence": "0.8"})
    assert created.status_code == 201, created.json()
    assert created.json()["country_code"] == "DE"
    assert member_client.post(url, {"company_name": "ACME GMBH"}).status_code == 409
    assert member_client.post(url, {"company_name": "X", "confidence": "1.5"}).status_code == 400
    assert [a["company_name"] for a in member_client.get(url).json()] == ["Acme GmbH"]


def test_engagement_score_is_computed_from_events_and_intents(member_client, organizer):
    person = PersonFactory(organizer=organizer)
    first, second = (
        CampaignRecipientFactory(campaign__organizer=organizer, email=person.email, person=person) for _ in range(2)
    )
    for recipient, kinds in ((first, ["sent", "open", "open", "click"]), (second, ["sent", "open", "reply"])):
        for kind in kinds:
            CampaignEventFactory(recipient=recipient, person=person, event_type=kind)
    ProspectIntentFactory(person=person, organizer=organizer, intent_type="meeting_booked")
    ProspectIntentFactory(person=person, organizer=organizer, intent_type="click_through", campaign=first.campaign)
    body = member_client.get(f"/api/persons/{person.pk}/engagement").json()
    # 2 campaigns opened × 5 + 1 clicked × 10 + 1 reply × 25 + meeting 40 = 85
    assert body["points"] == {
        "campaigns_opened": 10,
        "campaigns_clicked": 10,
        "replies": 25,
        "bounces": 0,
        "intents": 40,
        "unsubscribed": 0,
    }
    assert body["score"] == 85 and body["summary"]["open"]["count"] == 3
    ProspectIntentFactory(person=person, organizer=organizer, intent_type="referral")
    assert member_client.get(f"/api/persons/{person.pk}/engagement").json()["score"] == 100  # capped
    CampaignEventFactory(recipient=first, person=person, event_type="spam_report")
    spam = member_client.get(f"/api/persons/{person.pk}/engagement").json()
    assert spam["score"] == 0 and spam["spam_reported"] is True
