"""The data side of adoption: what must be true of the rows before the schema can match a fresh one.

Each function works set-at-a-time on the whole table, inside adoption's transaction, and returns
the lines adoption reports. Duplicates are merged (never silently dropped), references to rows
that no longer exist are cleared where the column may be empty, NULLs are filled where the project
needs a value, provider keys are encrypted and bcrypt password hashes get Django's prefix.
"""

from liffy.encryption import rotate_column
from liffy.sql import execute, fetch_all, fetch_value

# When two recipients of a campaign share an address, the kept row takes the most telling status.
STATUS_PRECEDENCE = [
    "pending",
    "skipped",
    "failed",
    "sending",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "dropped",
    "bounced",
]
# Fills that are not the column's own default (the rest come from the project's fields): SQL, description.
FILLS = {
    ("mining_results", "organizer_id"): (
        "(SELECT j.organizer_id FROM mining_jobs j WHERE j.id = mining_results.job_id)",
        "the organizer of its job",
    ),
    ("mining_results", "updated_at"): ("created_at", "its created_at"),
    ("mining_results", "source_url"): ("''", "'' (unknown)"),
}
BCRYPT_HASH = r"^\$2[aby]\$[0-9]{2}\$"


def _groups_of_twins(table, partition):
    """A temporary table (merged_id, kept_id): rows of `table` sharing `partition`, the earliest kept."""
    execute(f"""
        DROP TABLE IF EXISTS adoption_twins;
        CREATE TEMP TABLE adoption_twins ON COMMIT DROP AS
        SELECT merged_id, kept_id FROM (
            SELECT id AS merged_id, first_value(id) OVER (PARTITION BY {partition} ORDER BY created_at NULLS LAST, id)
                   AS kept_id
            FROM {table}
        ) ranked WHERE merged_id <> kept_id
    """)
    return fetch_value("SELECT count(*) FROM adoption_twins")


def merge_recipient_twins():
    """Recipients of one campaign whose addresses differ at most in case become one row.

    The earliest row is kept; it takes the earliest time of each engagement column, the sum of the
    open and click counts, the most telling status and whatever it lacked (name, meta, prospect,
    error) from the others; their events are moved to it. Events can still move now: step 028 makes
    them immutable.
    """
    if not _groups_of_twins("campaign_recipients", "campaign_id, lower(email)"):
        return []
    lines = [
        f"campaign {name!r} ({campaign}): kept recipient {kept} <{email}>, merged {len(merged)} "
        f"({', '.join(f'<{m}>' for m in merged)}); {events} event(s) moved to it"
        for name, campaign, kept, email, merged, events in fetch_all("""
            SELECT (SELECT c.name FROM campaigns c WHERE c.id = k.campaign_id), k.campaign_id, k.id, k.email,
                   array_agg(r.email ORDER BY r.id),
                   (SELECT count(*) FROM campaign_events e
                    WHERE e.recipient_id IN (SELECT merged_id FROM adoption_twins t WHERE t.kept_id = k.id))
            FROM adoption_twins t JOIN campaign_recipients k ON k.id = t.kept_id
            JOIN campaign_recipients r ON r.id = t.merged_id
            GROUP BY k.campaign_id, k.id, k.email ORDER BY k.campaign_id, k.email
        """)
    ]
    execute(
        """
        WITH members AS (
            SELECT merged_id AS id, kept_id FROM adoption_twins
            UNION SELECT kept_id, kept_id FROM adoption_twins
        ), merged AS (
            SELECT m.kept_id,
                   min(r.sent_at) AS sent_at, min(r.delivered_at) AS delivered_at, min(r.opened_at) AS opened_at,
                   min(r.clicked_at) AS clicked_at, min(r.bounced_at) AS bounced_at,
                   sum(coalesce(r.open_count, 0)) AS open_count, sum(coalesce(r.click_count, 0)) AS click_count,
                   (array_agg(r.status ORDER BY array_position(%(precedence)s::text[], r.status::text)
                              DESC NULLS LAST))[1] AS status,
                   (array_agg(r.last_error ORDER BY r.created_at, r.id) FILTER (WHERE r.last_error IS NOT NULL))[1]
                     AS last_error,
                   (array_agg(r.name ORDER BY r.created_at, r.id) FILTER (WHERE r.name IS NOT NULL))[1] AS name,
                   (array_agg(r.meta ORDER BY r.created_at, r.id) FILTER (WHERE r.meta IS NOT NULL))[1] AS meta,
                   (array_agg(r.prospect_id ORDER BY r.created_at, r.id) FILTER (WHERE r.prospect_id IS NOT NULL))[1]
                     AS prospect_id
            FROM members m JOIN campaign_recipients r ON r.id = m.id
            GROUP BY m.kept_id
        )
        UPDATE campaign_recipients k SET
            sent_at = g.sent_at, delivered_at = g.delivered_at, opened_at = g.opened_at, clicked_at = g.clicked_at,
            bounced_at = g.bounced_at, open_count = g.open_count, click_count = g.click_count, status = g.status,
            last_error = g.last_error, name = g.name, meta = g.meta, prospect_id = g.prospect_id
        FROM merged g WHERE k.id = g.kept_id
    """,
        {"precedence": STATUS_PRECEDENCE},
    )
    execute(
        "UPDATE campaign_events e SET recipient_id = t.kept_id FROM adoption_twins t WHERE e.recipient_id = t.merged_id"
    )
    execute("DELETE FROM campaign_recipients r USING adoption_twins t WHERE r.id = t.merged_id")
    return lines


# Tables whose rows point at a person, and the unique key (besides the person, and where it applies)
# that moving them must not break.
PERSON_REFERENCES = {
    "affiliations": ("lower(company_name)", "company_name IS NOT NULL"),
    "prospect_intents": ("coalesce(campaign_id::text, ''), intent_type", "true"),
    "campaign_events": None,
    "verification_queue": None,
    "zoho_push_log": None,
}


def merge_person_twins():
    """Persons of one organizer whose addresses differ at most in case become one person.

    The earliest is kept and takes the names and verification it lacked; affiliations, intents,
    events, queue rows and Zoho pushes move to it. Where two of them would then be the same
    affiliation (company) or intent (campaign and type), the earliest stays, as step 021 decides.
    """
    if not _groups_of_twins("persons", "organizer_id, lower(email)"):
        return []
    lines = [
        f"organizer {organizer}: kept person {kept} <{email}>, merged {', '.join(f'<{m}>' for m in merged)}"
        for organizer, kept, email, merged in fetch_all("""
            SELECT k.organizer_id, k.id, k.email, array_agg(p.email ORDER BY p.id)
            FROM adoption_twins t JOIN persons k ON k.id = t.kept_id JOIN persons p ON p.id = t.merged_id
            GROUP BY k.organizer_id, k.id, k.email ORDER BY k.organizer_id, k.email
        """)
    ]
    execute("""
        WITH merged AS (
            SELECT t.kept_id,
                   (array_agg(p.first_name ORDER BY p.created_at)
                      FILTER (WHERE p.first_name IS NOT NULL))[1] AS first_name,
                   (array_agg(p.last_name ORDER BY p.created_at)
                      FILTER (WHERE p.last_name IS NOT NULL))[1] AS last_name,
                   (array_agg(p.verification_status ORDER BY p.verified_at DESC NULLS LAST)
                      FILTER (WHERE p.verification_status <> 'unknown'))[1] AS verification_status,
                   max(p.verified_at) AS verified_at
            FROM adoption_twins t JOIN persons p ON p.id = t.merged_id GROUP BY t.kept_id
        )
        UPDATE persons k SET first_name = coalesce(k.first_name, g.first_name),
                             last_name = coalesce(k.last_name, g.last_name),
                             verification_status = CASE WHEN coalesce(k.verification_status, 'unknown') = 'unknown'
                                 THEN coalesce(g.verification_status, k.verification_status)
                                 ELSE k.verification_status END,
                             verified_at = greatest(k.verified_at, g.verified_at)
        FROM merged g WHERE k.id = g.kept_id
    """)
    for table, unique in PERSON_REFERENCES.items():
        if unique:
            key, applies = unique
            execute(f"""
                DELETE FROM {table} x USING (
                    SELECT x.id, row_number() OVER (
                        PARTITION BY coalesce(t.kept_id, x.person_id), {key}
                        ORDER BY x.created_at, x.id) AS rank
                    FROM {table} x LEFT JOIN adoption_twins t ON t.merged_id = x.person_id
                    WHERE x.person_id IN (SELECT kept_id FROM adoption_twins UNION SELECT merged_id FROM adoption_twins)
                ) ranked
                WHERE x.id = ranked.id AND ranked.rank > 1 AND {applies}
            """)
        execute(f"UPDATE {table} x SET person_id = t.kept_id FROM adoption_twins t WHERE x.person_id = t.merged_id")
    execute("DELETE FROM persons p USING adoption_twins t WHERE p.id = t.merged_id")
    return lines


MERGES = {"campaign_recipients": merge_recipient_twins, "persons": merge_person_twins}


def clear_dangling(table, column, target):
    """Set `column` to NULL where it points at no row of `target` (the model's on_delete is SET_NULL)."""
    count = execute(f"""
        UPDATE {table} x SET {column} = NULL
        WHERE x.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = x.{column})
    """)
    return [f"{table}.{column}: {count} row(s) pointed at a deleted {target} row, set to NULL"] if count else []


def dangling(table, column, target):
    return fetch_value(f"""
        SELECT count(*) FROM {table} x
        WHERE x.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = x.{column})
    """)


def fill_nulls(table, column, expression, described, params=()):
    count = execute(f"UPDATE {table} SET {column} = {expression} WHERE {column} IS NULL", params)
    return [f"{table}.{column}: {count} NULL(s) set to {described}"] if count else []


def encrypt_plaintext(table, column):
    """Encrypt the values of an encrypted column that the original stored in plaintext."""
    encrypted = rotate_column(table, column)["encrypted"]
    return [f"{table}.{column}: {encrypted} plaintext value(s) encrypted"] if encrypted else []


def prefix_bcrypt_hashes():
    """`$2a$…`/`$2b$…` (the original's bcrypt) → Django's `bcrypt$$2b$…`; upgraded at the user's next login."""
    count = execute(
        "UPDATE users SET password_hash = 'bcrypt$' || password_hash WHERE password_hash ~ %s", [BCRYPT_HASH]
    )
    return [f"users.password_hash: {count} bcrypt hash(es) given Django's 'bcrypt$' prefix"] if count else []


def lowercase_user_emails():
    """Logins are looked up by the lower-cased address; mixed-case ones are lowered unless that would collide."""
    lowered = fetch_all("""
        UPDATE users u SET email = lower(u.email)
        WHERE u.email <> lower(u.email)
          AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id <> u.id AND lower(o.email) = lower(u.email))
        RETURNING u.email
    """)
    kept = fetch_all("SELECT email FROM users WHERE email <> lower(email) ORDER BY email")
    return ([f"users.email: {len(lowered)} address(es) lower-cased so their users can log in"] if lowered else []) + [
        f"users.email: <{email}> left as it is (another user has the same address in lower case)" for (email,) in kept
    ]
