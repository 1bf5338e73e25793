"""Phase 4 person-id backfills (run between migration steps 024/025 and 027, see `phase4_check`).

- recipients without person_id → the organizer's person with the same address (none: left null, counted);
- list members without person_id → the person of their prospect's address, created from the prospect
  when missing (name: first token → first_name, the rest → last_name). Existing persons are never
  changed. The original let a list hold two prospects of one address (the URL miner's case twins, an
  address imported twice); such a member, whose person the list already has, is removed: the list
  keeps that person once.
- campaign events without person_id (the original wrote some without one; those of recipients linked
  late) → the organizer's person with the same address, before step 028 makes events immutable.

All go through `liffy.backfills.run_batches`: keyset batches within an id range `(after, upto]`, one
transaction each, idempotent.
"""

from collections import Counter
from uuid import UUID

from django.db import connection

from liffy import sql
from liffy.parallel import LAST_ID
from persons.models import VerificationStatus

LINK_BY_ADDRESS = """
WITH batch AS (
    SELECT id, organizer_id, email FROM {table}
    WHERE id > %(after)s AND id <= %(upto)s AND person_id IS NULL ORDER BY id LIMIT %(size)s
), linked AS (
    UPDATE {table} r SET person_id = p.id
    FROM batch b JOIN persons p ON p.organizer_id = b.organizer_id AND lower(p.email) = lower(b.email)
    WHERE r.id = b.id AND r.person_id IS NULL
    RETURNING r.id
)
SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM linked), (SELECT id FROM batch ORDER BY id DESC LIMIT 1)
"""

LINK_MEMBERS = """
WITH batch AS (
    SELECT m.id, m.organizer_id, m.list_id, lower(trim(p.email)) AS email,
           regexp_split_to_array(nullif(regexp_replace(trim(coalesce(p.name, '')), '\\s+', ' ', 'g'), ''), ' ')
             AS words,
           CASE WHEN p.verification_status = ANY(%(statuses)s) THEN p.verification_status ELSE 'unknown' END AS status
    FROM list_members m LEFT JOIN prospects p ON p.id = m.prospect_id
    WHERE m.id > %(after)s AND m.id <= %(upto)s AND m.person_id IS NULL ORDER BY m.id LIMIT %(size)s
), created AS (
    INSERT INTO persons (id, organizer_id, email, first_name, last_name, verification_status, created_at, updated_at)
    SELECT DISTINCT ON (organizer_id, email) gen_random_uuid(), organizer_id, email, words[1],
           nullif(array_to_string(words[2:], ' '), ''), status, now(), now()
    FROM batch WHERE email LIKE '%%_@_%%'
    ORDER BY organizer_id, email, id
    ON CONFLICT DO NOTHING
    RETURNING id, organizer_id, email
), resolved AS (
    SELECT b.id, b.list_id, coalesce(c.id, p.id) AS person_id,
           row_number() OVER (PARTITION BY b.list_id, coalesce(c.id, p.id) ORDER BY b.id) AS nth
    FROM batch b
    LEFT JOIN created c ON c.organizer_id = b.organizer_id AND c.email = b.email
    LEFT JOIN persons p ON p.organizer_id = b.organizer_id AND lower(p.email) = b.email
), duplicate AS (
    SELECT r.id, r.list_id, r.person_id,
           r.nth > 1 OR EXISTS (SELECT 1 FROM list_members o WHERE o.list_id = r.list_id AND o.person_id = r.person_id)
             AS listed
    FROM resolved r WHERE r.person_id IS NOT NULL
), linked AS (
    UPDATE list_members m SET person_id = d.person_id FROM duplicate d
    WHERE m.id = d.id AND NOT d.listed
    RETURNING m.id
), removed AS (
    DELETE FROM list_members m USING duplicate d WHERE m.id = d.id AND d.listed
    RETURNING m.id
)
SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM created), (SELECT count(*) FROM linked),
       (SELECT count(*) FROM batch WHERE email IS NULL OR email NOT LIKE '%%_@_%%'), (SELECT count(*) FROM removed),
       (SELECT id FROM batch ORDER BY id DESC LIMIT 1)
"""


def _row(query, params):
    return sql.fetch_one(query, params)


def recipients_without_person():
    return _row("SELECT count(*) FROM campaign_recipients WHERE person_id IS NULL", [])[0]


def _link_by_address_batch(table, after, size, upto):
    processed, linked, last_id = _row(LINK_BY_ADDRESS.format(table=table), {"after": after, "size": size, "upto": upto})
    if not processed:
        return None, Counter()
    return last_id, Counter(processed=processed, linked=linked, no_person=processed - linked)


def link_recipients_batch(after: UUID, size: int, upto: UUID = LAST_ID) -> tuple[UUID | None, Counter]:
    return _link_by_address_batch("campaign_recipients", after, size, upto)


def events_without_person():
    return _row("SELECT count(*) FROM campaign_events WHERE person_id IS NULL", [])[0]


def link_events_batch(after: UUID, size: int, upto: UUID = LAST_ID) -> tuple[UUID | None, Counter]:
    return _link_by_address_batch("campaign_events", after, size, upto)


def prospects_table_exists():
    return "prospects" in connection.introspection.table_names()


def members_without_person():
    return _row("SELECT count(*) FROM list_members WHERE person_id IS NULL", [])[0]


def link_members_batch(after: UUID, size: int, upto: UUID = LAST_ID) -> tuple[UUID | None, Counter]:
    processed, created, linked, no_email, removed, last_id = _row(
        LINK_MEMBERS, {"after": after, "size": size, "upto": upto, "statuses": list(VerificationStatus.values)}
    )
    if not processed:
        return None, Counter()
    return last_id, Counter(
        processed=processed, persons_created=created, linked=linked, no_email=no_email, duplicate_membership=removed
    )
