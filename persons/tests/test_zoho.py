"""Zoho CRM push: token refresh and caching, field mapping with fallbacks, batches, create vs update,
failures logged per record, history and status, and the credential check of the settings."""

import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from legacy.tests.factories import ListFactory, ListMemberFactory
from persons.models import ZohoPushLog
from persons.tests.factories import AffiliationFactory, PersonFactory

TOKEN = "https://accounts.zoho.eu/oauth/v2/token"
LEADS = "https://www.zohoapis.eu/crm/v2/Leads/upsert"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.ZOHO_BACKOFF_SECONDS = 0


@pytest.fixture
def zoho(organizer):
    type(organizer).objects.filter(pk=organizer.pk).update(
        zoho_client_id="cid", zoho_client_secret="secret", zoho_refresh_token="refresh", zoho_datacenter="eu"
    )
    organizer.refresh_from_db()
    return organizer


def upsert_answers(request):
    """Zoho's upsert: success per record, 'update' when the record carries an id; 'fail@' is refused."""
    records = json.loads(request.body)["data"]
    answers = []
    for record in records:
        if record["Email"].startswith("fail@"):
            answers.append(
                {"code": "INVALID_DATA", "status": "error", "message": "invalid data", "details": {"api_name": "Email"}}
            )
        else:
            answers.append(
                {
                    "code": "SUCCESS",
                    "status": "success",
                    "action": "update" if "id" in record else "insert",
                    "details": {"id": record.get("id", f"z{record['Email']}")},
                }
            )
    return 200, {}, json.dumps({"data": answers})


@responses.activate
def test_push_maps_fields_with_fallbacks_and_logs_every_record(owner_client, zoho, owner):
    responses.post(TOKEN, json={"access_token": "tok-1", "expires_in": 3600})
    responses.add_callback(responses.POST, LEADS, callback=upsert_answers)
    full = PersonFactory(organizer=zoho, email="jane@acme.de", first_name="Jane", last_name="Doe")
    AffiliationFactory(
        person=full,
        organizer=zoho,
        company_name="Acme GmbH",
        position="CEO",
        country_code="DE",
        city="Berlin",
        phone="+49 30 1",
        website="https://acme.de",
    )
    bare = PersonFactory(organizer=zoho, email="x.y@bare.io", first_name=None, last_name=None)
    failing = PersonFactory(organizer=zoho, email="fail@acme.de")
    response = owner_client.post(
        "/api/zoho/push",
        {"person_ids": [str(full.pk), str(bare.pk), str(failing.pk)], "module": "Leads"},
        format="json",
    )
    assert response.json() == {"pushed": 3, "created": 2, "updated": 0, "failed": 1}
    sent = {r["Email"]: r for r in json.loads(responses.calls[1].request.body)["data"]}
    assert sent["jane@acme.de"] == {
        "First_Name": "Jane",
        "Last_Name": "Doe",
        "Email": "jane@acme.de",
        "Phone": "+49 30 1",
        "Website": "https://acme.de",
        "Country": "Germany",
        "City": "Berlin",
        "Lead_Source": "Liffy",
        "Company": "Acme GmbH",
        "Designation": "CEO",
    }
    assert (sent["x.y@bare.io"]["Last_Name"], sent["x.y@bare.io"]["Company"]) == ("x.y", "bare.io")
    assert json.loads(responses.calls[1].request.body)["duplicate_check_fields"] == ["Email"]
    assert responses.calls[1].request.headers["Authorization"] == "Zoho-oauthtoken tok-1"
    log = ZohoPushLog.objects.get(person=failing)
    assert (log.status, log.error_message, log.pushed_by_user) == ("failed", "invalid data", owner)
    assert ZohoPushLog.objects.get(person=full).zoho_record_id == "zjane@acme.de"


@responses.activate
def test_second_push_updates_with_the_record_id_and_reuses_the_cached_token(owner_client, zoho):
    responses.post(TOKEN, json={"access_token": "tok-1", "expires_in": 3600})
    responses.add_callback(responses.POST, LEADS, callback=upsert_answers)
    person = PersonFactory(organizer=zoho, email="jane@acme.de")
    owner_client.post("/api/zoho/push", {"person_ids": [str(person.pk)]}, format="json")
    again = owner_client.post("/api/zoho/push", {"person_ids": [str(person.pk)]}, format="json").json()
    assert again == {"pushed": 1, "created": 0, "updated": 1, "failed": 0}
    assert json.loads(responses.calls[-1].request.body)["data"][0]["id"] == "zjane@acme.de"
    assert [c.request.url.split("?")[0] for c in responses.calls].count(TOKEN) == 1


@responses.activate
def test_an_expired_or_refused_token_is_refreshed(owner_client, zoho):
    type(zoho).objects.filter(pk=zoho.pk).update(zoho_access_token_expires_at=timezone.now() - timedelta(hours=1))
    zoho.refresh_from_db()
    zoho.zoho_access_token = "old"
    zoho.save(update_fields=["zoho_access_token"])
    responses.post(TOKEN, json={"access_token": "tok-2", "expires_in": 3600})
    responses.post(LEADS, status=401, json={"code": "INVALID_TOKEN"})
    responses.add_callback(responses.POST, LEADS, callback=upsert_answers)
    person = PersonFactory(organizer=zoho, email="a@acme.de")
    assert owner_client.post("/api/zoho/push", {"person_ids": [str(person.pk)]}, format="json").json()["created"] == 1
    assert [c.request.url.split("?")[0] for c in responses.calls].count(TOKEN) == 2


@responses.activate
def test_push_list_in_batches_of_100_and_an_outage_fails_the_batch(owner_client, zoho):
    responses.post(TOKEN, json={"access_token": "tok", "expires_in": 3600})
    responses.add_callback(responses.POST, LEADS, callback=upsert_answers)
    target = ListFactory(organizer=zoho)
    for n in range(150):
        ListMemberFactory(list=target, person__email=f"p{n}@acme.de")
    body = owner_client.post(
        "/api/zoho/push-list", {"list_id": str(target.pk), "module": "Leads"}, format="json"
    ).json()
    assert body == {"pushed": 150, "created": 150, "updated": 0, "failed": 0}
    assert [len(json.loads(c.request.body)["data"]) for c in responses.calls[1:]] == [100, 50]

    responses.replace(responses.POST, LEADS, status=503)
    down = owner_client.post("/api/zoho/push-list", {"list_id": str(target.pk)}, format="json").json()
    assert down["failed"] == 150
    status = owner_client.get("/api/zoho/push-status").json()
    assert (status["total"], status["succeeded"], status["failed"], status["configured"]) == (300, 150, 150, True)
    history = owner_client.get("/api/zoho/push-history", {"status": "failed", "page_size": 10}).json()
    assert history["count"] == 150 and len(history["results"]) == 10


@responses.activate
def test_a_push_cut_short_keeps_the_log_of_what_zoho_received(zoho):
    from persons.zoho_push import push_persons

    calls = []

    def first_batch_then_crash(request):
        calls.append(request)
        if len(calls) > 1:
            raise RuntimeError("worker lost")
        return upsert_answers(request)

    responses.post(TOKEN, json={"access_token": "tok", "expires_in": 3600})
    responses.add_callback(responses.POST, LEADS, callback=first_batch_then_crash)
    persons = [PersonFactory(organizer=zoho, email=f"p{n:03}@acme.de") for n in range(150)]
    with pytest.raises(RuntimeError):
        push_persons(zoho, [p.pk for p in persons], "Leads")
    assert ZohoPushLog.objects.filter(status="success").count() == 100


def test_push_without_credentials_or_with_foreign_persons(owner_client, organizer, other_organizer):
    person = PersonFactory(organizer=organizer)
    response = owner_client.post("/api/zoho/push", {"person_ids": [str(person.pk)]}, format="json")
    assert response.status_code == 400 and "zoho" in response.json()
    organizer.zoho_client_id, organizer.zoho_client_secret, organizer.zoho_refresh_token = "cid", "s", "r"
    organizer.save()
    foreign = PersonFactory(organizer=other_organizer)
    refused = owner_client.post("/api/zoho/push", {"person_ids": [str(foreign.pk)]}, format="json")
    assert refused.status_code == 400 and "person_ids" in refused.json()


@responses.activate
def test_new_credentials_are_saved_only_when_zoho_accepts_them(owner_client, zoho):
    responses.post(TOKEN, status=400, json={"error": "invalid_code"})
    refused = owner_client.patch("/api/organizer/settings", {"zoho_refresh_token": "wrong"}, format="json")
    assert refused.status_code == 400 and "zoho_refresh_token" in refused.json()
    zoho.refresh_from_db()
    assert zoho.zoho_refresh_token == "refresh"  # the working credentials stay
    responses.replace(responses.POST, TOKEN, json={"access_token": "t", "expires_in": 3600})
    assert (
        owner_client.patch("/api/organizer/settings", {"zoho_refresh_token": "right"}, format="json").status_code == 200
    )
