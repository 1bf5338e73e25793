"""The signed SendGrid webhook: signatures, validation, mapping, dedup, status, suppression and intents."""

import base64
import json
import time
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from campaigns.models import CampaignEvent, CampaignRecipient, Unsubscribe
from campaigns.tests.factories import CampaignFactory, CampaignRecipientFactory
from persons.models import ProspectIntent
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/sendgrid"


class Signer:
    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public = base64.b64encode(der).decode()

    def headers(self, body, timestamp=None):
        timestamp = str(int(timestamp or time.time()))
        signature = self.private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
            "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
        }


@pytest.fixture
def signer(organizer):
    signer = Signer()
    type(organizer).objects.filter(pk=organizer.pk).update(sendgrid_webhook_public_key=signer.public)
    return signer


@pytest.fixture
def recipient(organizer):
    """Sent, with no person linked yet."""
    campaign = CampaignFactory(organizer=organizer, status="sending")
    return CampaignRecipientFactory(campaign=campaign, email="Jane@Client.test", status="sent", sent_at=timezone.now())


def event(recipient, kind, n=0, **extra):
    return {
        "event": kind,
        "email": recipient.email,
        "timestamp": 1_760_000_000 + n,
        "sg_event_id": f"{kind}-{recipient.pk}-{n}",
        "recipient_id": str(recipient.pk),
        "campaign_id": str(recipient.campaign_id),
        "organizer_id": str(recipient.organizer_id),
        **extra,
    }


def post(api_client, signer, events, **overrides):
    body = overrides.pop("body", None) or json.dumps(events).encode()
    headers = signer.headers(body, overrides.pop("timestamp", None)) | overrides
    return api_client.generic("POST", URL, body, content_type="application/json", **headers)


# --- signature ----------------------------------------------------------------------------------------


def test_a_validly_signed_batch_is_stored(api_client, signer, recipient):
    response = post(api_client, signer, [event(recipient, "delivered")])
    assert response.status_code == 200 and response.json()["stored"] == 1
    assert CampaignEvent.objects.get().event_type == "delivered"


@pytest.mark.parametrize("problem", ["wrong key", "tampered", "stale", "no headers", "garbage signature"])
def test_bad_signatures_get_403_and_store_nothing(api_client, signer, recipient, problem):
    body = json.dumps([event(recipient, "delivered")]).encode()
    headers = signer.headers(body)
    if problem == "wrong key":
        headers = Signer().headers(body)
    elif problem == "tampered":
        body = body.replace(b"delivered", b"open\x20\x20\x20\x20\x20")
    elif problem == "stale":
        headers = signer.headers(body, time.time() - 3600)
    elif problem == "no headers":
        headers = {}
    else:
        headers["HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE"] = "not base64!"
    response = api_client.generic("POST", URL, body, content_type="application/json", **headers)
    assert response.status_code == 403 and "Signature" in response.json()["detail"]
    assert not CampaignEvent.objects.exists()


def test_the_shared_key_from_settings_verifies_too(api_client, recipient, settings):
    shared = Signer()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = shared.public
    assert post(api_client, shared, [event(recipient, "open")]).json()["stored"] == 1


@pytest.mark.parametrize("body", [b"not json", b'{"event": "open"}', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_array_is_a_400(api_client, signer, body):
    response = post(api_client, signer, None, body=body)
    assert response.status_code == 400 and not CampaignEvent.objects.exists()


# --- mapping and validation ----------------------------------------------------------------------------


def test_every_sendgrid_event_type(api_client, signer, recipient, organizer):
    others = [
        CampaignRecipientFactory(campaign=recipient.campaign, email=f"r{i}@client.test", status="sent")
        for i in range(4)
    ]
    PersonFactory(organizer=organizer, email="jane@client.test")
    batch = [
        event(recipient, "processed"),
        event(recipient, "delivered", 1),
        event(recipient, "deferred", 2, response="421 try later"),
        event(recipient, "open", 3, useragent="Mail/1.0", ip="10.0.0.1"),
        event(recipient, "click", 4, url="https://fair.test/tickets"),
        event(recipient, "click", 5, url="https://fair.test/agenda"),
        event(others[0], "bounce", 6, type="bounce", reason="550 5.1.1 user unknown"),
        event(others[1], "bounce", 7, type="blocked", reason="temporarily deferred"),
        event(others[2], "dropped", 8, reason="Bounced Address"),
        event(others[3], "spamreport", 9),
        event(recipient, "unsubscribe", 10),
        event(recipient, "group_unsubscribe", 11, asm_group_id=1),
        event(recipient, "group_resubscribe", 12),
        event(recipient, "something_new", 13),
    ]
    report = post(api_client, signer, batch).json()
    assert report == {
        "received": 14,
        "stored": 11,
        "duplicates": 0,
        "ignored": 3,
        "unknown_recipient": 0,
        "rejected": [],
    }
    stored = sorted(CampaignEvent.objects.values_list("event_type", flat=True))
    assert stored == sorted(
        [
            "delivered",
            "deferred",
            "open",
            "click",
            "click",
            "bounce",
            "bounce",
            "dropped",
            "spam_report",
            "unsubscribe",
            "unsubscribe",
        ]
    )
    click = CampaignEvent.objects.filter(event_type="click").order_by("occurred_at").first()
    assert click.url == "https://fair.test/tickets" and click.person.email == "jane@client.test"
    assert CampaignEvent.objects.get(event_type="deferred").reason == "421 try later"
    statuses = dict(CampaignRecipient.objects.values_list("email", "status"))
    assert statuses == {
        "Jane@Client.test": "clicked",
        "r0@client.test": "bounced",
        "r1@client.test": "bounced",
        "r2@client.test": "dropped",
        "r3@client.test": "sent",
    }
    errors = dict(CampaignRecipient.objects.values_list("email", "last_error"))
    assert errors["r0@client.test"] == "550 5.1.1 user unknown" and errors["r3@client.test"] == "spam report"
    suppressed = dict(Unsubscribe.objects.values_list("email", "source"))
    assert suppressed == {
        "r0@client.test": "hard_bounce",
        "r3@client.test": "spam_report",
        "jane@client.test": "sendgrid_unsubscribe",
    }
    intent = ProspectIntent.objects.get()
    assert (intent.intent_type, intent.source, intent.campaign_id) == (
        "click_through",
        "webhook",
        recipient.campaign_id,
    )
    jane = CampaignRecipient.objects.get(pk=recipient.pk)
    assert jane.person.email == "jane@client.test"  # filled when missing
    assert (jane.open_count, jane.click_count, jane.opened_at, jane.clicked_at) == (0, 0, None, None)


def test_bad_events_are_reported_and_the_rest_stored(api_client, signer, recipient):
    batch = [
        event(recipient, "open"),
        "not an object",
        {"email": "x@y.test", "timestamp": 1},
        event(recipient, "open", 1, email=None),
        event(recipient, "open", 2, timestamp="yesterday"),
        event(recipient, "open", 3, recipient_id="not-a-uuid"),
        event(recipient, "click", 4),
    ]
    report = post(api_client, signer, batch).json()
    assert report["stored"] == 2
    assert [(r["index"], r["error"]) for r in report["rejected"]] == [
        (1, "an event must be a JSON object"),
        (2, "event is missing"),
        (3, "email is missing or not an address"),
        (4, "timestamp must be a unix time"),
        (5, "recipient_id is not a UUID"),
    ]


def test_the_same_batch_twice_stores_nothing_new_while_repeated_opens_all_count(api_client, signer, recipient):
    batch = [event(recipient, "open", n) for n in range(3)] + [event(recipient, "click", 9, url="https://a.test")]
    assert post(api_client, signer, batch).json()["stored"] == 4
    again = post(api_client, signer, batch).json()
    assert (again["stored"], again["duplicates"]) == (0, 4)
    assert CampaignEvent.objects.filter(event_type="open").count() == 3
    assert ProspectIntent.objects.count() == 0  # no person known: no intent


def test_events_without_sg_event_id_are_still_deduplicated(api_client, signer, recipient):
    batch = [{k: v for k, v in event(recipient, "open").items() if k != "sg_event_id"}]
    post(api_client, signer, batch)
    post(api_client, signer, batch)
    assert CampaignEvent.objects.count() == 1


def test_out_of_order_events_leave_the_right_status(api_client, signer, recipient):
    post(api_client, signer, [event(recipient, "open", 5)])
    post(api_client, signer, [event(recipient, "delivered", 1)])
    assert CampaignRecipient.objects.get(pk=recipient.pk).status == "opened"
    post(api_client, signer, [event(recipient, "bounce", 6, reason="550 gone")])
    post(api_client, signer, [event(recipient, "click", 7, url="https://a.test")])
    row = CampaignRecipient.objects.get(pk=recipient.pk)
    assert (row.status, row.last_error) == ("bounced", "550 gone")


def test_events_of_another_organizers_recipient_are_never_stored(api_client, signer, recipient, other_organizer):
    foreign = CampaignRecipientFactory(campaign=CampaignFactory(organizer=other_organizer), email="x@other.test")
    claims_ours = event(foreign, "open") | {"organizer_id": str(recipient.organizer_id)}
    wrong_campaign = event(recipient, "open", 1) | {"campaign_id": str(foreign.campaign_id)}
    report = post(api_client, signer, [event(foreign, "open"), claims_ours, wrong_campaign]).json()
    assert (report["stored"], report["unknown_recipient"]) == (0, 3)
    assert not CampaignEvent.objects.exists()


def test_without_a_recipient_id_the_latest_sent_recipient_of_the_address_is_used(api_client, signer, recipient):
    older = CampaignRecipientFactory(
        campaign=CampaignFactory(organizer=recipient.organizer),
        email="jane@client.test",
        status="sent",
        sent_at=timezone.now() - timedelta(days=3),
    )
    loose = {"event": "open", "email": "JANE@client.test", "timestamp": 1_760_000_000, "sg_event_id": "loose"}
    assert post(api_client, signer, [loose]).json()["stored"] == 1  # organizer from the signing key
    assert CampaignEvent.objects.get().recipient_id == recipient.pk != older.pk


def test_replies_become_events_and_intents(api_client, signer, recipient, organizer):
    PersonFactory(organizer=organizer, email="jane@client.test")
    post(api_client, signer, [event(recipient, "reply")])
    assert CampaignEvent.objects.get().event_type == "reply"
    assert ProspectIntent.objects.get().intent_type == "reply"


def test_a_batch_of_ten_thousand_events(api_client, signer, recipient):
    batch = [event(recipient, "open", n) for n in range(10_000)]
    report = post(api_client, signer, batch).json()
    assert report["stored"] == 10_000 and CampaignEvent.objects.count() == 10_000


def test_an_organizer_webhook_key_is_checked_before_saving(owner_client):
    bad = owner_client.patch("/api/organizer/settings", {"sendgrid_webhook_public_key": "bm90IGEga2V5"})
    assert bad.status_code == 400 and "sendgrid_webhook_public_key" in bad.json()
    good = owner_client.patch("/api/organizer/settings", {"sendgrid_webhook_public_key": Signer().public})
    assert good.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_delivered_at_once_neither_deadlock_nor_duplicate(organizer):
    from campaigns.webhook import ingest
    from liffy.testing import at_once

    campaign = CampaignFactory(organizer=organizer, status="sending")
    recipients = [CampaignRecipientFactory(campaign=campaign, status="sent") for _ in range(60)]
    batch = [event(r, kind, n) for n, r in enumerate(recipients) for kind in ("delivered", "open")]
    reports = at_once(lambda: ingest(batch, organizer.pk), lambda: ingest(list(reversed(batch)), organizer.pk))
    assert sum(report["stored"] for report in reports) == 120
    assert CampaignEvent.objects.count() == 120
    assert set(CampaignRecipient.objects.values_list("status", flat=True)) == {"opened"}
