"""Step 027: its pre-checks (also `manage.py phase4_check`), its refusal, and its reversal."""

import io
import uuid
from contextlib import redirect_stderr
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from campaigns.tests.factories import CampaignEventFactory, CampaignFactory, CampaignRecipientFactory
from legacy.phase4 import Phase4NotReady, run_prechecks
from legacy.tests.factories import ListMemberFactory, ProspectFactory
from legacy.tests.sql import columns, sql
from persons.tests.factories import PersonFactory


def phase4_check():
    """(exit status, output) of `manage.py phase4_check`."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        try:
            call_command("phase4_check", stdout=out, stderr=err)
        except SystemExit as exit_:
            return exit_.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def failing(name):
    return next(result.failing for result in run_prechecks(connection) if result.name == name)


def test_phase4_check_passes_on_a_clean_database(db):
    ListMemberFactory()
    status, output = phase4_check()
    assert status == 0
    assert output.count("[PASS]") == 4


def test_sent_recipients_need_their_events(organizer):
    CampaignRecipientFactory(campaign__organizer=organizer, status="pending")
    CampaignRecipientFactory(campaign__organizer=organizer, status="failed")
    sent = CampaignRecipientFactory(campaign__organizer=organizer, status="delivered")
    assert failing("sent_recipients_have_events") == 1

    status, output = phase4_check()
    assert status == 1
    assert "manage.py backfill_campaign_events" in output

    CampaignEventFactory(recipient=sent)
    assert failing("sent_recipients_have_events") == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_027_refuses_while_a_member_has_no_person_then_runs_and_reverses(organizer, request):
    member = ListMemberFactory(list__organizer=organizer)
    ProspectFactory(organizer=organizer, created_at=timezone.now() - timedelta(days=30))
    request.getfixturevalue("before_027")

    # the original shape is back: prospects, prospect_id columns with their data, an empty email_logs
    assert {"prospect_id", "person_id"} <= columns("list_members")
    assert "prospect_id" in columns("campaign_recipients") and "prospect_id" in columns("verification_queue")
    assert sql("SELECT count(*) FROM prospects") == [(1,)]
    assert sql("SELECT count(*) FROM email_logs") == [(0,)]
    assert sql("SELECT person_id FROM list_members WHERE id = %s", [member.pk]) == [(member.person_id,)]

    prospect_id = uuid.uuid4()
    sql(
        "INSERT INTO prospects (id, organizer_id, email, created_at)"
        " VALUES (%s, %s, 'old@legacy.test', now() - interval '30 days')",
        [prospect_id, organizer.pk],
    )
    sql(
        "INSERT INTO list_members (id, organizer_id, list_id, prospect_id, created_at) VALUES (%s, %s, %s, %s, now())",
        [uuid.uuid4(), organizer.pk, member.list_id, prospect_id],
    )
    status, output = phase4_check()
    assert status == 1
    assert "1 row(s) failing" in output and "backfill_list_member_person_ids" in output
    with pytest.raises(Phase4NotReady, match="list_members_have_person"):
        call_command("migrate", verbosity=0)
    assert "prospects" in connection.introspection.table_names()  # nothing was archived

    sql("DELETE FROM list_members WHERE id = %s", [member.pk])  # one member per (list, person)
    sql("UPDATE list_members SET person_id = %s WHERE prospect_id = %s", [member.person_id, prospect_id])
    call_command("migrate", verbosity=0)

    assert "prospects_archive" in connection.introspection.table_names()
    assert "email_logs" not in connection.introspection.table_names()
    assert "prospect_id_legacy" in columns("list_members")
    assert sql("SELECT prospect_id_legacy FROM list_members") == [(prospect_id,)]
    assert sql("SELECT count(*) FROM prospects_archive") == [(2,)]


@pytest.mark.slow
def test_027_refuses_while_recent_prospects_exist(organizer, before_027):
    sql(
        "INSERT INTO prospects (id, organizer_id, email) VALUES (%s, %s, 'new@legacy.test')",
        [uuid.uuid4(), organizer.pk],
    )
    assert failing("no_recent_prospects") == 1
    with pytest.raises(Phase4NotReady, match="no_recent_prospects"):
        call_command("migrate", verbosity=0)
    sql("UPDATE prospects SET created_at = now() - interval '15 days'")
    call_command("migrate", verbosity=0)
    assert failing("no_recent_prospects") == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_events_get_their_person_before_028_makes_them_immutable(organizer, request):
    PersonFactory(organizer=organizer, email="ann@client.test")
    campaign = CampaignFactory(organizer=organizer)
    for email in ("ANN@client.test", "nobody@client.test"):  # as the original wrote them: without a person
        CampaignEventFactory(recipient=None, campaign=campaign, organizer=organizer, email=email)
    request.getfixturevalue("before_027")

    assert failing("events_have_person") == 1  # nobody@ has no person: nothing could link it
    status, output = phase4_check()
    assert status == 1 and "manage.py backfill_event_person_ids" in output
    out = io.StringIO()
    call_command("backfill_event_person_ids", "--batch-size", "1", stdout=out)
    assert '"events_processed": 2' in out.getvalue() and '"linked": 1' in out.getvalue()
    assert sql("SELECT lower(e.email) FROM campaign_events e JOIN persons p ON p.id = e.person_id") == [
        ("ann@client.test",)
    ]
    assert failing("events_have_person") == 0

    call_command("migrate", verbosity=0)  # 027, then 028: events are immutable
    with pytest.raises(CommandError, match="immutable"):
        call_command("backfill_event_person_ids", stdout=io.StringIO())
