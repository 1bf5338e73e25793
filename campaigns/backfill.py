"""backfill_campaign_events: the historical engagement columns of recipients become events.

sent_at → sent, delivered_at → delivered, opened_at → open, clicked_at → click, bounced_at → bounce
(reason = last_error); an open_count or click_count above 1 adds events one second apart. Provider
ids are deterministic (`backfill_<recipient>_<type>[_<n>]`), so a second run inserts nothing.
"""
from collections import Counter

from django.db import connection

BATCH = """
WITH batch AS (
    SELECT * FROM campaign_recipients WHERE id > %(after)s {only_organizer} ORDER BY id LIMIT %(size)s
), facts AS (
    SELECT b.*, f.event_type, f.at, f.reason, f.copies
    FROM batch b CROSS JOIN LATERAL (VALUES
        ('sent', b.sent_at, NULL, 1),
        ('delivered', b.delivered_at, NULL, 1),
        ('open', b.opened_at, NULL, greatest(b.open_count, 1)),
        ('click', b.clicked_at, NULL, greatest(b.click_count, 1)),
        ('bounce', b.bounced_at, b.last_error, 1)
    ) AS f(event_type, at, reason, copies)
    WHERE f.at IS NOT NULL
), events AS (
    SELECT f.*, n, 'backfill_' || f.id || '_' || f.event_type || CASE WHEN n > 1 THEN '_' || n ELSE '' END AS pid
    FROM facts f CROSS JOIN LATERAL generate_series(1, f.copies) AS n
), stored AS (
    INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, person_id, event_type, email, reason,
                                 provider_event_id, occurred_at, created_at)
    SELECT gen_random_uuid(), organizer_id, campaign_id, id, person_id, event_type, email, reason, pid,
           at + (n - 1) * interval '1 second', now()
    FROM events
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM events), (SELECT count(*) FROM stored),
       (SELECT id FROM batch ORDER BY id DESC LIMIT 1)
"""


def recipients_to_scan(organizer_id=None):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM campaign_recipients" + (" WHERE organizer_id = %s" if organizer_id else ""),
                       [organizer_id] if organizer_id else [])
        return cursor.fetchone()[0]


def backfill_batch(after, size, organizer_id=None):
    """One batch of recipients after id `after`: (last id or None when done, counts)."""
    sql = BATCH.format(only_organizer="AND organizer_id = %(organizer)s" if organizer_id else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"after": after, "size": size, "organizer": organizer_id})
        processed, facts, created, last_id = cursor.fetchone()
    if not processed:
        return None, Counter()
    return last_id, Counter(processed=processed, events_created=created, already_present=facts - created)
