"""Resolve benchmark: a 100,000-member list snapshotted into campaign recipients by the real resolve,
next to a per-row ORM baseline measured in the same run.

    .venv/bin/python bench/resolve.py [--members 100000] [--baseline 5000]

Target: the 100,000-member list resolved in under 3 s.
"""
import argparse

from _setup import measured, report, setup_django, truncate

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
            campaign=campaign, email=person.email.lower(),
            defaults={"organizer": campaign.organizer, "person": person,
                      "name": f"{person.first_name} {person.last_name}",
                      "meta": {"company": affiliation.company_name if affiliation else None}})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    from campaigns.resolve import resolve_campaign

    truncate("organizers")
    results = {}
    campaign = build("Bench real", args.members)
    with measured("resolve (set-at-a-time)", args.members, results):
        stats = resolve_campaign(campaign)
    print("stats:", stats)
    naive = build("Bench naive", args.baseline)
    with measured("per-row ORM baseline", args.baseline, results), transaction.atomic():
        naive_resolve(naive)
    report(f"Resolve of a {args.members:,}-member list", results, "resolve (set-at-a-time)", "per-row ORM baseline")
    seconds = results["resolve (set-at-a-time)"]["seconds"]
    print(f"target: {args.members:,} members in under 3 s — {seconds:.2f} s, {'met' if seconds < 3 else 'NOT met'}")
    truncate("organizers")


if __name__ == "__main__":
    main()
