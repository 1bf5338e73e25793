"""Intents API: list and filters, stats, create with 404 for foreign ids and 409 for duplicates, delete."""

from campaigns.tests.factories import CampaignFactory
from persons.models import ProspectIntent
from persons.tests.factories import PersonFactory, ProspectIntentFactory


def test_create_then_duplicate_is_409(member_client, organizer, member):
    person = PersonFactory(organizer=organizer)
    campaign = CampaignFactory(organizer=organizer)
    payload = {"person": str(person.pk), "campaign": str(campaign.pk), "intent_type": "meeting_booked"}
    created = member_client.post("/api/intents", payload)
    assert created.status_code == 201, created.json()
    assert created.json()["created_by_user"] == str(member.pk)
    assert member_client.post("/api/intents", payload).status_code == 409
    without_campaign = {"person": str(person.pk), "intent_type": "meeting_booked"}
    assert member_client.post("/api/intents", without_campaign).status_code == 201
    assert member_client.post("/api/intents", without_campaign).status_code == 409


def test_foreign_person_or_campaign_is_404(member_client, organizer, other_organizer):
    mine = PersonFactory(organizer=organizer)
    foreign_person = PersonFactory(organizer=other_organizer)
    foreign_campaign = CampaignFactory(organizer=other_organizer)
    assert (
        member_client.post("/api/intents", {"person": str(foreign_person.pk), "intent_type": "reply"}).status_code
        == 404
    )
    response = member_client.post(
        "/api/intents", {"person": str(mine.pk), "campaign": str(foreign_campaign.pk), "intent_type": "reply"}
    )
    assert response.status_code == 404
    assert not ProspectIntent.objects.exists()


def test_bad_type_is_400_naming_the_field(member_client, organizer):
    person = PersonFactory(organizer=organizer)
    response = member_client.post("/api/intents", {"person": str(person.pk), "intent_type": "gossip"})
    assert response.status_code == 400 and "intent_type" in response.json()


def test_list_filters_newest_first(member_client, organizer):
    campaign = CampaignFactory(organizer=organizer)
    first = ProspectIntentFactory(person__organizer=organizer, intent_type="reply", campaign=campaign)
    second = ProspectIntentFactory(person__organizer=organizer, intent_type="click_through", source="webhook")
    ids = [row["id"] for row in member_client.get("/api/intents").json()["results"]]
    assert ids == [str(second.pk), str(first.pk)]

    def ids_for(**params):
        return [row["id"] for row in member_client.get("/api/intents", params).json()["results"]]

    assert ids_for(intent_type="reply") == [str(first.pk)]
    assert ids_for(campaign=str(campaign.pk)) == [str(first.pk)]
    assert ids_for(source="webhook") == [str(second.pk)]
    assert ids_for(person=str(first.person_id)) == [str(first.pk)]


def test_stats_by_type_with_unique_persons(member_client, organizer):
    person = PersonFactory(organizer=organizer)
    ProspectIntentFactory(person=person, intent_type="reply")
    ProspectIntentFactory(person=person, intent_type="reply", campaign=CampaignFactory(organizer=organizer))
    ProspectIntentFactory(person__organizer=organizer, intent_type="referral")
    assert member_client.get("/api/intents/stats").json() == [
        {"intent_type": "referral", "count": 1, "unique_persons": 1},
        {"intent_type": "reply", "count": 2, "unique_persons": 1},
    ]


def test_delete(member_client, organizer):
    intent = ProspectIntentFactory(person__organizer=organizer)
    assert member_client.delete(f"/api/intents/{intent.pk}").status_code == 204
    assert not ProspectIntent.objects.exists()
