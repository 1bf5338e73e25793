"""backfill_campaign_events: legacy engagement columns → events, idempotent, resumable, dry run."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from campaigns.analytics import campaign_summary
from campaigns.backfill import backfill_batch
from campaigns.models import CampaignEvent, EventType
from campaigns.tests.factories import CampaignEventFactory, CampaignFactory, CampaignRecipientFactory
from liffy.backfills import FIRST_ID
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
T = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def campaign(organizer):
    campaign = CampaignFactory(organizer=organizer, status="completed")
    person = PersonFactory(organizer=organizer, email="engaged@client.test")
    CampaignRecipientFactory(
        campaign=campaign,
        email="engaged@client.test",
        person=person,
        status="clicked",
        sent_at=T,
        delivered_at=T + timedelta(minutes=1),
        opened_at=T + timedelta(hours=1),
        open_count=3,
        clicked_at=T + timedelta(hours=2),
        click_count=1,
    )
    CampaignRecipientFactory(
        campaign=campaign,
        email="gone@client.test",
        status="bounced",
        sent_at=T,
        bounced_at=T + timedelta(minutes=2),
        last_error="550 no such user",
    )
    CampaignRecipientFactory(campaign=campaign, email="never@client.test", status="pending")
    return campaign


def run(*args):
    out = io.StringIO()
    call_command("backfill_campaign_events", *args, stdout=out)
    return json.loads(out.getvalue().split("\n}")[0] + "\n}")


def test_timestamps_and_counts_become_events(campaign):
    report = run()
    assert report == {
        "recipients_processed": 3,
        "events_created": 8,
        "already_present": 0,
        "errors": [],
        "dry_run": False,
    }
    opens = CampaignEvent.objects.filter(event_type="open").order_by("occurred_at")
    assert [e.occurred_at - opens[0].occurred_at for e in opens] == [
        timedelta(0),
        timedelta(seconds=1),
        timedelta(seconds=2),
    ]
    assert {e.provider_event_id.split("_", 2)[2] for e in opens} == {"open", "open_2", "open_3"}
    assert all(e.person is not None for e in opens)
    bounce = CampaignEvent.objects.get(event_type="bounce")
    assert (bounce.reason, bounce.email) == ("550 no such user", "gone@client.test")
    summary = campaign_summary(campaign)
    assert (
        summary["sent"],
        summary["delivered"],
        summary["opens"],
        summary["clicks"]["total"],
        summary["bounced"],
    ) == (2, 1, {"unique": 1, "total": 3}, 1, 1)


def test_a_second_run_creates_nothing(campaign):
    run()
    again = run("--batch-size", "1")
    assert (again["events_created"], again["already_present"]) == (0, 8)
    assert CampaignEvent.objects.count() == 8


def test_dry_run_reports_exactly_and_writes_nothing(campaign):
    assert run("--dry-run")["events_created"] == 8
    assert not CampaignEvent.objects.exists()


def test_a_run_killed_after_one_batch_is_finished_by_running_again(campaign):
    backfill_batch(FIRST_ID, 1)  # the first batch committed, then the process died
    partial = CampaignEvent.objects.count()
    report = run()
    assert report["events_created"] == 8 - partial and CampaignEvent.objects.count() == 8


def test_only_one_organizer(campaign, other_organizer):
    CampaignRecipientFactory(campaign__organizer=other_organizer, sent_at=T)
    assert run("--organizer", str(campaign.organizer_id))["events_created"] == 8
    assert not CampaignEvent.objects.filter(organizer=other_organizer).exists()
    with pytest.raises(CommandError, match="UUID"):
        run("--organizer", "acme")


def test_facts_the_original_already_recorded_are_not_added_again(organizer):
    """A campaign sent by the original after its step 018: a `sent` event without provider id, one webhook
    event per message (while open_count counts every open), a delivered event the webhook lost."""
    campaign = CampaignFactory(organizer=organizer, status="completed")
    person = PersonFactory(organizer=organizer, email="ann@client.test")
    ann = CampaignRecipientFactory(
        campaign=campaign,
        email="Ann@Client.test",
        person=person,
        status="clicked",
        sent_at=T,
        delivered_at=T,
        opened_at=T + timedelta(hours=1),
        open_count=4,
        clicked_at=T + timedelta(hours=2),
        click_count=2,
    )
    bob = CampaignRecipientFactory(
        campaign=campaign, email="bob@client.test", status="bounced", sent_at=T, bounced_at=T, last_error="550"
    )
    for recipient, kind, provider_id in (
        (ann, "sent", None),
        (ann, "open", "sg-1"),
        (ann, "click", "sg-1"),
        (bob, "sent", None),
    ):
        CampaignEventFactory(
            recipient=recipient,
            email=recipient.email.lower(),
            event_type=kind,
            provider_event_id=provider_id,
            occurred_at=T,
        )
    # the original's webhook matched bounces by address only
    CampaignEventFactory(
        recipient=None,
        campaign=campaign,
        organizer=organizer,
        email="BOB@client.test",
        event_type="bounce",
        provider_event_id="sg-2",
        occurred_at=T,
    )

    report = run()
    # ann: 1 delivered, 3 more opens, 1 more click; bob: nothing. 5 facts of 10 were recorded already.
    assert (report["events_created"], report["already_present"]) == (5, 5)
    counts = {kind: CampaignEvent.objects.filter(event_type=kind).count() for kind in EventType.values}
    assert {kind: n for kind, n in counts.items() if n} == {
        "sent": 2,
        "delivered": 1,
        "open": 4,
        "click": 2,
        "bounce": 1,
    }
    assert set(
        CampaignEvent.objects.filter(event_type="open", provider_event_id__startswith="backfill_").values_list(
            "provider_event_id", flat=True
        )
    ) == {f"backfill_{ann.pk}_open_{n}" for n in (2, 3, 4)}
    assert not CampaignEvent.objects.filter(provider_event_id__startswith="backfill_", person=None).exists()
    summary = campaign_summary(campaign)
    assert (summary["counts"]["sent"], summary["opens"], summary["clicks"]) == (
        2,
        {"unique": 1, "total": 4},
        {"unique": 1, "total": 2},
    )
    assert run()["events_created"] == 0


def test_the_demo_data_gets_no_second_sent_event(db):
    call_command("seed_demo", stdout=io.StringIO())
    sent = CampaignEvent.objects.filter(event_type="sent").count()
    assert sent and run()["events_created"] == 0
    assert CampaignEvent.objects.filter(event_type="sent").count() == sent
    twice = CampaignEvent.objects.filter(event_type="sent").values("recipient").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()
