"""Analytics from the event log, checked against numbers computed by hand; recipients and event log API."""

from datetime import UTC, datetime

import pytest

from campaigns.tests.factories import CampaignEventFactory, CampaignFactory, CampaignRecipientFactory

pytestmark = pytest.mark.django_db


def at(hour, minute=0):
    return datetime(2026, 1, 10, hour, minute, tzinfo=UTC)  # Berlin is UTC+1 in January


@pytest.fixture
def campaign(organizer):
    campaign = CampaignFactory(organizer=organizer, status="completed")
    people = {
        local: CampaignRecipientFactory(campaign=campaign, email=f"{local}")
        for local in ("a@x.test", "b@x.test", "c@y.test", "d@y.test", "e@z.test")
    }

    def event(local, kind, when, **extra):
        CampaignEventFactory(recipient=people[local], event_type=kind, occurred_at=when, **extra)

    for local in people:
        event(local, "sent", at(8))
    for local in ("a@x.test", "b@x.test", "c@y.test"):
        event(local, "delivered", at(8, 1))
    event("d@y.test", "bounce", at(8, 2), reason="550 5.1.1 user does not exist")
    event("e@z.test", "bounce", at(8, 2), reason="Mailbox temporarily full", provider_response={"type": "blocked"})
    event("a@x.test", "open", at(8, 30))
    event("a@x.test", "open", at(9, 10))
    event("b@x.test", "open", at(8, 45))
    event("a@x.test", "click", at(8, 31), url="https://fair.test/tickets")
    event("a@x.test", "click", at(9, 11), url="https://fair.test/tickets")
    event("b@x.test", "click", at(8, 46), url="https://fair.test/agenda")
    event("c@y.test", "spam_report", at(10))
    event("c@y.test", "unsubscribe", at(10))
    return campaign


def test_summary_rates_links_bounces_and_domains(member_client, campaign, other_organizer):
    CampaignEventFactory(recipient__campaign__organizer=other_organizer, event_type="open")
    report = member_client.get(f"/api/campaigns/{campaign.pk}/analytics").json()
    summary = report["summary"]
    assert summary["sent"] == 5 and summary["delivered"] == 3 and summary["bounced"] == 2
    assert summary["opens"] == {"unique": 2, "total": 3} and summary["clicks"] == {"unique": 2, "total": 3}
    assert summary["counts"]["open"] == 3 and summary["counts"]["reply"] == 0
    assert summary["rates"] == {
        "delivery_rate": 60.0,
        "open_rate": 40.0,
        "click_rate": 66.67,
        "click_to_open": 100.0,
        "bounce_rate": 40.0,
        "spam_rate": 20.0,
        "unsubscribe_rate": 20.0,
    }
    assert report["bounces"] == {"hard": 1, "soft": 1, "unknown": 0}
    assert report["top_links"] == [
        {"url": "https://fair.test/tickets", "clicks": 2, "unique_clickers": 1},
        {"url": "https://fair.test/agenda", "clicks": 1, "unique_clickers": 1},
    ]
    assert [
        (d["domain"], d["sent"], d["delivered"], d["opened"], d["clicked"], d["bounced"]) for d in report["domains"]
    ] == [("x.test", 2, 2, 2, 2, 0), ("y.test", 2, 1, 0, 0, 1), ("z.test", 1, 0, 0, 0, 1)]


def test_rates_are_zero_when_nothing_was_sent(member_client, organizer):
    empty = CampaignFactory(organizer=organizer)
    rates = member_client.get(f"/api/campaigns/{empty.pk}/analytics").json()["summary"]["rates"]
    assert set(rates.values()) == {0.0}


def test_timeline_buckets_in_the_organizer_time_zone(member_client, campaign):
    hourly = member_client.get(f"/api/campaigns/{campaign.pk}/analytics/timeline").json()
    assert hourly["timezone"] == "Europe/Berlin"
    buckets = {bucket["start"]: bucket for bucket in hourly["buckets"]}
    assert list(buckets) == ["2026-01-10T09:00:00+01:00", "2026-01-10T10:00:00+01:00", "2026-01-10T11:00:00+01:00"]
    first = buckets["2026-01-10T09:00:00+01:00"]
    assert (first["sent"], first["delivered"], first["bounce"], first["open"], first["click"]) == (5, 3, 2, 2, 2)
    assert (buckets["2026-01-10T10:00:00+01:00"]["open"], buckets["2026-01-10T11:00:00+01:00"]["spam_report"]) == (1, 1)
    daily = member_client.get(f"/api/campaigns/{campaign.pk}/analytics/timeline", {"interval": "day"}).json()
    assert [(b["start"], b["open"]) for b in daily["buckets"]] == [("2026-01-10T00:00:00+01:00", 3)]
    bad = member_client.get(f"/api/campaigns/{campaign.pk}/analytics/timeline", {"interval": "week"})
    assert bad.status_code == 400 and "interval" in bad.json()


def test_organizer_overview_totals_every_campaign(member_client, campaign, organizer):
    CampaignEventFactory(recipient__campaign=CampaignFactory(organizer=organizer, name="Second"), event_type="sent")
    overview = member_client.get("/api/analytics/overview").json()
    assert overview["totals"]["sent"] == 6 and overview["totals"]["opens"] == {"unique": 2, "total": 3}
    assert {(c["name"], c["sent"]) for c in overview["campaigns"]} == {(campaign.name, 5), ("Second", 1)}


def test_recipients_list_filters_by_status_and_paginates(member_client, campaign):
    campaign.recipients.filter(email__startswith="a").update(status="clicked")
    response = member_client.get(f"/api/campaigns/{campaign.pk}/recipients", {"page_size": 2})
    assert response.json()["count"] == 5 and len(response.json()["results"]) == 2
    clicked = member_client.get(f"/api/campaigns/{campaign.pk}/recipients", {"status": "clicked"}).json()
    assert [r["email"] for r in clicked["results"]] == ["a@x.test"]
    assert member_client.get(f"/api/campaigns/{campaign.pk}/recipients", {"status": "nope"}).status_code == 400


def test_event_log_filters(member_client, campaign):
    opens = member_client.get(
        "/api/events", {"campaign": str(campaign.pk), "event_type": ["open", "click"], "email": "A@X.TEST"}
    ).json()
    assert opens["count"] == 4 and {e["event_type"] for e in opens["results"]} == {"open", "click"}
    late = member_client.get("/api/events", {"occurred_after": "2026-01-10T09:05:00Z"}).json()
    assert late["count"] == 4
    assert member_client.get("/api/events", {"event_type": "nonsense"}).status_code == 400
