"""Pagination of the lists: cursors (keyset) at any depth, page numbers, the capped count, and the
indexes that serve each big list's order."""

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.tests.factories import CampaignEventFactory, CampaignFactory, CampaignRecipientFactory
from legacy.tests.factories import ListFactory, ListMemberFactory
from liffy import pagination, sql
from mining.tests.factories import MiningJobFactory, MiningResultFactory
from persons.tests.factories import AffiliationFactory, PersonFactory


def persons(organizer, count, start=None, first=0):
    """`count` persons, one second apart, newest first as `p<first>@…`, `p<first + 1>@…`."""
    start = start or timezone.now()
    return [
        PersonFactory(organizer=organizer, email=f"p{n}@fair.test", created_at=start - timedelta(seconds=n - first))
        for n in range(first, first + count)
    ]


def cursor(link):
    return parse_qs(urlsplit(link).query)["cursor"][0]


def emails(body):
    return [row["email"] for row in body["results"]]


def walk(client, path, **params):
    """Every page by following `next` from page 1: the emails of each page."""
    pages, body = [], client.get(path, {**params}).json()
    while True:
        pages.append(emails(body))
        if not body["next"]:
            return pages
        body = client.get(path, {**params, "cursor": cursor(body["next"])}).json()


def test_next_carries_a_cursor_and_the_pages_cover_the_list_once_in_order(member_client, organizer):
    persons(organizer, 7)
    pages = walk(member_client, "/api/persons", page_size=3)
    assert pages == [
        ["p0@fair.test", "p1@fair.test", "p2@fair.test"],
        ["p3@fair.test", "p4@fair.test", "p5@fair.test"],
        ["p6@fair.test"],
    ]


def test_a_cursor_page_is_stable_when_rows_are_added_before_it(member_client, organizer):
    persons(organizer, 6)
    first = member_client.get("/api/persons", {"page_size": 2}).json()
    PersonFactory(organizer=organizer, email="newest@fair.test")  # lands on page 1, shifts page numbers
    PersonFactory(organizer=organizer, email="new2@fair.test")
    second = member_client.get("/api/persons", {"page_size": 2, "cursor": cursor(first["next"])}).json()
    assert emails(second) == ["p2@fair.test", "p3@fair.test"]
    assert emails(member_client.get("/api/persons", {"page_size": 2, "page": 2}).json()) == [
        "p0@fair.test",
        "p1@fair.test",
    ]  # what a page number gives instead


def test_previous_goes_back_to_the_page_before(member_client, organizer):
    persons(organizer, 5)
    first = member_client.get("/api/persons", {"page_size": 2}).json()
    assert first["previous"] is None
    second = member_client.get("/api/persons", {"page_size": 2, "cursor": cursor(first["next"])}).json()
    third = member_client.get("/api/persons", {"page_size": 2, "cursor": cursor(second["next"])}).json()
    back = member_client.get("/api/persons", {"page_size": 2, "cursor": cursor(third["previous"])}).json()
    assert emails(back) == emails(second) == ["p2@fair.test", "p3@fair.test"]
    start = member_client.get("/api/persons", {"page_size": 2, "cursor": cursor(back["previous"])}).json()
    assert emails(start) == ["p0@fair.test", "p1@fair.test"] and start["previous"] is None


def test_cursor_pages_hold_only_the_callers_rows(member_client, organizer, other_organizer):
    now = timezone.now()
    persons(organizer, 4, start=now)
    for n in range(4):  # interleaved in time with the caller's own
        PersonFactory(
            organizer=other_organizer, email=f"other{n}@x.test", created_at=now - timedelta(seconds=n, milliseconds=500)
        )
    pages = walk(member_client, "/api/persons", page_size=3)
    assert [email for page in pages for email in page] == [f"p{n}@fair.test" for n in range(4)]


def forged(values, backwards=0):
    return base64.urlsafe_b64encode(json.dumps({"k": values, "b": backwards}).encode()).decode()


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "!!!",
        forged(["2026-01-01T00:00:00+00:00"]),  # one key short
        forged(["2026-01-01T00:00:00", "0b0d6d6c-3f0e-4b8e-9a47-9d1a3ef1c2aa"]),  # naive date-time
        forged(["not a date", "0b0d6d6c-3f0e-4b8e-9a47-9d1a3ef1c2aa"]),
        forged(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
        forged(["2026-01-01T00:00:00+00:00", None]),
        forged(["2026-01-01T00:00:00+00:00", "0b0d6d6c-3f0e-4b8e-9a47-9d1a3ef1c2aa"], backwards=7),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
def test_a_bad_cursor_is_a_400_naming_it(member_client, organizer, value):
    response = member_client.get("/api/persons", {"cursor": value})
    assert response.status_code == 400 and "cursor" in response.json()


def test_a_cursor_with_another_ordering_is_a_400_naming_it(member_client, organizer):
    persons(organizer, 3)
    first = member_client.get("/api/persons", {"page_size": 1}).json()
    response = member_client.get("/api/persons", {"cursor": cursor(first["next"]), "ordering": "email"})
    assert response.status_code == 400 and "cursor" in response.json()


def test_with_ordering_the_links_carry_page_numbers(member_client, organizer):
    persons(organizer, 3)
    body = member_client.get("/api/persons", {"page_size": 2, "ordering": "email"}).json()
    assert "page=2" in body["next"] and "cursor" not in body["next"]
    assert emails(member_client.get(body["next"]).json()) == ["p2@fair.test"]


def test_page_numbers_still_work_and_a_page_past_the_end_is_a_404(member_client, organizer):
    persons(organizer, 5)
    assert emails(member_client.get("/api/persons", {"page_size": 2, "page": 3}).json()) == ["p4@fair.test"]
    assert member_client.get("/api/persons", {"page_size": 2, "page": 4}).status_code == 404
    assert member_client.get("/api/persons", {"page": "x"}).status_code == 404


def test_the_count_is_exact_up_to_the_limit_then_an_estimate(member_client, organizer, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
    persons(organizer, 3)
    body = member_client.get("/api/persons").json()
    assert (body["count"], body["count_exact"]) == (3, True)
    persons(organizer, 2, start=timezone.now() - timedelta(days=1), first=3)
    body = member_client.get("/api/persons", {"page_size": 2}).json()
    assert body["count_exact"] is False and body["count"] >= 4
    # past the exact count, a page is found by reading it: the last one answers, the next is a 404
    assert emails(member_client.get("/api/persons", {"page_size": 2, "page": 3}).json()) == ["p4@fair.test"]
    assert member_client.get("/api/persons", {"page_size": 2, "page": 4}).status_code == 404


def test_the_count_stops_at_the_limit(member_client, organizer, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
    persons(organizer, 5)
    with CaptureQueriesContext(connection) as captured:
        member_client.get("/api/persons")
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts)


def test_other_big_lists_take_cursors(member_client, organizer):
    campaign = CampaignFactory(organizer=organizer)
    now = timezone.now()
    recipients = [CampaignRecipientFactory(campaign=campaign, created_at=now + timedelta(seconds=n)) for n in range(3)]
    for n, recipient in enumerate(recipients):
        CampaignEventFactory(recipient=recipient, occurred_at=now - timedelta(minutes=n))
    job = MiningJobFactory(organizer=organizer)
    for n in range(3):
        MiningResultFactory(job=job, created_at=now - timedelta(seconds=n))
    target = ListFactory(organizer=organizer)
    for n, person in enumerate(persons(organizer, 3)):
        ListMemberFactory(list=target, person=person, created_at=now - timedelta(seconds=n))

    def ids(path):
        rows, body = [], member_client.get(path, {"page_size": 2}).json()
        while True:
            rows += [row["id"] for row in body["results"]]
            if not body["next"]:
                return rows
            assert "cursor=" in body["next"]
            body = member_client.get(path, {"page_size": 2, "cursor": cursor(body["next"])}).json()

    assert ids(f"/api/campaigns/{campaign.pk}/recipients") == [str(r.pk) for r in recipients]
    assert ids("/api/events") == [str(r.events.get().pk) for r in recipients]
    assert len(set(ids("/api/mining/results"))) == 3
    assert ids(f"/api/lists/{target.pk}/members") == [
        str(person_id) for person_id in target.members.order_by("-created_at").values_list("person_id", flat=True)
    ]


LIST_INDEXES = [
    ("/api/persons", "persons_org_recent_idx"),
    ("/api/events", "campaign_events_org_recent_idx"),
    ("/api/mining/results", "mining_results_org_recent_idx"),
    ("recipients", "campaign_recip_order_idx"),
    ("members", "list_members_list_order_idx"),
]


@pytest.mark.parametrize("path, index", LIST_INDEXES)
def test_each_big_list_reads_its_order_from_an_index(member_client, organizer, path, index):
    """The page query of each list, as the API runs it (page 1 and a cursor page): with sorting and
    sequential scans ruled out the plan still exists and uses the list's index, so the index matches
    the query's order and conditions (at a million rows `bench/api_reads.py` shows the planner choosing
    it on real statistics)."""
    campaign = CampaignFactory(organizer=organizer)
    CampaignEventFactory.create_batch(2, recipient=CampaignRecipientFactory(campaign=campaign))
    CampaignRecipientFactory(campaign=campaign)
    target = ListFactory(organizer=organizer)
    for person in persons(organizer, 3):
        ListMemberFactory(list=target, person=person)
    MiningResultFactory.create_batch(2, job=MiningJobFactory(organizer=organizer))
    path = {"recipients": f"/api/campaigns/{campaign.pk}/recipients", "members": f"/api/lists/{target.pk}/members"}.get(
        path, path
    )
    first = member_client.get(path, {"page_size": 1}).json()
    for params in ({"page_size": 1}, {"page_size": 1, "cursor": cursor(first["next"])}):
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(path, params).status_code == 200
        page_query = next(q["sql"] for q in captured if "ORDER BY" in q["sql"] and "LIMIT 2" in q["sql"])
        plan = plan_of(page_query)
        assert index in plan and "Sort" not in plan, plan


def plan_of(query):
    for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
        sql.execute(f"SET LOCAL {setting} = off")
    return "\n".join(row[0] for row in sql.fetch_all(f"EXPLAIN {query}"))


CROWD = [
    """
INSERT INTO persons (id, organizer_id, email, first_name, last_name, verification_status, created_at, updated_at)
SELECT gen_random_uuid(), %(organizer)s, 'p' || n || '@crowd.test', 'Bob' || n, 'Stone' || n, 'valid', now(), now()
FROM generate_series(1, 3000) AS n
""",
    """
INSERT INTO affiliations (id, organizer_id, person_id, company_name, created_at)
SELECT gen_random_uuid(), organizer_id, id, 'Globex ' || email, now() FROM persons WHERE organizer_id = %(organizer)s
""",
    """
INSERT INTO mining_results (id, job_id, organizer_id, source_url, contact_name, company_name, status, created_at,
                            updated_at)
SELECT gen_random_uuid(), %(job)s, %(organizer)s, 'https://crowd.test/' || n, 'Bob ' || n, 'Globex ' || n, 'new',
       now(), now()
FROM generate_series(1, 3000) AS n
""",
    "ANALYZE persons, affiliations, mining_results",
]


@pytest.mark.parametrize(
    "path, marker, indexes",
    [
        (
            "/api/persons",
            "UNION ALL",
            {"persons_email_prefix_idx", "persons_name_words_idx", "affiliations_company_words_idx"},
        ),
        ("/api/mining/results", "to_tsvector", {"mining_results_words_idx"}),
    ],
)
def test_the_searches_are_served_by_their_indexes(member_client, organizer, path, marker, indexes):
    """The search query as the API runs it, among 3,000 rows of the organizer with fresh statistics: the
    planner reads a rare term through the search indexes (it can only if their expressions are the
    query's), no setting forced."""
    job = MiningJobFactory(organizer=organizer)
    for statement in CROWD:
        sql.execute(statement, {"organizer": organizer.pk, "job": job.pk} if "%(" in statement else None)
    MiningResultFactory(job=job, contact_name="Ann Lee")
    AffiliationFactory(person=PersonFactory(organizer=organizer, first_name="Ann"), company_name="Annex")
    with CaptureQueriesContext(connection) as captured:
        assert member_client.get(path, {"search": "ann"}).json()["count"] == 1
    query = next(q["sql"] for q in captured if marker in q["sql"])
    plan = "\n".join(row[0] for row in sql.fetch_all(f"EXPLAIN {query}"))
    assert indexes <= set(plan.split()), plan
