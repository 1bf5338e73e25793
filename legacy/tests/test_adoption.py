"""adopt_legacy_schema on the original system's database: the result is identical, in the catalogs, to a fresh
schema of steps 001–023; every change is reported; a dry run reports exactly that and changes nothing; what
cannot be adopted is refused with nothing changed."""

import io
import uuid
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from legacy.catalog import differences, read_shape
from legacy.reference import STEP_023, reference_shape
from legacy.tests.conftest import run
from legacy.tests.sql import sql

pytestmark = pytest.mark.slow

# What adoption knowingly keeps of the original: the columns its code added without a migration, and the
# extensions its steps 001 and 005 install where the server has them.
ACCEPTED = {
    ("extra column", "prospects", "tags"),
    ("extra column", "mining_jobs", "config"),
    ("extension", None, "uuid-ossp"),
    ("extension", None, "pgcrypto"),
}


def live_shape():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return read_shape(cursor, cursor.fetchone()[0])


def schema_differences(reference=None):
    """The live schema against a fresh one of migrations 001–023, from the catalogs: every difference."""
    return differences(live_shape(), reference or reference_shape())


def unexpected(found):
    return [str(d) for d in found if (d.kind, d.table, d.item) not in ACCEPTED]


def refused():
    """The output of an adoption that must refuse (exit status 1)."""
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("adopt_legacy_schema", stdout=out, stderr=out)
    assert exit_.value.code == 1
    return out.getvalue()


def uid(tail):
    return uuid.UUID(f"00000000-0000-4000-8000-0000000000{tail}")


def test_the_reference_is_the_schema_that_migrate_builds(empty_schema):
    for app, name in STEP_023.items():
        call_command("migrate", app, name, verbosity=0)
    assert [str(d) for d in schema_differences()] == []


def test_adoption_makes_the_original_database_identical_to_a_fresh_one(original_database):
    before, reference = live_shape(), reference_shape()
    found = differences(before, reference)
    assert {(d.kind, d.table, d.item) for d in found} & ACCEPTED >= {
        ("extra column", "prospects", "tags"),
        ("extra column", "mining_jobs", "config"),
    }
    assert len(unexpected(found)) > 300  # the original's shape, as original-database.md describes it

    dry = run("adopt_legacy_schema", "--dry-run")
    assert live_shape() == before and not MigrationRecorder(connection).has_table()
    assert sql("SELECT count(*) FROM organizers WHERE sendgrid_api_key LIKE 'enc:%%'") == [(0,)]

    sql("SET TIME ZONE 'America/New_York'")  # the conversion must not depend on the session's zone
    report = run("adopt_legacy_schema")
    sql("SET TIME ZONE 'UTC'")
    assert dry.rsplit("\n", 2)[0] == report.rsplit("\n", 2)[0]  # the dry run reported exactly this
    assert unexpected(schema_differences(reference)) == []
    assert "already has" in run("adopt_legacy_schema")

    for expected in (
        "Timestamps converted to timestamptz (read as UTC) (23):",
        "Duplicates merged (4):",
        "merged 1 (<info@expo.test>)",
        "campaigns.list_id: 2 row(s) pointed at a deleted lists row",
        "mining_results.organizer_id: 2 NULL(s) set to the organizer of its job",
        "Provider keys encrypted (5):",
        "users.password_hash: 3 bcrypt hash(es)",
        "index campaign_recipients_campaign_email_uniq on campaign_recipients",
        "fk_template: FOREIGN KEY (template_id) REFERENCES email_templates(id) ON DELETE CASCADE",
        "constraint campaigns_template_id_507f3d37_fk_email_templates_id on campaigns: FOREIGN KEY "
        "(template_id) REFERENCES email_templates(id) DEFERRABLE INITIALLY DEFERRED",
        "27 migrations recorded as applied",
        "right only if both its database server and its Node host ran in UTC",
    ):
        assert expected in report, expected
    spring = datetime(2025, 2, 28, 8, 0, tzinfo=UTC)
    assert sql("SELECT DISTINCT created_at FROM campaigns WHERE name = 'Spring'") == [(spring,)]
    # deleting a template used by a campaign no longer deletes the campaign: the reference refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql("DELETE FROM email_templates WHERE name = 'Invitation'")


def test_what_cannot_be_adopted_is_listed_and_nothing_is_changed(original_database):
    sql("ALTER TABLE campaigns DROP COLUMN verification_mode")
    sql("DROP TABLE zoho_push_log")
    sql("ALTER TABLE mining_jobs ALTER COLUMN stats TYPE text")
    sql("CREATE VIEW sent_recipients AS SELECT email FROM campaign_recipients WHERE sent_at IS NOT NULL")
    before = live_shape()
    out = refused()
    assert before == live_shape() and not MigrationRecorder(connection).has_table()
    for expected in (
        "missing table: zoho_push_log",
        "missing column: campaigns.verification_mode",
        "column mining_jobs.stats: text cannot become jsonb",
        "view sent_recipients",
        "Nothing was changed.",
    ):
        assert expected in out, expected


def test_data_that_cannot_fit_is_listed_and_nothing_is_changed(original_database):
    sql(
        "INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, status)"
        " SELECT gen_random_uuid(), gen_random_uuid(), id, 'x@client.test', 'pending' FROM campaigns LIMIT 1"
    )
    sql("UPDATE users SET role = 'superuser' WHERE email = 'owner@globex.test'")
    before, recipients = live_shape(), sql("SELECT count(*) FROM campaign_recipients")
    out = refused()
    assert before == live_shape() and sql("SELECT count(*) FROM campaign_recipients") == recipients
    assert sql("SELECT count(*) FROM users WHERE password_hash LIKE 'bcrypt$%%'") == [(0,)]
    assert "campaign_recipients.organizer_id: 1 row(s) point at no organizers row" in out
    assert "cannot create users_role_check on users" in out


def test_twins_are_merged_with_everything_that_points_at_them(original_schema):
    """Recipients of a campaign whose addresses differ in case become one, with their events and engagement; so
    do persons, should a database lack their unique (organizer, lower(email)). (And two indexes holding each
    other's names in the project get them the right way round.)"""
    sql("DROP INDEX idx_persons_organizer_email")
    sql("ALTER INDEX idx_campaign_events_person_id RENAME TO campaign_events_recipient_idx")
    sql("ALTER INDEX idx_campaign_events_recipient_id RENAME TO campaign_events_person_idx")
    sql("""
        INSERT INTO organizers (id, name, sendgrid_api_key) VALUES ('0a000000-0000-4000-8000-00000000000a', 'Acme', '');
        INSERT INTO persons (id, organizer_id, email, first_name, last_name, created_at, updated_at) VALUES
          ('00000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-00000000000a', 'Jane@Client.test',
           NULL, 'Doe', '2025-01-01', '2025-01-01'),
          ('00000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-00000000000a', 'jane@client.test',
           'Jane', 'Other', '2025-02-01', '2025-02-01');
        INSERT INTO affiliations (organizer_id, person_id, company_name, created_at)
        SELECT '0a000000-0000-4000-8000-00000000000a', p, c, t FROM (VALUES
          ('00000000-0000-4000-8000-000000000001'::uuid, 'Expo', timestamptz '2025-01-01'),
          ('00000000-0000-4000-8000-000000000002', 'EXPO', '2025-02-01'),
          ('00000000-0000-4000-8000-000000000002', 'Fair Co', '2025-02-01')) AS a(p, c, t);
        INSERT INTO prospect_intents (organizer_id, person_id, intent_type, created_at)
        SELECT '0a000000-0000-4000-8000-00000000000a', p, 'meeting_booked', t FROM (VALUES
          ('00000000-0000-4000-8000-000000000001'::uuid, timestamptz '2025-03-01'),
          ('00000000-0000-4000-8000-000000000002', '2025-02-01')) AS i(p, t);
        INSERT INTO email_templates (id, organizer_id, name, subject, body_html)
          VALUES ('00000000-0000-4000-8000-0000000000e1', '0a000000-0000-4000-8000-00000000000a', 'T', 'S', 'B');
        INSERT INTO campaigns (id, organizer_id, template_id, name)
          VALUES ('00000000-0000-4000-8000-0000000000c1', '0a000000-0000-4000-8000-00000000000a',
                  '00000000-0000-4000-8000-0000000000e1', 'C');
        INSERT INTO campaign_recipients (id, organizer_id, campaign_id, email, status, created_at, sent_at,
                                         opened_at, clicked_at, open_count, click_count)
        SELECT r, '0a000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000c1', e, s, c, c,
               o, k, oc, kc
        FROM (VALUES ('00000000-0000-4000-8000-0000000000a1'::uuid, 'Jane@Client.test', 'opened',
                      timestamp '2025-01-05', timestamp '2025-03-02 10:00', NULL::timestamp, 2, 0),
                     ('00000000-0000-4000-8000-0000000000a2', 'jane@client.test', 'clicked', '2025-01-06',
                      '2025-03-01 09:00', '2025-03-01 09:05', 1, 1)) AS v(r, e, s, c, o, k, oc, kc);
        INSERT INTO campaign_events (organizer_id, campaign_id, recipient_id, person_id, event_type, email)
        SELECT '0a000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000c1', r, p, 'open', e
        FROM (VALUES ('00000000-0000-4000-8000-0000000000a1'::uuid, '00000000-0000-4000-8000-000000000001'::uuid,
                      'Jane@Client.test'),
                     ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-000000000002',
                      'jane@client.test')) AS v(r, p, e);
        INSERT INTO zoho_push_log (organizer_id, person_id, zoho_module, action)
          VALUES ('0a000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000002', 'Leads', 'create');
    """)
    report = run("adopt_legacy_schema")
    assert (
        "kept recipient 00000000-0000-4000-8000-0000000000a1 <Jane@Client.test>, merged 1 (<jane@client.test>);"
        " 1 event(s) moved to it"
    ) in report
    assert "kept person 00000000-0000-4000-8000-000000000001 <Jane@Client.test>, merged <jane@client.test>" in report
    assert unexpected(schema_differences()) == []
    # the earliest recipient is kept, with the earliest times, the summed counts and the most telling status
    assert sql("SELECT id, status, opened_at, clicked_at, open_count, click_count FROM campaign_recipients") == [
        (uid("a1"), "clicked", datetime(2025, 3, 1, 9, tzinfo=UTC), datetime(2025, 3, 1, 9, 5, tzinfo=UTC), 3, 1)
    ]
    assert sql("SELECT DISTINCT recipient_id FROM campaign_events") == [(uid("a1"),)]
    # the earliest person is kept: its own values win, its blanks are filled
    assert sql("SELECT id, first_name, last_name FROM persons") == [(uid("01"), "Jane", "Doe")]
    # one affiliation per company and one intent per (campaign, type) remain: the earliest
    assert sorted(sql("SELECT company_name FROM affiliations")) == [("Expo",), ("Fair Co",)]
    assert sql("SELECT created_at FROM prospect_intents") == [(datetime(2025, 2, 1, tzinfo=UTC),)]
    for table, rows in (("affiliations", 2), ("prospect_intents", 1), ("campaign_events", 2), ("zoho_push_log", 1)):
        assert sql(f"SELECT count(*) FROM {table} WHERE person_id = %s", [uid("01")]) == [(rows,)], table
