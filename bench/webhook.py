"""Webhook benchmark: batches of 1,000 signed SendGrid events posted to the real endpoint (signature check,
parsing, recipient lookup, set-at-a-time writes), next to a per-event ORM baseline and the floor (the same
events, suppressions and intents inserted and recipients updated again by staged binary COPY and one
statement per table and batch), all measured in the same run. Two senders posting at once, and a batch
delivered again (all duplicates), are shown for context.

    .venv/bin/python bench/webhook.py [--batches 20] [--baseline 1000]

Goals: ≤ 1.3x the floor and ≥ 20x the baseline per event.
"""

import argparse
import base64
import json
import time

from _report import Floor, measure, report
from _setup import setup_django, truncate

BATCH = 1000


def build(recipients):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.db import connection

    from campaigns.models import Campaign, EmailTemplate
    from liffy.models import Organizer

    private = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(
        private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ).decode()
    organizer = Organizer.objects.create(name="Bench webhook", sendgrid_webhook_public_key=public)
    template = EmailTemplate.objects.create(organizer=organizer, name="T", subject="S", body_html="B")
    campaign = Campaign.objects.create(organizer=organizer, name="Bench", template=template, status="sending")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, status, sent_at, created_at,"
            " open_count, click_count) SELECT gen_random_uuid(), %s, %s,"
            " 'r' || n || '@client' || (n %% 500) || '.test',"
            " 'sent', now(), now(), 0, 0 FROM generate_series(1, %s) AS n",
            [organizer.pk, campaign.pk, recipients],
        )
        # as resolve leaves them: recipients linked to their person (a few persons were created since)
        cursor.execute(
            "INSERT INTO persons (id, organizer_id, email, created_at, updated_at)"
            " SELECT gen_random_uuid(), organizer_id, email, now(), now() FROM campaign_recipients"
            " WHERE campaign_id = %s",
            [campaign.pk],
        )
        cursor.execute(
            "UPDATE campaign_recipients r SET person_id = p.id FROM persons p"
            " WHERE p.organizer_id = r.organizer_id AND p.email = r.email AND random() < 0.95"
        )
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
        event = {
            "event": kind,
            "email": email,
            "timestamp": 1_760_000_000 + n,
            "sg_event_id": f"bench-{n}",
            "recipient_id": str(recipient_id),
            "campaign_id": str(campaign.pk),
            "organizer_id": str(organizer.pk),
            "useragent": "Mozilla/5.0",
            "ip": "203.0.113.7",
        }
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
    response = client.generic(
        "POST",
        "/api/webhooks/sendgrid",
        body,
        content_type="application/json",
        secure=True,
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE=signature,
        HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP=timestamp,
    )
    assert response.status_code == 200, (response.status_code, response.content)
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
        if (
            recipient is None
            or CampaignEvent.objects.filter(
                campaign_id=recipient.campaign_id, provider_event_id=event["sg_event_id"]
            ).exists()
        ):
            continue
        person = Person.objects.filter(organizer=organizer, email__iexact=recipient.email).first()
        CampaignEvent.objects.create(
            organizer=organizer,
            campaign_id=recipient.campaign_id,
            recipient=recipient,
            person=person,
            event_type=names[event["event"]],
            email=recipient.email,
            url=event.get("url"),
            provider_event_id=event["sg_event_id"],
        )
        CampaignRecipient.objects.filter(pk=recipient.pk).update(status="delivered")


def reset(organizer_id):
    """The recipients as the send left them: sent, no events, nothing suppressed."""
    from liffy import sql

    for table in ("campaign_events", "unsubscribes", "prospect_intents"):
        sql.execute(f"DELETE FROM {table} WHERE organizer_id = %s", [organizer_id])
    sql.execute(
        "UPDATE campaign_recipients SET status = 'sent', last_error = NULL WHERE organizer_id = %s", [organizer_id]
    )
    sql.execute("VACUUM ANALYZE campaign_events, campaign_recipients")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=1000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    truncate("organizers")
    private, organizer, campaign, rows = build(20_000)
    events = args.batches * BATCH
    requests = [
        signed(private, events_for(organizer, campaign, rows, BATCH, start=i * BATCH)) for i in range(args.batches)
    ]

    def post_all():
        client = Client()
        return sum(signed_post(client, request)["stored"] for request in requests)

    real = measure("signed batches of 1,000", events, post_all, lambda: reset(organizer.pk))
    assert real.result == events, real.result
    condition = "organizer_id = %(organizer)s"
    floor = Floor(
        {"campaign_events": condition, "unsubscribes": condition, "prospect_intents": condition},
        updated={"campaign_recipients": (condition, ["status", "last_error", "person_id"])},
    )
    print("final rows:", floor.capture({"organizer": organizer.pk}))
    at_once = measure(
        "2 senders at once (context)",
        events,
        lambda: sum(sum(batch["stored"] for batch in pair) for pair in at_once_pairs(requests)),
        lambda: reset(organizer.pk),
    )
    again = measure(
        "delivered again, all duplicates (context)",
        events,
        lambda: sum(signed_post(Client(), request)["stored"] for request in requests),
    )
    assert again.result == 0, again.result
    least = measure(
        f"floor: staged COPY + 1 statement per table, {args.batches} batches",
        events,
        lambda: floor.write(args.batches),
        lambda: reset(organizer.pk),
    )
    naive = events_for(organizer, campaign, rows, args.baseline, start=10_000_000)
    baseline = measure(
        "per-event ORM baseline", args.baseline, lambda: naive_ingest(organizer, naive), lambda: reset(organizer.pk)
    )
    report("SendGrid webhook ingest", real, least, baseline, context=(at_once, again), floor_goal=1.3)
    truncate("organizers")


if __name__ == "__main__":
    main()
