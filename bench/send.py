"""Send benchmark: messages rendered and handed to a local fake SendGrid server per second, with 1 and 2
worker processes running the real send path, next to a per-row baseline measured in the same run.

    .venv/bin/python bench/send.py [--recipients 5000] [--baseline 500]

The organizer's rate limit is lifted for the run, so the numbers show the cost of the pipeline itself
(claim, unsubscribe re-check, render, compliance, HTTP, outcome write), not the configured pace. The
fake server answers after --latency-ms (default 20 ms), about what an API across the internet takes.
"""

import argparse
import multiprocessing

from _setup import measured, report, setup_django, truncate

TEMPLATE_HTML = (
    '<html><body><p>Dear {{first_name|"colleague"}},</p><p>{{company|"Your company"}} is invited to the '
    'Leipzig fair. Your stand in hall {{tag|"3"}} is waiting.</p>'
    '<p><a href="https://fair.test/tickets">Tickets</a></p></body></html>'
)


def build(name, recipients, server_url):
    from django.db import connection

    from campaigns.models import Campaign, EmailTemplate, SenderIdentity
    from campaigns.tests.fake_sendgrid import VALID_KEY
    from liffy.models import Organizer

    organizer = Organizer.objects.create(
        name=name,
        physical_address="Messe Allee 1\n04356 Leipzig",
        sendgrid_api_key=VALID_KEY,
        send_rate_per_second=1_000_000,
        send_batch_size=200,
    )
    template = EmailTemplate.objects.create(
        organizer=organizer,
        name="Invitation",
        subject="{{display_name}}, your stand",
        body_html=TEMPLATE_HTML,
        body_text="Dear {{first_name}}",
    )
    sender = SenderIdentity.objects.create(
        organizer=organizer, from_name="Fair", from_email="fair@o.test", is_default=True
    )
    campaign = Campaign.objects.create(
        organizer=organizer, name=name, template=template, sender=sender, status="sending", recipient_count=recipients
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, name, meta, status, created_at,"
            " open_count, click_count)"
            " SELECT gen_random_uuid(), %s, %s, 'contact' || n || '@exhibitor' || (n %% 900) || '.test',"
            " 'Anna Müller', jsonb_build_object('first_name', 'Anna', 'company', 'Exhibitor ' || n), 'pending',"
            " now(), 0, 0 FROM generate_series(1, %s) AS n",
            [organizer.pk, campaign.pk, recipients],
        )
        cursor.execute("ANALYZE campaign_recipients")
    return campaign


def worker(campaign_id, server_url):
    from django.conf import settings

    from campaigns.sending import send_campaign

    settings.SENDGRID_API_URL = server_url
    send_campaign(campaign_id, seconds=3600)


def run_workers(campaign_id, server_url, count):
    from django.db import connections

    connections.close_all()  # each process opens its own
    processes = [multiprocessing.Process(target=worker, args=(str(campaign_id), server_url)) for _ in range(count)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()


def naive_send(campaign, server_url):
    """Per recipient: lock and read the row, render, POST on a new connection, update the row, insert the event."""
    import requests
    from django.db import transaction

    from campaigns.messages import Recipient, compose
    from campaigns.models import CampaignEvent, CampaignRecipient
    from campaigns.sending import send_context

    context = send_context(campaign)
    while True:
        with transaction.atomic():
            row = (
                CampaignRecipient.objects.select_for_update(skip_locked=True)
                .filter(campaign=campaign, status="pending")
                .first()
            )
            if row is None:
                return
            row.status = "sending"
            row.save(update_fields=["status"])
        if row.email.endswith("@unsubscribed.test"):
            continue
        response = requests.post(
            f"{server_url}/v3/mail/send",
            json=compose(context, Recipient(str(row.pk), row.email, row.name, row.meta)),
            headers={"Authorization": "Bearer x"},
            timeout=15,
        )
        row.status = "sent"
        row.save(update_fields=["status"])
        CampaignEvent.objects.create(
            organizer=campaign.organizer,
            campaign=campaign,
            recipient=row,
            event_type="sent",
            email=row.email,
            provider_event_id=f"sent:{row.pk}",
            provider_response={"message_id": response.headers.get("X-Message-Id")},
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=5_000)
    parser.add_argument("--baseline", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=20, help="the fake server's answer time")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    from campaigns.models import CampaignRecipient
    from campaigns.tests.fake_sendgrid import FakeSendGrid

    server = FakeSendGrid(latency_seconds=args.latency_ms / 1000)
    settings.SENDGRID_API_URL = server.url
    truncate("organizers")
    results = {}
    for workers in (1, 2):
        campaign = build(f"Bench {workers} worker(s)", args.recipients, server.url)
        with measured(f"send, {workers} worker process(es)", args.recipients, results):
            run_workers(campaign.pk, server.url, workers)
        sent = CampaignRecipient.objects.filter(campaign=campaign, status="sent").count()
        assert sent == args.recipients, f"only {sent} of {args.recipients} sent"
    baseline = build("Bench naive", args.baseline, server.url)
    with measured("per-row baseline", args.baseline, results):
        naive_send(baseline, server.url)
    report(
        f"Messages rendered and handed to a local fake SendGrid answering in {args.latency_ms:g} ms",
        results,
        "send, 1 worker process(es)",
        "per-row baseline",
    )
    print(
        f"accepted by the fake server: {sum(server.accepted.values()):,}, "
        f"each recipient once: {set(server.accepted.values()) == {1}}"
    )
    server.close()
    truncate("organizers")


if __name__ == "__main__":
    main()
