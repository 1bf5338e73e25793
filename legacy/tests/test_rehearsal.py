"""Adopting a database of the original system, and the whole Phase 4 on it (the README's runbook):
adopt → 024 → backfill recipient person ids → 025 → backfill list member person ids →
backfill_campaign_events → 026 → phase4_check → 027; nothing lost; then 027 rolled back."""
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from campaigns.analytics import campaign_summary
from campaigns.models import Campaign
from legacy.adoption import OUR_APPS
from legacy.tests.sql import columns, sql

FIXTURE = Path(__file__).parent / "fixtures" / "original_schema_001_023.sql"
pytestmark = pytest.mark.slow

ORIGINAL_DATA = """
INSERT INTO organizers (id, name, sendgrid_api_key, created_at) VALUES
  ('00000000-0000-0000-0000-00000000000a', 'Acme Events', '', now()),
  ('00000000-0000-0000-0000-00000000000b', 'Globex Fairs', '', now());
INSERT INTO users (id, organizer_id, email, password_hash, role, is_active, created_at)
SELECT gen_random_uuid(), id, 'owner@' || lower(replace(name, ' ', '')) || '.test', 'x', 'owner', true, now()
FROM organizers;
-- prospects: 60 per organizer, the same addresses in both (tenancy must keep them apart)
INSERT INTO prospects (id, organizer_id, email, name, company, country, verification_status, created_at)
SELECT gen_random_uuid(), o.id, 'contact' || n || '@client' || (n % 7) || '.test',
       CASE WHEN n % 10 = 0 THEN NULL WHEN n % 3 = 0 THEN 'Mono' || n ELSE 'First' || n || ' Last' || n END,
       'Client ' || (n % 7), 'DE', (ARRAY['valid', 'unknown', 'invalid'])[1 + n % 3], now() - interval '40 days'
FROM organizers o, generate_series(1, 60) AS n;
-- a third of them already have a person (dual-written by the original system), with other names
INSERT INTO persons (id, organizer_id, email, first_name, verification_status, created_at, updated_at)
SELECT gen_random_uuid(), organizer_id, email, 'Kept', 'valid', now(), now() FROM prospects
WHERE substring(email from 'contact(\\d+)@')::int % 3 = 1;
INSERT INTO affiliations (id, organizer_id, person_id, company_name, source_type, created_at)
SELECT gen_random_uuid(), organizer_id, id, 'Client Co', 'import', now() FROM persons;
INSERT INTO lists (id, organizer_id, name, type, created_at)
SELECT gen_random_uuid(), id, 'Fair ' || n, 'import', now() FROM organizers, generate_series(1, 2) AS n;
-- list 1 holds every prospect, list 2 the even ones
INSERT INTO list_members (id, organizer_id, list_id, prospect_id, created_at)
SELECT gen_random_uuid(), l.organizer_id, l.id, p.id, now() FROM lists l JOIN prospects p ON p.organizer_id = l.organizer_id
WHERE l.name = 'Fair 1' OR substring(p.email from 'contact(\\d+)@')::int % 2 = 0;
INSERT INTO email_templates (id, organizer_id, name, subject, body_html, created_at)
SELECT gen_random_uuid(), id, 'Invitation', 'Hello', '<p>Hi</p>', now() FROM organizers;
INSERT INTO campaigns (id, organizer_id, template_id, name, status, list_id, include_risky, recipient_count,
                       verification_mode, created_at)
SELECT gen_random_uuid(), t.organizer_id, t.id, 'Spring', 'completed', l.id, false, 40, 'exclude_invalid', now()
FROM email_templates t JOIN lists l ON l.organizer_id = t.organizer_id AND l.name = 'Fair 1';
-- recipients with engagement kept in the historical columns
INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, name, status, sent_at, delivered_at, opened_at,
                                 clicked_at, bounced_at, open_count, click_count, last_error, prospect_id, created_at)
SELECT gen_random_uuid(), c.organizer_id, c.id, p.email, p.name,
       CASE WHEN n % 9 = 0 THEN 'bounced' WHEN n % 4 = 0 THEN 'clicked' WHEN n % 2 = 0 THEN 'opened' ELSE 'delivered' END,
       now() - interval '30 days',
       CASE WHEN n % 9 <> 0 THEN now() - interval '30 days' END,
       CASE WHEN n % 9 <> 0 AND n % 2 = 0 THEN now() - interval '29 days' END,
       CASE WHEN n % 9 <> 0 AND n % 4 = 0 THEN now() - interval '29 days' END,
       CASE WHEN n % 9 = 0 THEN now() - interval '30 days' END,
       CASE WHEN n % 9 <> 0 AND n % 2 = 0 THEN 1 + n % 3 ELSE 0 END,
       CASE WHEN n % 9 <> 0 AND n % 4 = 0 THEN 1 + n % 2 ELSE 0 END,
       CASE WHEN n % 9 = 0 THEN '550 user unknown' END, p.id, now()
FROM campaigns c JOIN prospects p ON p.organizer_id = c.organizer_id,
     LATERAL (SELECT substring(p.email from 'contact(\\d+)@')::int AS n) AS x
WHERE x.n <= 40;
INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, status, open_count, click_count, created_at)
SELECT gen_random_uuid(), organizer_id, id, 'never-sent@client.test', 'pending', 0, 0, now() FROM campaigns;
INSERT INTO unsubscribes (id, organizer_id, email, source, created_at)
SELECT gen_random_uuid(), id, 'gone@client.test', 'manual', now() FROM organizers;
INSERT INTO mining_jobs (id, organizer_id, type, input, status, total_found, total_prospects_created,
                         total_emails_raw, progress, manual_required, created_at)
SELECT gen_random_uuid(), id, 'url', 'https://fair.test', 'completed', 1, 0, 1, 100, false, now() FROM organizers;
INSERT INTO mining_results (id, job_id, organizer_id, source_url, emails, status, created_at, updated_at)
SELECT gen_random_uuid(), j.id, j.organizer_id, 'https://fair.test', ARRAY['mined@fair.test'], 'new', now(), now()
FROM mining_jobs j;
"""


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def reset_schema():
    sql("DROP SCHEMA public CASCADE")
    sql("CREATE SCHEMA public")


@pytest.fixture
def original_database(transactional_db):
    """The test database replaced by one of the original system; a fresh, fully migrated one afterwards."""
    reset_schema()
    with connection.cursor() as cursor:
        cursor.execute(FIXTURE.read_text())
    yield
    reset_schema()
    call_command("migrate", verbosity=0)


def legacy_facts():
    """Everything that must survive, read from the original tables."""
    return {
        "prospect_emails": sorted(sql("SELECT organizer_id, lower(email) FROM prospects WHERE email IS NOT NULL")),
        "memberships": sorted(sql("SELECT m.list_id, lower(p.email) FROM list_members m JOIN prospects p"
                                  " ON p.id = m.prospect_id")),
        "recipients": sorted(sql("SELECT campaign_id, lower(email), status FROM campaign_recipients")),
        "engagement": {campaign: row for campaign, *row in sql(
            "SELECT campaign_id, count(sent_at), count(delivered_at), count(opened_at), sum(open_count),"
            " count(clicked_at), sum(click_count), count(bounced_at) FROM campaign_recipients GROUP BY campaign_id")},
        "mining_results": sql("SELECT count(*) FROM mining_results")[0][0],
    }


def test_adoption_refuses_an_incomplete_database_and_records_nothing(original_database):
    sql("ALTER TABLE campaigns DROP COLUMN verification_mode")
    sql("DROP TABLE zoho_push_log")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("adopt_legacy_schema", stdout=out, stderr=out)
    assert exit_.value.code == 1
    report = out.getvalue()
    assert "zoho_push_log" in report and "campaigns.verification_mode (text)" in report
    assert "Nothing was recorded" in report
    assert not MigrationRecorder(connection).has_table()


def test_the_phase4_rehearsal_loses_nothing_and_027_rolls_back(original_database):
    with connection.cursor() as cursor:
        cursor.execute(ORIGINAL_DATA)
    before = legacy_facts()

    assert "migrations recorded as applied" in run("adopt_legacy_schema")
    assert "already has" in run("adopt_legacy_schema")  # a second run changes nothing
    applied = set(MigrationRecorder.Migration.objects.filter(app__in=OUR_APPS).values_list("name", flat=True))
    assert "0023_add_campaign_verification_mode" in applied and "0024_campaign_recipients_add_person_id" not in applied

    call_command("migrate", "campaigns", "0024_campaign_recipients_add_person_id", verbosity=0)
    run("backfill_recipient_person_ids")
    call_command("migrate", "legacy", "0025_list_members_add_person_id", verbosity=0)
    members = run("backfill_list_member_person_ids")
    assert '"persons_created": 80' in members  # 120 prospects, 40 already had a person
    assert '"events_created"' in run("backfill_campaign_events")
    call_command("migrate", "campaigns", "0026_freeze_campaign_recipients_columns", verbosity=0)
    run("backfill_recipient_person_ids")  # recipients whose person the member backfill created
    assert "[FAIL]" not in run("phase4_check")
    call_command("migrate", verbosity=0)

    # nobody, no membership, no recipient, no engagement fact lost
    assert sorted(sql("SELECT organizer_id, email FROM persons")) == before["prospect_emails"]
    assert sorted(sql("SELECT m.list_id, p.email FROM list_members m JOIN persons p ON p.id = m.person_id")) \
        == before["memberships"]
    assert sorted(sql("SELECT campaign_id, lower(email), status FROM campaign_recipients")) == before["recipients"]
    assert sql("SELECT count(*) FROM campaign_recipients WHERE person_id IS NULL") == [(2,)]  # never-sent@ only
    assert sql("SELECT count(*) FROM persons WHERE first_name = 'Kept'") == [(40,)]  # existing names kept
    for campaign in Campaign.objects.all():
        summary = campaign_summary(campaign)
        sent, delivered, opened, opens, clicked, clicks, bounced = before["engagement"][campaign.pk]
        assert (summary["sent"], summary["delivered"], summary["opens"]["unique"], summary["opens"]["total"],
                summary["clicks"]["unique"], summary["clicks"]["total"], summary["bounced"]) == (
            sent, delivered, opened, opens, clicked, clicks, bounced)
    assert sql("SELECT count(*) FROM mining_results")[0][0] == before["mining_results"]
    assert "prospects_archive" in connection.introspection.table_names()

    # 027 rolled back: the original tables and columns are back, with their data
    call_command("migrate", "campaigns", "0026_freeze_campaign_recipients_columns", verbosity=0)
    assert {"prospects", "email_logs"} <= set(connection.introspection.table_names())
    assert "prospect_id" in columns("list_members") and "prospect_id" in columns("campaign_recipients")
    assert sorted(sql("SELECT organizer_id, lower(email) FROM prospects WHERE email IS NOT NULL")) \
        == before["prospect_emails"]
    assert sorted(sql("SELECT m.list_id, lower(p.email) FROM list_members m JOIN prospects p"
                      " ON p.id = m.prospect_id")) == before["memberships"]
