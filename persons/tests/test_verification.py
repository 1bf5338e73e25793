"""ZeroBounce verification: single checks, the queue and its worker, failures, two workers at once."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import responses
from django.utils import timezone

from legacy.tests.factories import ListFactory, ListMemberFactory
from liffy.testing import at_once
from persons import verification
from persons.models import Person, VerificationQueue
from persons.tests.factories import PersonFactory

VALIDATE = "https://api.zerobounce.net/v2/validate"
CREDITS = "https://api.zerobounce.net/v2/getcredits"


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.ZEROBOUNCE_BACKOFF_SECONDS = 0


@pytest.fixture
def keyed(organizer):
    type(organizer).objects.filter(pk=organizer.pk).update(zerobounce_api_key="zb-key")
    organizer.refresh_from_db()
    return organizer


def verdicts(request):
    """A fake ZeroBounce: the verdict is the address's local part (valid@…, catch-all@…, spamtrap@…)."""
    email = dict(p.split("=", 1) for p in request.url.split("?", 1)[1].split("&"))["email"].replace("%40", "@")
    local = email.split("@")[0]
    status = local if local in ("valid", "invalid", "catch-all", "spamtrap", "abuse", "do_not_mail") else "unknown"
    return 200, {}, f'{{"address": "{email}", "status": "{status}", "sub_status": ""}}'


@responses.activate
@pytest.mark.django_db
def test_verify_single_maps_the_verdict_onto_the_person(member_client, keyed):
    responses.add_callback(responses.GET, VALIDATE, callback=verdicts)
    person = PersonFactory(organizer=keyed, email="catch-all@acme.de")
    body = member_client.post("/api/verification/verify-single", {"email": "Catch-All@acme.de"}, format="json").json()
    assert body["status"] == "catchall"
    person.refresh_from_db()
    assert person.verification_status == "catchall" and person.verified_at
    assert "api_key=zb-key" in responses.calls[0].request.url


@pytest.mark.django_db
def test_no_key_is_a_clear_400(member_client):
    response = member_client.post("/api/verification/verify-single", {"email": "a@acme.de"}, format="json")
    assert response.status_code == 400 and "ZeroBounce API key" in str(response.json())


@responses.activate
@pytest.mark.django_db
def test_an_error_answered_with_200_is_never_a_verdict(member_client, keyed):
    responses.get(VALIDATE, json={"error": "Invalid API key or your account ran out of credits"})
    person = PersonFactory(organizer=keyed, email="x@acme.de")
    response = member_client.post("/api/verification/verify-single", {"email": "x@acme.de"}, format="json")
    assert response.status_code == 400 and "zerobounce_api_key" in response.json()
    person.refresh_from_db()
    assert person.verification_status == "unknown" and person.verified_at is None
    keyed.refresh_from_db()
    assert keyed.zerobounce_key_rejected_at is not None


@responses.activate
@pytest.mark.django_db
def test_verify_list_queues_once_skipping_settled_persons_and_the_worker_drains_it(member_client, keyed):
    responses.add_callback(responses.GET, VALIDATE, callback=verdicts)
    target = ListFactory(organizer=keyed)
    for email in ("valid@a.de", "spamtrap@b.de", "whoever@c.de"):
        ListMemberFactory(list=target, person__email=email)
    PersonFactory(organizer=keyed, email="settled@d.de", verification_status="invalid")
    response = member_client.post(
        "/api/verification/verify-list", {"list_id": str(target.pk), "emails": ["settled@d.de"]}, format="json"
    )
    assert response.status_code == 202 and response.json()["queued"] == 3
    again = member_client.post("/api/verification/verify-list", {"list_id": str(target.pk)}, format="json")
    assert again.json()["queued"] == 0
    status = member_client.get("/api/verification/queue-status", {"list_id": str(target.pk)}).json()
    assert status["counts"]["pending"] == 3

    assert verification.verify_pending() == {"claimed": 3, "completed": 3, "returned": 0}
    assert dict(Person.objects.values_list("email", "verification_status")) == {
        "valid@a.de": "valid",
        "spamtrap@b.de": "invalid",
        "whoever@c.de": "unknown",
        "settled@d.de": "invalid",
    }
    assert set(VerificationQueue.objects.values_list("status", flat=True)) == {"completed"}
    assert len(responses.calls) == 3  # one credit per row, never more
    assert verification.verify_pending()["claimed"] == 0


@responses.activate
@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer, paused", [({"status": 401}, True), ({"status": 429}, False), ({"status": 503}, False)]
)
def test_refusals_and_outages_leave_rows_pending(keyed, answer, paused):
    responses.get(VALIDATE, **answer)
    verification.queue_for_verification(keyed.pk, ["a@acme.de"])
    assert verification.verify_pending()["returned"] == 1
    assert VerificationQueue.objects.get().status == "pending"
    keyed.refresh_from_db()
    assert (keyed.zerobounce_key_rejected_at is not None) == paused
    if paused:  # the organizer is skipped until a new key is saved
        assert verification.verify_pending()["claimed"] == 0


@pytest.mark.django_db
def test_stale_processing_rows_return_to_pending(keyed):
    verification.queue_for_verification(keyed.pk, ["a@acme.de"])
    verification.claim_batch(keyed.pk, 10)
    assert verification.return_stale_claims() == 0
    VerificationQueue.objects.update(processed_at=timezone.now() - timedelta(hours=1))
    assert verification.return_stale_claims() == 1 and VerificationQueue.objects.get().status == "pending"


@responses.activate
@pytest.mark.django_db
def test_an_outage_is_a_503_naming_it_and_changes_nothing(member_client, keyed):
    responses.get(VALIDATE, status=503)
    responses.get(CREDITS, status=429)
    person = PersonFactory(organizer=keyed, email="x@acme.de")
    single = member_client.post("/api/verification/verify-single", {"email": "x@acme.de"}, format="json")
    assert single.status_code == 503 and single.json() == {"detail": "ZeroBounce answered 503."}
    person.refresh_from_db()
    assert person.verification_status == "unknown"
    credits = member_client.get("/api/verification/credits")
    assert credits.status_code == 503 and credits.json() == {"detail": "ZeroBounce answered 429."}


@responses.activate
@pytest.mark.django_db
def test_credits(member_client, keyed):
    responses.get(CREDITS, json={"Credits": "2500"})
    assert member_client.get("/api/verification/credits").json() == {"credits": 2500}
    responses.replace(responses.GET, CREDITS, json={"Credits": "-1"})
    refused = member_client.get("/api/verification/credits")
    assert refused.status_code == 400 and "zerobounce_api_key" in refused.json()


@pytest.mark.django_db
def test_credits_without_a_key(member_client):
    assert member_client.get("/api/verification/credits").json()["credits"] is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_verify_the_same_row_twice(keyed):
    verification.queue_for_verification(keyed.pk, [f"valid{n}@acme.de" for n in range(60)])
    seen, lock = [], threading.Lock()

    def fake_validate(client, email):
        with lock:
            seen.append(email)
        return {"status": "valid"}

    with (
        mock.patch("persons.zerobounce.ZeroBounceClient.validate", fake_validate),
        mock.patch.object(verification.settings, "VERIFICATION_BATCH_SIZE", 7),
    ):

        def drain():
            organizer = type(keyed).objects.get(pk=keyed.pk)
            while verification.verify_batch(organizer)["claimed"]:
                pass

        at_once(drain, drain)
    assert len(seen) == 60 == len(set(seen))
    assert VerificationQueue.objects.filter(status="completed").count() == 60
