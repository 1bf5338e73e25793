"""Admin pages at a million persons: queries and load time of every list, search and row page, for
platform staff and for an organizer's own staff user.

    .venv/bin/python bench/admin_pages.py [--persons 1000000] [--rebuild] [--repeat 3]

The data (built once, kept for the next run unless --rebuild): a big organizer with `--persons` persons,
one affiliation each, a list of 100,000 of them, a campaign sent to 100,000 recipients with 300,000
events, a mining job with 50,000 results and 2,000 log lines, 10,000 intents; a small organizer beside
it. Each page is loaded once to warm up, then `--repeat` times; the median is printed. In the same run:
what the stock admin would add (a full COUNT(*) of each big list, a substring person search), the plan
of the indexed person search, and what the admin's four search indexes cost the write path (the
aggregation's upsert of 50,000 new contacts with and without them).
"""

import argparse
import logging
import statistics
import time

from _setup import setup_django

BIG, SMALL = "bench-admin-big", "bench-admin-small"

PERSONS = """
INSERT INTO persons (id, organizer_id, email, first_name, last_name, verification_status, verified_at,
                     created_at, updated_at)
SELECT gen_random_uuid(), %(organizer)s, 'p' || n || '@exhibitor' || (n %% 20000) || '.test',
       (ARRAY['Anna','Ben','Elif','José','Nora','Maria','Jan','Sophie'])[1 + n %% 8] || (n %% 997),
       (ARRAY['Müller','Yılmaz','García','Rossi','Novák','Martin'])[1 + n %% 6] || (n %% 991),
       (ARRAY['valid','unknown','catchall','risky','invalid'])[1 + n %% 5], now(),
       now() - (n || ' seconds')::interval, now()
FROM generate_series(1, %(count)s) AS n
"""
AFFILIATIONS = """
INSERT INTO affiliations (id, organizer_id, person_id, company_name, position, country_code, created_at)
SELECT gen_random_uuid(), organizer_id, id, 'Exhibitor ' || (abs(hashtext(email)) %% 50000), 'Sales Manager',
       (ARRAY['DE','FR','IT','CZ','ES','GB'])[1 + abs(hashtext(email)) %% 6], created_at
FROM persons WHERE organizer_id = %(organizer)s
"""
MEMBERS = """
INSERT INTO list_members (id, organizer_id, list_id, person_id, created_at)
SELECT gen_random_uuid(), %(organizer)s, %(list)s, id, now()
FROM persons WHERE organizer_id = %(organizer)s ORDER BY id LIMIT %(count)s
"""
RECIPIENTS = """
INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, name, status, person_id, created_at,
                                 sent_at, open_count, click_count)
SELECT gen_random_uuid(), %(organizer)s, %(campaign)s, p.email, p.first_name,
       (ARRAY['delivered','delivered','opened','clicked','bounced'])[1 + row_number() OVER () %% 5],
       p.id, now(), now(), 0, 0
FROM persons p JOIN list_members m ON m.person_id = p.id WHERE m.list_id = %(list)s
"""
EVENTS = """
INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, person_id, event_type, email,
                             provider_event_id, occurred_at, created_at)
SELECT gen_random_uuid(), r.organizer_id, r.campaign_id, r.id, r.person_id, t.kind, r.email,
       'bench-' || r.id || '-' || t.kind, now() - interval '1 day' + t.step * interval '5 minutes', now()
FROM campaign_recipients r
CROSS JOIN (VALUES ('sent', 0), ('delivered', 1), ('open', 2)) AS t(kind, step)
WHERE r.campaign_id = %(campaign)s
"""
RESULTS = """
INSERT INTO mining_results (id, job_id, organizer_id, source_url, company_name, contact_name, country, emails,
                            status, created_at, updated_at)
SELECT gen_random_uuid(), %(job)s, %(organizer)s, 'https://fair.test/exhibitors?page=' || (n / 50),
       'Exhibitor ' || n, 'Contact ' || n, 'DE', ARRAY['c' || n || '@exhibitor.test'], 'new', now(), now()
FROM generate_series(1, %(count)s) AS n
"""
LOGS = """
INSERT INTO mining_job_logs (id, job_id, timestamp, level, message, created_at)
SELECT gen_random_uuid(), %(job)s, now() - (n || ' seconds')::interval, 'info', 'Page ' || n || ' read', now()
FROM generate_series(1, %(count)s) AS n
"""
INTENTS = """
INSERT INTO prospect_intents (id, organizer_id, person_id, campaign_id, intent_type, source, occurred_at,
                              created_at)
SELECT gen_random_uuid(), organizer_id, person_id, campaign_id, 'reply', 'webhook', now(), now()
FROM campaign_recipients WHERE campaign_id = %(campaign)s LIMIT %(count)s
"""


def built(persons):
    from persons.models import Person

    return Person.objects.filter(organizer__slug=BIG).count() == persons


def build(persons):
    """The data set, in set-at-a-time SQL (a few minutes for a million persons)."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from _setup import truncate
    from campaigns.models import Campaign, EmailTemplate, SenderIdentity
    from legacy.models import List
    from liffy.models import Organizer, User
    from mining.models import MiningJob

    truncate("organizers", "users")
    big = Organizer.objects.create(name="Big Fairs", slug=BIG)
    small = Organizer.objects.create(name="Small Fairs", slug=SMALL)
    User.objects.create_superuser("bench-admin@liffy.test", "bench-password")
    support = User.objects.create_user("bench-support@big.test", "bench-password", organizer=big, is_staff=True)
    support.groups.add(Group.objects.get(name="Support (read-only)"))
    steps = []

    def run(label, sql, **params):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        steps.append(f"{label} {time.perf_counter() - started:.0f} s")
        print(f"  built {label}", flush=True)

    run("persons", PERSONS, organizer=big.pk, count=persons)
    run("small organizer's persons", PERSONS, organizer=small.pk, count=1000)
    run("affiliations", AFFILIATIONS, organizer=big.pk)
    fair_list = List.objects.create(organizer=big, name="Spring fair", type="manual")
    run("list members", MEMBERS, organizer=big.pk, list=fair_list.pk, count=min(100_000, persons))
    template = EmailTemplate.objects.create(organizer=big, name="Invite", subject="Hello", body_html="<p>Hi</p>")
    sender = SenderIdentity.objects.create(organizer=big, from_name="Events", from_email="events@big.test")
    campaign = Campaign.objects.create(
        organizer=big,
        name="Spring fair invitation",
        template=template,
        sender=sender,
        list=fair_list,
        status="completed",
    )
    run("recipients", RECIPIENTS, organizer=big.pk, campaign=campaign.pk, list=fair_list.pk)
    run("events", EVENTS, campaign=campaign.pk)
    run("intents", INTENTS, campaign=campaign.pk, count=10_000)
    job = MiningJob.objects.create(
        organizer=big, type="url", input="https://fair.test/exhibitors", status="completed", total_found=50_000
    )
    run("mining results", RESULTS, job=job.pk, organizer=big.pk, count=50_000)
    run("job logs", LOGS, job=job.pk, count=2_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print("  " + ", ".join(steps))


def pages():
    """(title, url) of every page measured: each list, a search on the big ones, each row's page."""
    from django.contrib import admin
    from django.urls import reverse

    from persons.models import Person

    sample = Person.objects.filter(organizer__slug=BIG).order_by("-created_at").first()
    searches = {
        "persons.Person": "p12345",
        "persons.Affiliation": "Exhibitor 4711",
        "campaigns.CampaignRecipient": sample.email,
        "campaigns.CampaignEvent": sample.email,
        "legacy.ListMember": sample.email,
        "mining.MiningResult": "Exhibitor 4711",
    }
    rows = {"persons.Person": sample}
    result = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        label, opts = model._meta.label, model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        result.append((f"{label} list", changelist))
        if label in searches:
            result.append((f"{label} search", f"{changelist}?q={searches[label]}"))
        obj = rows.get(label) or first_row(model_admin)
        if obj is not None:
            result.append((f"{label} page", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])))
    return result


def first_row(model_admin):
    """The big organizer's busiest row of a model for its page: the big campaign, list, job…"""
    from django.db.models import Count

    from liffy.admin_base import organizer_lookup
    from liffy.models import Organizer

    model = model_admin.model
    queryset = model._default_manager.all()
    lookup = organizer_lookup(model)
    if lookup:
        queryset = queryset.filter(**{lookup: Organizer.objects.get(slug=BIG).pk})
    label = model._meta.label
    busiest = {"campaigns.Campaign": "recipients", "legacy.List": "members", "mining.MiningJob": "results"}
    if label in busiest:
        return queryset.annotate(n=Count(busiest[label])).order_by("-n").first()
    return queryset.order_by().first()


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if client.get(url).status_code == 403:  # warm-up; organizer staff may not open every page
        return None
    times, counts = [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        counts.add(len(captured))
    return max(counts), statistics.median(times)


def stock_admin_costs():
    """What Django's stock admin would add at this size: full counts and a substring search."""
    from django.db import connection

    costs = {}
    for label, sql in (
        ("COUNT(*) persons", "SELECT count(*) FROM persons"),
        ("COUNT(*) affiliations", "SELECT count(*) FROM affiliations"),
        ("COUNT(*) campaign_events", "SELECT count(*) FROM campaign_events"),
        (
            "icontains person search",
            "SELECT id FROM persons WHERE upper(email::text) LIKE '%%P12345%%'"
            " OR upper(first_name::text) LIKE '%%P12345%%' OR upper(last_name::text) LIKE '%%P12345%%'"
            " ORDER BY created_at DESC LIMIT 100",
        ),
    ):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            started = time.perf_counter()
            cursor.execute(sql)
            costs[label] = time.perf_counter() - started
    return costs


SEARCH_INDEXES = (
    "persons_email_prefix_idx",
    "persons_first_name_prefix_idx",
    "persons_last_name_prefix_idx",
    "affiliation_company_prefix_idx",
)


def search_index_write_cost(count=50_000):
    """What the admin's search indexes cost the write path: the same upsert of `count` new contacts (the
    aggregation's) with and without them, each in a transaction rolled back afterwards."""
    from django.db import connection, transaction

    from aggregation import make_candidates
    from liffy.models import Organizer
    from persons.bulk import upsert_candidates

    organizer = Organizer.objects.get(slug=SMALL)
    candidates = make_candidates(count, seed=7)
    timings = []
    for drop in (False, True, False, True):
        with transaction.atomic():
            if drop:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX {', '.join(SEARCH_INDEXES)}")
            started = time.perf_counter()
            upsert_candidates(organizer.pk, candidates, source_type="mining")
            timings.append((drop, time.perf_counter() - started))
            transaction.set_rollback(True)
    with_indexes = min(seconds for drop, seconds in timings if not drop)
    without = min(seconds for drop, seconds in timings if drop)
    return count, with_indexes, without


def explain_person_search():
    from django.contrib import admin
    from django.db import connection
    from django.test import RequestFactory

    from liffy.models import User
    from persons.models import Person

    request = RequestFactory().get("/admin/persons/person/")
    request.user = User.objects.get(email="bench-admin@liffy.test")
    model_admin = admin.site._registry[Person]
    queryset, _ = model_admin.get_search_results(request, Person.objects.all(), "p12345")
    sql, params = queryset.order_by(*model_admin.get_ordering(request), "-pk")[:100].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the pages organizer staff may not open
    from django.test import Client

    from liffy.models import User

    if args.rebuild or not built(args.persons):
        print(f"Building the data set ({args.persons:,} persons)…", flush=True)
        build(args.persons)
    viewers = {}
    for email in ("bench-admin@liffy.test", "bench-support@big.test"):
        viewers[email] = Client()
        viewers[email].force_login(User.objects.get(email=email))

    print(f"\nAdmin pages at {args.persons:,} persons (median of {args.repeat}; queries per page)")
    print(f"{'page':<44}{'platform staff':>22}{'organizer staff':>22}")
    for title, url in pages():
        cells = []
        for client in viewers.values():
            measured = measure(client, url, args.repeat)
            cells.append(f"{measured[0]:>3} q {measured[1] * 1000:>8.0f} ms" if measured else "not allowed")
        print(f"{title:<44}{cells[0]:>22}{cells[1]:>22}", flush=True)
    print("\nWhat the stock admin would add, measured in the same run:")
    for label, seconds in stock_admin_costs().items():
        print(f"  {label:<40}{seconds * 1000:>8.0f} ms")
    print("\nPlan of the person search 'p12345' (the admin's own query, first page):")
    print(explain_person_search())
    count, with_indexes, without = search_index_write_cost()
    print(
        f"\nUpsert of {count:,} new contacts: {count / with_indexes:,.0f}/s with the four search indexes "
        f"(persons, affiliations), {count / without:,.0f}/s without them ({with_indexes / without:.2f}x the time)"
    )


if __name__ == "__main__":
    main()
