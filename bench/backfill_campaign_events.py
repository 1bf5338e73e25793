"""backfill_campaign_events benchmark: recipients' engagement columns turned into events by the real batch code,
half of them in campaigns whose events the original system already wrote (a `sent` event without provider id
and one open per message while open_count counts every open), next to a naive per-row ORM baseline and the
floor (exactly the rows the real path wrote, written again by staged binary COPY and one INSERT per batch),
all measured in the same run.

    .venv/bin/python bench/backfill_campaign_events.py [--recipients 200000] [--baseline 2000]

Goals: ≥ 20x the baseline per row, all cores ≤ 0.8x the single-process floor.
"""

import argparse
from collections import Counter

from _report import Floor, all_cores_run, measure, report
from _setup import peak_rss_mb, setup_django, truncate

RECIPIENTS = """
INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, status, sent_at, delivered_at, opened_at,
                                 clicked_at, bounced_at, open_count, click_count, last_error, person_id, created_at)
SELECT gen_random_uuid(), %(organizer)s, (%(campaigns)s::uuid[])[1 + n %% cardinality(%(campaigns)s::uuid[])],
       'contact' || n || '@client' || (n %% 500) || '.test', 'delivered',
       t, t + interval '1 minute',
       CASE WHEN n %% 3 <> 0 THEN t + interval '1 hour' END, CASE WHEN n %% 5 = 0 THEN t + interval '2 hours' END,
       CASE WHEN n %% 17 = 0 THEN t + interval '2 minutes' END,
       CASE WHEN n %% 3 <> 0 THEN 1 + n %% 4 ELSE 0 END, CASE WHEN n %% 5 = 0 THEN 1 + n %% 2 ELSE 0 END,
       CASE WHEN n %% 17 = 0 THEN '550 unknown' END, NULL, t
FROM generate_series(%(start)s, %(stop)s) AS n, LATERAL (SELECT timestamptz '2025-03-01 08:00+00' AS t) AS x
"""
# What the original system wrote itself for its campaigns sent after its step 018.
ORIGINAL_EVENTS = """
INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, event_type, email, provider_event_id,
                             occurred_at, created_at)
SELECT gen_random_uuid(), r.organizer_id, r.campaign_id, r.id, e.kind, r.email, e.pid, e.at, e.at
FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id AND c.name LIKE 'After 018%%',
     LATERAL (VALUES ('sent', NULL, r.sent_at), ('open', 'sg-' || r.id, r.opened_at)) AS e(kind, pid, at)
WHERE r.organizer_id = %(organizer)s AND e.at IS NOT NULL
"""


def generate(organizer, count):
    from campaigns.models import Campaign, EmailTemplate
    from django.db import connection

    template = EmailTemplate.objects.create(organizer=organizer, name="T", subject="S", body_html="B")
    campaigns = [
        Campaign.objects.create(organizer=organizer, template=template, name=f"{era} {n}", status="completed")
        for era in ("Before 018", "After 018")
        for n in range(10)
    ]
    with connection.cursor() as cursor:
        for chunk in range(0, count, 100_000):
            cursor.execute(
                RECIPIENTS,
                {
                    "organizer": organizer.pk,
                    "campaigns": [c.pk for c in campaigns],
                    "start": chunk,
                    "stop": min(chunk + 100_000, count) - 1,
                },
            )
        cursor.execute(ORIGINAL_EVENTS, {"organizer": organizer.pk})
        cursor.execute("ANALYZE campaign_recipients; ANALYZE campaign_events")


def naive_backfill(recipients):
    """Per recipient and type: count the events present, then insert the missing ones one by one."""
    from campaigns.models import CampaignEvent

    for r in recipients:
        facts = [
            ("sent", r.sent_at, 1),
            ("delivered", r.delivered_at, 1),
            ("open", r.opened_at, max(r.open_count, 1)),
            ("click", r.clicked_at, max(r.click_count, 1)),
            ("bounce", r.bounced_at, 1),
        ]
        for kind, at, copies in facts:
            if at is None:
                continue
            present = CampaignEvent.objects.filter(
                organizer_id=r.organizer_id, campaign_id=r.campaign_id, email__iexact=r.email, event_type=kind
            ).count()
            for n in range(present + 1, copies + 1):
                CampaignEvent.objects.create(
                    organizer_id=r.organizer_id,
                    campaign_id=r.campaign_id,
                    recipient=r,
                    person_id=r.person_id,
                    event_type=kind,
                    email=r.email,
                    reason=r.last_error if kind == "bounce" else None,
                    provider_event_id=f"naive_{r.pk}_{kind}_{n}",
                    occurred_at=at,
                )


WRITTEN = "organizer_id = %(organizer)s AND provider_event_id LIKE 'backfill%%'"


def reset(organizer_id):
    from liffy import sql

    sql.execute(
        "DELETE FROM campaign_events WHERE organizer_id = %(organizer)s"
        " AND (provider_event_id LIKE 'backfill%%' OR provider_event_id LIKE 'naive%%')",
        {"organizer": organizer_id},
    )
    sql.execute("VACUUM ANALYZE campaign_events")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=2_000)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    from campaigns.models import CampaignRecipient
    from liffy.backfills import run_batches
    from liffy.parallel import key_ranges
    from liffy.models import Organizer

    truncate("campaign_events", "campaign_recipients", "campaigns", "email_templates", "organizers")
    organizer, naive_organizer = Organizer.objects.create(name="Bench"), Organizer.objects.create(name="Naive")
    generate(organizer, args.recipients)
    generate(naive_organizer, args.baseline)
    print(f"generated {args.recipients:,} + {args.baseline:,} recipients; RSS so far {peak_rss_mb():.0f} MB")

    def run(workers=1):
        return dict(
            run_batches(
                "campaigns.backfill.backfill_batch",
                Counter(),
                batch_size=args.batch_size,
                options={"organizer_id": str(organizer.pk)},
                workers=workers,
                ranges=lambda parts: key_ranges("campaign_recipients", parts, "organizer_id = %s", [organizer.pk]),
            )
        )

    real = measure("backfill_campaign_events (1 process)", args.recipients, run, lambda: reset(organizer.pk))
    counts = real.result
    print("report:", counts)
    again = measure("second run, nothing to add (context)", args.recipients, run)
    assert again.result.get("events_created", 0) == 0, again.result
    floor = Floor({"campaign_events": WRITTEN})
    print("final rows:", floor.capture({"organizer": organizer.pk}))
    cores = all_cores_run("backfill_campaign_events, all cores", args.recipients, run, lambda: reset(organizer.pk))
    batches = -(-args.recipients // args.batch_size)
    least = measure(
        f"floor: staged COPY + 1 INSERT, {batches} batches",
        args.recipients,
        lambda: floor.write(batches),
        lambda: reset(organizer.pk),
    )

    def naive_run():
        with transaction.atomic():
            naive_backfill(CampaignRecipient.objects.filter(organizer=naive_organizer).iterator(chunk_size=1000))

    baseline = measure("per-row ORM baseline", args.baseline, naive_run, lambda: reset(naive_organizer.pk))
    report(
        f"backfill_campaign_events over {args.recipients:,} recipients ({counts['events_created']:,} events "
        f"written, {counts['already_present']:,} facts already recorded)",
        real,
        least,
        baseline,
        all_cores=cores,
        context=(again,),
    )


if __name__ == "__main__":
    main()
    truncate("campaign_events", "campaign_recipients", "campaigns", "email_templates", "organizers")
