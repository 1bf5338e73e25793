"""Phase 4 pre-checks: what must hold before step 027 archives the legacy tables.

Used by the 027 migrations (which refuse to run while any check fails) and by `manage.py phase4_check`.
Plain SQL against the live schema, so the checks work at any migration state and on adopted databases.
"""

from dataclasses import dataclass

from django.db import connection as default_connection

RECENT_PROSPECT_DAYS = 14
SENT_STATUSES = ("sent", "delivered", "opened", "clicked", "bounced")


@dataclass(frozen=True)
class CheckResult:
    name: str
    description: str
    failing: int
    fix: str

    @property
    def passed(self) -> bool:
        return self.failing == 0


class Phase4NotReady(Exception):
    """Raised by step 027 while a pre-check fails."""


def _table_exists(cursor, table):
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return cursor.fetchone()[0]


def _column_exists(cursor, table, column):
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = %s AND column_name = %s)",
        [table, column],
    )
    return cursor.fetchone()[0]


def _count(cursor, sql, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _members_without_person(cursor):
    if not _table_exists(cursor, "list_members"):
        return 0
    if not _column_exists(cursor, "list_members", "person_id"):  # before step 025: no member has a person yet
        return _count(cursor, "SELECT count(*) FROM list_members")
    return _count(cursor, "SELECT count(*) FROM list_members WHERE person_id IS NULL")


def _sent_recipients_without_events(cursor):
    return _count(
        cursor,
        """
        SELECT count(*) FROM campaign_recipients r
        WHERE (r.sent_at IS NOT NULL OR r.status = ANY(%s))
          AND NOT EXISTS (
              SELECT 1 FROM campaign_events e
              WHERE e.recipient_id = r.id OR (e.campaign_id = r.campaign_id AND lower(e.email) = lower(r.email))
          )
        """,
        [list(SENT_STATUSES)],
    )


def _events_immutable(cursor):
    """True once step 028's trigger guards campaign_events (nothing but detaching can change them then)."""
    return (
        _count(
            cursor,
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('campaign_events')"
            " AND tgname = 'campaign_events_immutable'",
        )
        > 0
    )


def events_are_immutable(connection=default_connection):
    with connection.cursor() as cursor:
        return _events_immutable(cursor)


def _events_without_their_person(cursor):
    """Events without person_id although the organizer has a person with their address.

    Counted while events can still change: once step 028 has made them immutable the check no longer applies.
    """
    if _events_immutable(cursor):
        return 0
    return _count(
        cursor,
        """
        SELECT count(*) FROM campaign_events e
        WHERE e.person_id IS NULL
          AND EXISTS (SELECT 1 FROM persons p WHERE p.organizer_id = e.organizer_id AND lower(p.email) = lower(e.email))
        """,
    )


def _recent_prospects(cursor):
    if not _table_exists(cursor, "prospects"):  # already archived by step 027
        return 0
    return _count(
        cursor,
        "SELECT count(*) FROM prospects WHERE created_at > now() - make_interval(days => %s)",
        [RECENT_PROSPECT_DAYS],
    )


def run_prechecks(connection) -> list[CheckResult]:
    with connection.cursor() as cursor:
        return [
            CheckResult(
                "list_members_have_person",
                "every list member points at a person (list_members.person_id set)",
                _members_without_person(cursor),
                "manage.py migrate legacy 0025_list_members_add_person_id && manage.py backfill_list_member_person_ids",
            ),
            CheckResult(
                "sent_recipients_have_events",
                "every sent recipient has its engagement in campaign_events",
                _sent_recipients_without_events(cursor),
                "manage.py backfill_campaign_events",
            ),
            CheckResult(
                "events_have_person",
                "every campaign event whose address has a person points at it (campaign_events.person_id set; "
                "events become immutable with step 028)",
                _events_without_their_person(cursor),
                "manage.py backfill_event_person_ids",
            ),
            CheckResult(
                "no_recent_prospects",
                f"no prospects row created in the last {RECENT_PROSPECT_DAYS} days",
                _recent_prospects(cursor),
                "stop whatever still writes `prospects` (nothing in this project does) and wait "
                f"until its newest row is {RECENT_PROSPECT_DAYS} days old",
            ),
        ]


def format_results(results: list[CheckResult]) -> str:
    lines = []
    for result in results:
        mark = "PASS" if result.passed else "FAIL"
        lines.append(f"[{mark}] {result.name}: {result.description}")
        if not result.passed:
            lines.append(f"       {result.failing} row(s) failing; fix with: {result.fix}")
    return "\n".join(lines)


def require_prechecks(apps, schema_editor):
    """RunPython body of step 027: refuse to archive anything while a pre-check fails."""
    results = run_prechecks(schema_editor.connection)
    if not all(result.passed for result in results):
        raise Phase4NotReady(
            "Step 027 refused: the Phase 4 pre-checks fail (see `manage.py phase4_check`).\n" + format_results(results)
        )
