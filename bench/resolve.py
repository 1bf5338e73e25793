"""Resolve benchmark: a 100,000-member list snapshotted into campaign recipients by the real resolve, next to
a per-row ORM baseline and the floor (a plain binary COPY of exactly the recipient rows resolve wrote), all
measured in the same run.

    .venv/bin/python bench/resolve.py [--members 100000] [--baseline 5000]

Goals: resolve ≤ 1.15x the floor and ≥ 20x faster per row than the baseline. Resolve is one statement, so
"all cores" is the same run: there is nothing to split.
"""

import argparse

from _report import measure, report
from _setup import setup_django, truncate

GENERATE = """
WITH people AS (
    INSERT INTO persons (id, organizer_id, email, first_name, last_name, verification_status, created_at, updated_at)
    SELECT gen_random_uuid(), %(organizer)s, 'member' || n || '@exhibitor' || (n %% 9000) || '.test',
           (ARRAY['Anna','Ben','Elif','José','Nora'])[1 + n %% 5], (ARRAY['Müller','Yılmaz','García'])[1 + n %% 3],
           (ARRAY['valid','valid','unknown','catchall','risky','invalid','valid'])[1 + n %% 7], now(), now()
    FROM generate_series(1, %(count)s) AS n
    RETURNING id
), members AS (
    INSERT INTO list_members (id, organizer_id, list_id, person_id, created_at)
    SELECT gen_random_uuid(), %(organizer)s, %(list)s, id, now() FROM people
    RETURNING person_id
)
INSERT INTO affiliations (id, organizer_id, person_id, company_name, position, country_code, created_at)
SELECT gen_random_uuid(), %(organizer)s, person_id, 'Exhibitor ' || (abs(hashtext(person_id::text)) %% 9000),
       'Sales Manager', 'DE', now()
FROM members WHERE abs(hashtext(person_id::text)) %% 2 = 0
"""


def build(name, members):
    from django.db import connection

    from campaigns.models import Campaign, EmailTemplate, SenderIdentity
    from legacy.models import List
    from liffy.models import Organizer

    organizer = Organizer.objects.create(name=name)
    target = List.objects.create(organizer=organizer, name="Fair")
    with connection.cursor() as cursor:
        cursor.execute(GENERATE, {"organizer": organizer.pk, "list": target.pk, "count": members})
        cursor.execute("ANALYZE persons; ANALYZE list_members; ANALYZE affiliations")
    template = EmailTemplate.objects.create(organizer=organizer, name="T", subject="S", body_html="B")
    sender = SenderIdentity.objects.create(organizer=organizer, from_name="E", from_email="e@o.test")
    return Campaign.objects.create(organizer=organizer, name=name, template=template, list=target, sender=sender)


def naive_resolve(campaign):
    """One query per member: read the person, its affiliation and the unsubscribe list, insert a recipient."""
    from campaigns.models import CampaignRecipient, Unsubscribe
    from legacy.models import ListMember

    for membership in ListMember.objects.filter(list=campaign.list).select_related("person"):
        person = membership.person
        if person.verification_status == "invalid" or (person.verification_status == "risky"):
            continue
        if Unsubscribe.objects.filter(organizer=campaign.organizer, email__iexact=person.email).exists():
            continue
        affiliation = person.affiliations.order_by("-created_at").first()
        CampaignRecipient.objects.get_or_create(
            campaign=campaign,
            email=person.email.lower(),
            defaults={
                "organizer": campaign.organizer,
                "person": person,
                "name": f"{person.first_name} {person.last_name}",
                "meta": {"company": affiliation.company_name if affiliation else None},
            },
        )


def reset(campaign_id):
    """No recipients, a draft again, and no dead rows left behind in the table or its indexes."""
    from django.db import connection

    from campaigns.models import Campaign

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM campaign_recipients WHERE campaign_id = %s", [campaign_id])
        cursor.execute("VACUUM ANALYZE campaign_recipients")
    Campaign.objects.filter(pk=campaign_id).update(status="draft", recipient_count=0)


def written_rows(campaign_id):
    """The recipient rows of the campaign, in COPY's binary format."""
    from liffy import sql

    data = bytearray()
    with (
        sql.cursor() as cursor,
        cursor.copy(
            "COPY (SELECT * FROM campaign_recipients WHERE campaign_id = %s) TO STDOUT (FORMAT binary)", [campaign_id]
        ) as copy,
    ):
        for chunk in copy:
            data += chunk
    return bytes(data)


def copy_back(data):
    from django.db import transaction

    from liffy import sql

    with (
        transaction.atomic(),
        sql.cursor() as cursor,
        cursor.copy("COPY campaign_recipients FROM STDIN (FORMAT binary)") as copy,
    ):
        copy.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    from campaigns.models import Campaign, CampaignRecipient
    from campaigns.resolve import resolve_campaign

    truncate("organizers")
    campaign = build("Bench real", args.members)
    naive = build("Bench naive", args.baseline)
    real = measure(
        "resolve (one statement)",
        args.members,
        lambda: resolve_campaign(Campaign.objects.get(pk=campaign.pk)),
        lambda: reset(campaign.pk),
    )
    print("stats:", real.result)
    data = written_rows(campaign.pk)
    recipients = CampaignRecipient.objects.filter(campaign=campaign).count()
    floor = measure(
        "floor: plain COPY of the same rows", args.members, lambda: copy_back(data), lambda: reset(campaign.pk)
    )
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == recipients

    def naive_run():
        with transaction.atomic():
            naive_resolve(Campaign.objects.get(pk=naive.pk))

    baseline = measure("per-row ORM baseline", args.baseline, naive_run, lambda: reset(naive.pk))
    report(
        f"Resolve of a {args.members:,}-member list into {recipients:,} recipients",
        real,
        floor,
        baseline,
        floor_goal=1.15,
    )
    truncate("organizers")


if __name__ == "__main__":
    main()
