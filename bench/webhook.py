"""Webhook benchmark: batches of 1,000 signed SendGrid events posted to the real endpoint (signature check,
parsing, recipient lookup, set-at-a-time writes), next to a per-event ORM baseline in the same run.

    .venv/bin/python bench/webhook.py [--batches 20] [--baseline 2000]

Target: at least 5,000 events/s including the signature checks.
"""
import argparse
import base64
import json
import time

from _setup import measured, report, setup_django, truncate

BATCH = 1000


def build(recipients):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.db import connection

    from campaigns.models import Campaign, EmailTemplate
    from liffy.models import Organizer

    private = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    organizer = Organizer.objects.create(name="Bench webhook", sendgrid_webhook_public_key=public)
    template = EmailTemplate.objects.create(organizer=organizer, name="T", subject="S", body_html="B")
    campaign = Campaign.objects.create(organizer=organizer, name="Bench", template=template, status="sending")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, status, sent_at, created_at,"
            " open_count, click_count) SELECT gen_random_uuid(), %s, %s, 'r' || n || '@client' || (n %% 500) || '.test',"
            " 'sent', now(), now(), 0, 0 FROM generate_series(1, %s) AS n", [organizer.pk, campaign.pk, recipients])
        # as resolve leaves them: recipients linked to their person (a few persons were created since)
        cursor.execute("INSERT INTO persons (id, organizer_id, email, created_at, updated_at)"
                       " SELECT gen_random_uuid(), organizer_id, email, now(), now() FROM campaign_recipients"
                       " WHERE campaign_id = %s", [campaign.pk])
        cursor.execute("UPDATE campaign_recipients r SET person_id = p.id FROM persons p"
                       " WHERE p.organizer_id = r.organizer_id AND p.email = r.email AND random() < 0.95")
        cursor.execute("ANALYZE campaign_recipients; ANALYZE persons")
        cursor.execute("SELECT id, email FROM campaign_recipients WHERE campaign_id = %s", [campaign.pk])
        rows = cursor.fetchall()
    return private, organizer, campaign, rows


def events_for(organizer, campaign, rows, count, start=0):
    kinds = ("delivered", "open", "open", "click", "delivered", "open", "bounce", "deferred")
    events = []
    for n in range(start, start + count):
        recipient_id, email = rows[n % len(rows)]
        kind = kinds[n % len(kinds)]
        event = {"event": kind, "email": email, "timestamp": 1_760_000_000 + n, "sg_event_id": f"bench-{n}",
                 "recipient_id": str(recipient_id), "campaign_id": str(campaign.pk), "organizer_id": str(organizer.pk),
                 "useragent": "Mozilla/5.0", "ip": "203.0.113.7"}
        if kind == "click":
            event["url"] = f"https://fair.test/page/{n % 7}"
        if kind == "bounce":
            event |= {"type": "bounce", "reason": "550 5.1.1 user unknown"}
        events.append(event)
    return events


def signed(private, events):
    """What SendGrid sends: the body and its signature headers (made before the clock starts)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    body = json.dumps(events).encode()
    timestamp = str(int(time.time()))
    signature = base64.b64encode(private.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    return body, signature, timestamp


def signed_post(client, request):
    body, signature, timestamp = request
    response = client.generic("POST", "/api/webhooks/sendgrid", body, content_type="application/json",
                              HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=signature,
                              HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP=timestamp)
    assert response.status_code == 200, response.content
    return response.json()


def at_once_pairs(requests):
    """Post the batches from two threads (SendGrid delivers concurrently), each with its own connection."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.test import Client

    def sender(share):
        try:
            client = Client()
            return [signed_post(client, request) for request in share]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(sender, [requests[0::2], requests[1::2]]))


def naive_ingest(organizer, events):
    """Per event: find the recipient, check for a duplicate, insert the event, update the recipient."""
    from campaigns.models import CampaignEvent, CampaignRecipient
    from persons.models import Person

    names = {"delivered": "delivered", "open": "open", "click": "click", "bounce": "bounce", "deferred": "deferred"}
    for event in events:
        recipient = CampaignRecipient.objects.filter(pk=event["recipient_id"], organizer=organizer).first()
        if recipient is None or CampaignEvent.objects.filter(
                campaign_id=recipient.campaign_id, provider_event_id=event["sg_event_id"]).exists():
            continue
        person = Person.objects.filter(organizer=organizer, email__iexact=recipient.email).first()
        CampaignEvent.objects.create(organizer=organizer, campaign_id=recipient.campaign_id, recipient=recipient,
                                     person=person, event_type=names[event["event"]], email=recipient.email,
                                     url=event.get("url"), provider_event_id=event["sg_event_id"])
        CampaignRecipient.objects.filter(pk=recipient.pk).update(status="delivered")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=2000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    truncate("organizers")
    private, organizer, campaign, rows = build(20_000)
    client = Client()
    requests = [signed(private, events_for(organizer, campaign, rows, BATCH, start=i * BATCH))
                for i in range(args.batches)]
    results, stored = {}, 0
    with measured("signed batches of 1,000", args.batches * BATCH, results):
        for request in requests:
            stored += signed_post(client, request)["stored"]
    assert stored == args.batches * BATCH, stored
    concurrent = [signed(private, events_for(organizer, campaign, rows, BATCH, start=(args.batches + i) * BATCH))
                  for i in range(args.batches)]
    with measured("2 senders at once", args.batches * BATCH, results):
        stored_at_once = sum(sum(batch["stored"] for batch in pair) for pair in at_once_pairs(concurrent))
    assert stored_at_once == args.batches * BATCH, stored_at_once
    with measured("redelivered (all duplicates)", BATCH * 5, results):
        for request in requests[:5]:
            assert signed_post(client, request)["stored"] == 0
    naive = events_for(organizer, campaign, rows, args.baseline, start=10_000_000)
    with measured("per-event ORM baseline", args.baseline, results):
        naive_ingest(organizer, naive)
    report("SendGrid webhook ingest", results, "signed batches of 1,000", "per-event ORM baseline")
    for label in ("signed batches of 1,000", "2 senders at once"):
        rate = results[label]["rows_per_s"]
        print(f"target: 5,000 events/s — {label}: {rate:,.0f} /s, {'met' if rate >= 5000 else 'NOT met'}")
    truncate("organizers")


if __name__ == "__main__":
    main()
