"""List API reads at a million rows: p50/p95 of the typical requests next to the bare SQL they run.

    .venv/bin/python bench/api_reads.py [--persons 1000000] [--rebuild] [--repeat 30]

The data lives in its own database, `liffy_bench_reads` on the embedded server (or BENCH_DATABASE_URL),
built once and kept for the next run unless --rebuild or the size changes; the server's configuration
is never touched. One organizer with `--persons` persons (one affiliation each), a list of a fifth of
them, a campaign sent to that list with three events per recipient, a mining job with a fifth as many
results; a small organizer beside it.

Each request goes through Django's full stack (URL routing, middleware, DRF, serializers; the test
client with a forced login, so no token lookup) once to warm up, then `--repeat` times. Its SQL
statements, captured from that request, are then run under EXPLAIN ANALYZE `--repeat` / 3 times:
"bare" is the median of their summed execution times, the database's own floor for the same rows.
The last column is p95 / bare; a plan reading one of the big tables sequentially is printed and fails
the run. `GET /api/me` is timed first, for the cost of the stack itself (routing, middleware, DRF).
"""

import argparse
import json
import statistics
import sys
import time
from urllib.parse import parse_qs, urlsplit

from _setup import setup_django

BIG, SMALL = "bench-reads-big", "bench-reads-small"
BIG_TABLES = {"persons", "affiliations", "campaign_recipients", "campaign_events", "mining_results", "list_members"}

PERSONS = """
INSERT INTO persons (id, organizer_id, email, first_name, last_name, verification_status, created_at, updated_at)
SELECT gen_random_uuid(), %(organizer)s, 'p' || n || '@exhibitor' || (n %% 20000) || '.test',
       (ARRAY['Anna','Ben','Elif','José','Nora','Maria','Jan','Sophie'])[1 + n %% 8] || (n %% 997),
       (ARRAY['Müller','Yılmaz','García','Rossi','Novák','Martin'])[1 + n %% 6] || (n %% 991),
       (ARRAY['valid','unknown','catchall','risky','invalid'])[1 + n %% 5],
       now() - (n || ' seconds')::interval, now()
FROM generate_series(1, %(count)s) AS n
"""
AFFILIATIONS = """
INSERT INTO affiliations (id, organizer_id, person_id, company_name, position, country_code, created_at)
SELECT gen_random_uuid(), organizer_id, id,
       (ARRAY['Alpha','Nordic','Baltic','Euro','Global','Prime','Apex','Vertex'])[1 + h %% 8] || ' '
       || (ARRAY['Fairs','Expo','Events','Messe','Trade','Media'])[1 + (h / 8) %% 6] || ' C' || (h %% 50000),
       'Sales Manager', (ARRAY['DE','FR','IT','CZ','ES','GB'])[1 + (h / 48) %% 6], created_at
FROM (SELECT *, abs(hashtext(email)) AS h FROM persons WHERE organizer_id = %(organizer)s) AS p
"""
MEMBERS = """
INSERT INTO list_members (id, organizer_id, list_id, person_id, created_at)
SELECT gen_random_uuid(), %(organizer)s, %(list)s, id, now() - (row_number() OVER () || ' seconds')::interval
FROM persons WHERE organizer_id = %(organizer)s ORDER BY id LIMIT %(count)s
"""
RECIPIENTS = """
INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, name, status, person_id, created_at,
                                 sent_at, open_count, click_count)
SELECT gen_random_uuid(), %(organizer)s, %(campaign)s, p.email, p.first_name,
       (ARRAY['delivered','delivered','opened','clicked','bounced'])[1 + row_number() OVER () %% 5],
       p.id, now() - (row_number() OVER () || ' seconds')::interval, now(), 0, 0
FROM persons p JOIN list_members m ON m.person_id = p.id WHERE m.list_id = %(list)s
"""
EVENTS = """
INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, person_id, event_type, email,
                             provider_event_id, occurred_at, created_at)
SELECT gen_random_uuid(), r.organizer_id, r.campaign_id, r.id, r.person_id, t.kind, r.email,
       'bench-' || r.id || '-' || t.kind, r.created_at + t.step * interval '5 minutes', now()
FROM campaign_recipients r
CROSS JOIN (VALUES ('sent', 0), ('delivered', 1), ('open', 2)) AS t(kind, step)
WHERE r.campaign_id = %(campaign)s
"""
RESULTS = """
INSERT INTO mining_results (id, job_id, organizer_id, source_url, company_name, contact_name, country, emails,
                            status, created_at, updated_at)
SELECT gen_random_uuid(), %(job)s, %(organizer)s, 'https://fair' || (n %% 100) || '.test/exhibitors?page=' || (n / 50),
       'Exhibitor ' || n, 'Contact ' || n, 'DE', ARRAY['c' || n || '@exhibitor.test'], 'new',
       now() - (n || ' seconds')::interval, now()
FROM generate_series(1, %(count)s) AS n
"""


def built(persons):
    from persons.models import Person

    return Person.objects.filter(organizer__slug=BIG).count() == persons


def build(persons):
    """The data set, in set-at-a-time SQL."""
    from campaigns.models import Campaign, EmailTemplate, SenderIdentity
    from legacy.models import List
    from liffy import sql
    from liffy.models import Organizer
    from mining.models import MiningJob

    sql.execute("TRUNCATE organizers, users CASCADE")
    big = Organizer.objects.create(name="Big Fairs", slug=BIG)
    small = Organizer.objects.create(name="Small Fairs", slug=SMALL)

    def run(label, statement, **params):
        started = time.perf_counter()
        sql.execute(statement, params)
        print(f"  built {label} in {time.perf_counter() - started:.0f} s", flush=True)

    run("persons", PERSONS, organizer=big.pk, count=persons)
    run("small organizer's persons", PERSONS, organizer=small.pk, count=1000)
    run("affiliations", AFFILIATIONS, organizer=big.pk)
    fair_list = List.objects.create(organizer=big, name="Spring fair", type="manual")
    run("list members", MEMBERS, organizer=big.pk, list=fair_list.pk, count=persons // 5)
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
    job = MiningJob.objects.create(
        organizer=big, type="url", input="https://fair.test/exhibitors", status="completed", total_found=persons // 5
    )
    run("mining results", RESULTS, job=job.pk, organizer=big.pk, count=persons // 5)
    sql.execute("VACUUM ANALYZE")


def client_for_big_organizer():
    from rest_framework.test import APIClient

    from liffy.models import Organizer, Role, User

    big = Organizer.objects.get(slug=BIG)
    user = User.objects.filter(organizer=big).first() or User.objects.create_user(
        "bench-reads@big.test", "bench-password", organizer=big, role=Role.OWNER
    )
    client = APIClient()
    client.force_authenticate(user)
    return client


def cursor_of(response):
    """The `cursor` of a response's `next` link."""
    return parse_qs(urlsplit(response.json()["next"]).query)["cursor"][0]


def requests(client, persons):
    """(label, path, params) of every request measured."""
    from campaigns.models import Campaign
    from legacy.models import List

    campaign = Campaign.objects.get(organizer__slug=BIG)
    fair_list = List.objects.get(organizer__slug=BIG)
    last_page = persons // 50

    def deep_cursor(path, rows):
        return cursor_of(client.get(path, {"page": max(1, rows // 50 - 1)}))

    members, recipients = f"/api/lists/{fair_list.pk}/members", f"/api/campaigns/{campaign.pk}/recipients"
    return [
        ("persons, page 1", "/api/persons", {}),
        (f"persons, ?page={last_page}", "/api/persons", {"page": last_page}),
        ("persons, deep cursor", "/api/persons", {"cursor": deep_cursor("/api/persons", persons)}),
        ("persons, search email prefix", "/api/persons", {"search": "p12345"}),
        ("persons, search name word", "/api/persons", {"search": "nora12"}),
        ("persons, search company words", "/api/persons", {"search": "apex c4711"}),
        ("persons, search common word", "/api/persons", {"search": "nordic"}),
        ("persons, valid + country DE", "/api/persons", {"verification_status": "valid", "country": "DE"}),
        ("events, page 1", "/api/events", {}),
        ("events, deep cursor", "/api/events", {"cursor": deep_cursor("/api/events", persons // 5 * 3)}),
        ("recipients, page 1", recipients, {}),
        ("recipients, deep cursor", recipients, {"cursor": deep_cursor(recipients, persons // 5)}),
        ("list members, page 1", members, {}),
        ("list members, deep cursor", members, {"cursor": deep_cursor(members, persons // 5)}),
        ("mining results, page 1", "/api/mining/results", {}),
        ("mining results, search", "/api/mining/results", {"search": "exhibitor 4711"}),
    ]


def statements(client, path, params):
    """The SQL statements one request runs (bound, ready to EXPLAIN)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return [query["sql"] for query in captured if query["sql"].lstrip("( ").upper().startswith("SELECT")]


def sequential_scans(plan):
    """Big tables a plan reads sequentially."""
    found = set()
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found |= sequential_scans(child)
    return found


def bare(sqls, repeat):
    """Median over `repeat` runs of the summed EXPLAIN ANALYZE execution time (ms), and any sequential scan."""
    from liffy import sql

    totals, scans = [], set()
    for _ in range(repeat):
        total = 0.0
        for statement in sqls:
            result = sql.fetch_value(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}")
            result = (json.loads(result) if isinstance(result, str) else result)[0]
            total += result["Execution Time"]
            scans |= sequential_scans(result["Plan"])
        totals.append(total)
    return statistics.median(totals), scans


def percentile(times, share):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, path, params, repeat):
    client.get(path, params)  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, params, response.status_code, response.content[:300])
    return percentile(times, 0.5), percentile(times, 0.95)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    setup_django("liffy_bench_reads")
    if args.rebuild or not built(args.persons):
        print(f"building {args.persons:,} persons…", flush=True)
        build(args.persons)
    client = client_for_big_organizer()
    print(f"\nList API reads, {args.persons:,} persons for one organizer; {args.repeat} requests each")
    p50, p95 = measure(client, "/api/me", {}, args.repeat)
    print(f"the stack alone, GET /api/me (one small row): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"{'request':<34}{'p50 ms':>9}{'p95 ms':>9}{'bare ms':>9}{'stmts':>7}{'p50/bare':>10}{'p95/bare':>10}")
    failures = []
    for label, path, params in requests(client, args.persons):
        p50, p95 = measure(client, path, params, args.repeat)
        sqls = statements(client, path, params)
        floor, scans = bare(sqls, max(3, args.repeat // 3))
        print(
            f"{label:<34}{p50:>9.1f}{p95:>9.1f}{floor:>9.1f}{len(sqls):>7}{p50 / floor:>9.1f}x{p95 / floor:>9.1f}x",
            flush=True,
        )
        if scans:
            failures.append(f"{label}: sequential scan of {', '.join(sorted(scans))}")
    print("\n".join(failures) if failures else "no plan reads a big table sequentially")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
