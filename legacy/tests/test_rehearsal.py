"""The Phase 4 rehearsal on a database built the way the original system built it (fixtures/original_*.sql):
the README's runbook, exactly as written there, from adoption to step 027. Nothing is lost and nothing is
counted twice (counts, address sets, analytics per campaign, engagement per person against the original's
history), users keep their passwords, adopted lists resolve, and step 027 rolls back."""

import importlib
import json
import os
import shlex
from pathlib import Path

import pytest
from django.conf import settings

from campaigns.analytics import campaign_summary
from campaigns.models import Campaign
from legacy.tests.conftest import run
from legacy.tests.sql import columns, sql
from liffy.models import Organizer, User
from persons.models import Person
from persons.selectors import engagement_summary

pytestmark = pytest.mark.slow

README = Path(settings.BASE_DIR) / "README.md"
KEPT_TABLES = (
    "organizers",
    "users",
    "sender_identities",
    "email_templates",
    "campaigns",
    "lists",
    "mining_jobs",
    "mining_results",
    "mining_job_logs",
    "affiliations",
    "prospect_intents",
    "verification_queue",
    "zoho_push_log",
    "unsubscribes",
)
# The original's logins (original_data.sql): as they type them, with the password they chose.
LOGINS = {
    "owner@acme.test": "acme-password",
    "Admin@Acme.test": "admin-password",
    "owner@globex.test": "globex-password",
}
SINGLE_FACTS = {"sent": "sent_at", "delivered": "delivered_at", "bounce": "bounced_at"}
COUNTED_FACTS = {"open": ("opened_at", "open_count"), "click": ("clicked_at", "click_count")}
EVENT_ONLY = ("spam_report", "unsubscribe")


def runbook():
    """The commands of the README's runbook, in its order."""
    section = README.read_text().split("### Runbook: moving a database of the original system", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [shlex.split(line.split("#", 1)[0])[1:] for line in block.splitlines() if line.startswith("manage.py")]


def report_of(output):
    return json.loads(output[output.index("{") : output.index("\n}") + 2])


def addresses(query):
    return {(owner, email.lower()) for owner, email in sql(query)}


def history():
    """What the original's own tables say, in this project's terms: unique addresses per campaign for
    single facts, every open and click counted, per campaign and per (organizer, address)."""
    per_campaign = {
        campaign: list(row)
        for campaign, *row in sql(
            "SELECT campaign_id, count(DISTINCT lower(email)) FILTER (WHERE sent_at IS NOT NULL),"
            " count(DISTINCT lower(email)) FILTER (WHERE delivered_at IS NOT NULL),"
            " count(DISTINCT lower(email)) FILTER (WHERE opened_at IS NOT NULL),"
            " coalesce(sum(greatest(open_count, 1)) FILTER (WHERE opened_at IS NOT NULL), 0),"
            " count(DISTINCT lower(email)) FILTER (WHERE clicked_at IS NOT NULL),"
            " coalesce(sum(greatest(click_count, 1)) FILTER (WHERE clicked_at IS NOT NULL), 0),"
            " count(DISTINCT lower(email)) FILTER (WHERE bounced_at IS NOT NULL)"
            " FROM campaign_recipients GROUP BY campaign_id"
        )
    }
    for campaign, kind, unique in sql(
        "SELECT campaign_id, event_type, count(DISTINCT lower(email))"
        " FROM campaign_events WHERE event_type IN ('spam_report', 'unsubscribe')"
        " GROUP BY campaign_id, event_type ORDER BY event_type"
    ):
        per_campaign[campaign].append((kind, unique))
    per_person = {}
    for kind, column in SINGLE_FACTS.items():
        for owner, email, count in sql(
            f"SELECT organizer_id, lower(email), count(DISTINCT campaign_id)"
            f" FROM campaign_recipients WHERE {column} IS NOT NULL GROUP BY 1, 2"
        ):
            per_person.setdefault((owner, email), {})[kind] = count
    for kind, (column, counter) in COUNTED_FACTS.items():
        for owner, email, count in sql(
            f"SELECT organizer_id, lower(email), sum(greatest({counter}, 1))"
            f" FROM campaign_recipients WHERE {column} IS NOT NULL GROUP BY 1, 2"
        ):
            per_person.setdefault((owner, email), {})[kind] = count
    for owner, email, kind, count in sql(
        "SELECT organizer_id, lower(email), event_type, count(*)"
        " FROM campaign_events WHERE event_type IN ('spam_report', 'unsubscribe')"
        " GROUP BY 1, 2, 3"
    ):
        per_person.setdefault((owner, email), {})[kind] = count
    return {
        "counts": {
            table: sql(f"SELECT count(*) FROM {table}")[0][0]
            for table in (
                *KEPT_TABLES,
                "prospects",
                "persons",
                "list_members",
                "campaign_recipients",
                "campaign_events",
            )
        },
        "persons": addresses("SELECT organizer_id, email FROM persons UNION SELECT organizer_id, email FROM prospects"),
        "prospects": addresses("SELECT organizer_id, email FROM prospects"),
        "memberships": addresses(
            "SELECT m.list_id, p.email FROM list_members m JOIN prospects p ON p.id = m.prospect_id"
        ),
        "recipients": addresses("SELECT campaign_id, email FROM campaign_recipients"),
        "unsubscribes": addresses("SELECT organizer_id, email FROM unsubscribes"),
        "campaigns": per_campaign,
        "engagement": per_person,
    }


def analytics(campaign):
    summary = campaign_summary(campaign)
    row = [
        summary["sent"],
        summary["delivered"],
        summary["opens"]["unique"],
        summary["opens"]["total"],
        summary["clicks"]["unique"],
        summary["clicks"]["total"],
        summary["bounced"],
    ]
    return row + [
        (kind, unique)
        for kind, unique in (("spam_report", summary["spam_reports"]), ("unsubscribe", summary["unsubscribed"]))
        if unique
    ]


def engagement():
    return {
        (person.organizer_id, person.email.lower()): counts
        for person in Person.objects.all()
        if (counts := {kind: facts["count"] for kind, facts in engagement_summary(person).items()})
    }


def tables():
    return [name for (name,) in sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]


def log_in(api_client, email, password):
    return api_client.post("/api/auth/token", {"email": email, "password": password}, format="json")


def test_the_readme_runbook_loses_nothing_counts_nothing_twice_and_027_rolls_back(
    original_database, api_client, settings
):
    before = history()
    outputs = {}
    for command, *args in runbook():
        outputs.setdefault(command, []).append(run(command, *args))
    assert "[FAIL]" not in outputs["phase4_check"][0]
    adoption = outputs["adopt_legacy_schema"][-1]
    events = report_of(outputs["backfill_campaign_events"][0])
    members = report_of(outputs["backfill_list_member_person_ids"][0])
    assert "Duplicates merged (4):" in adoption  # the twins and the address found twice, in each organizer's Spring
    assert (members["persons_created"], members["duplicate_membership"]) == (84, 4)
    assert events["errors"] == [] and events["already_present"] > 0  # the original's own events are not repeated

    after = {table: sql(f"SELECT count(*) FROM {table}")[0][0] for table in KEPT_TABLES}
    assert after == {table: before["counts"][table] for table in KEPT_TABLES}
    assert sql("SELECT count(*) FROM prospects_archive") == [(before["counts"]["prospects"],)]
    assert sql("SELECT count(*) FROM campaign_recipients") == [(before["counts"]["campaign_recipients"] - 4,)]
    assert sql("SELECT count(*) FROM list_members") == [(before["counts"]["list_members"] - 4,)]
    assert sql("SELECT count(*) FROM campaign_events") == [
        (before["counts"]["campaign_events"] + events["events_created"],)
    ]
    # the same addresses everywhere: persons (one per prospect address), members, recipients, unsubscribes
    assert addresses("SELECT organizer_id, email FROM persons") == before["persons"]
    assert (
        addresses("SELECT m.list_id, p.email FROM list_members m JOIN persons p ON p.id = m.person_id")
        == before["memberships"]
    )
    assert addresses("SELECT campaign_id, email FROM campaign_recipients") == before["recipients"]
    assert addresses("SELECT organizer_id, email FROM unsubscribes") == before["unsubscribes"]
    # each fact once: analytics per campaign and engagement per person equal the original's history
    assert {campaign.pk: analytics(campaign) for campaign in Campaign.objects.all()} == before["campaigns"]
    assert sql("SELECT count(*) FROM campaign_events WHERE person_id IS NULL") == [(0,)]
    assert engagement() == before["engagement"]

    # provider keys encrypted at rest, read back as they were
    acme = Organizer.objects.get(slug="acme")
    assert (acme.sendgrid_api_key, acme.zoho_refresh_token) == ("SG.acme-sendgrid-key", "1000.acme-refresh-token")
    assert sql("SELECT count(*) FROM organizers WHERE sendgrid_api_key LIKE 'enc:%%'") == [(1,)]  # Globex has none

    # users log in with their old passwords (both bcrypt prefixes); the hash is upgraded on the way
    settings.PASSWORD_HASHERS = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).PASSWORD_HASHERS
    assert log_in(api_client, "owner@acme.test", "not-my-password").status_code == 400
    for email, password in LOGINS.items():
        response = log_in(api_client, email, password)
        assert response.status_code == 200 and response.json()["token"], email
        assert User.objects.get(email=email.lower()).password.startswith("pbkdf2_sha256$")
    assert log_in(api_client, "owner@acme.test", "acme-password").status_code == 200  # and again, upgraded

    # an adopted list resolves into recipients (the unique (campaign, lower(email)) is there)
    token = log_in(api_client, "owner@acme.test", "acme-password").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    fair, template, sender = sql(
        "SELECT l.id, t.id, s.id FROM lists l JOIN email_templates t ON t.organizer_id = l.organizer_id"
        " JOIN sender_identities s ON s.organizer_id = l.organizer_id"
        " WHERE l.organizer_id = %s AND l.name = 'Fair 2024' AND t.name = 'Invitation'",
        [acme.pk],
    )[0]
    created = api_client.post(
        "/api/campaigns",
        {"name": "After adoption", "list": str(fair), "template": str(template), "sender": str(sender)},
        format="json",
    )
    assert created.status_code == 201, created.content
    resolved = api_client.post(f"/api/campaigns/{created.json()['id']}/resolve")
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["recipient_count"] > 0

    # 027 rolled back: the original tables and columns return, with their data
    run("migrate", "campaigns", "0026_freeze_campaign_recipients_columns")
    assert {"prospects", "email_logs"} <= set(tables())
    assert "prospect_id" in columns("list_members") and "prospect_id" in columns("campaign_recipients")
    assert addresses("SELECT organizer_id, email FROM prospects") == before["prospects"]
    assert (
        addresses("SELECT m.list_id, p.email FROM list_members m JOIN prospects p ON p.id = m.prospect_id")
        == before["memberships"]
    )
