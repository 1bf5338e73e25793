"""backfill_campaign_events: the historical engagement columns of recipients become events, each fact once.

sent_at → sent, delivered_at → delivered, opened_at → open, clicked_at → click, bounced_at → bounce
(reason = last_error); an open_count or click_count above 1 stands for that many opens or clicks, one
second apart. Per recipient and type, only what the events already present do not record is added:
the count in the columns minus the events of that campaign and address, whatever their provider id.
So a recipient of a campaign the original system sent after its step 018 (a `sent` event without
provider id, webhook events once per message while open_count counts every open) gets only the
missing opens, and a second run adds nothing. Added events have deterministic provider ids
(`backfill_<recipient>_<type>[_<n>]`, n counting on from the events present), so two runs at once
cannot add one twice either. The event's person is the recipient's.
"""

from collections import Counter
from uuid import UUID

from liffy import sql
from liffy.parallel import LAST_ID

BATCH = """
WITH batch AS (
    SELECT id, organizer_id, campaign_id, person_id, email, last_error, sent_at, delivered_at, opened_at,
           clicked_at, bounced_at, open_count, click_count
    FROM campaign_recipients WHERE id > %(after)s AND id <= %(upto)s {only_organizer} ORDER BY id LIMIT %(size)s
), facts AS (
    SELECT b.id, b.organizer_id, b.campaign_id, b.person_id, b.email, f.event_type, f.at, f.reason, f.copies
    FROM batch b CROSS JOIN LATERAL (VALUES
        ('sent', b.sent_at, NULL, 1),
        ('delivered', b.delivered_at, NULL, 1),
        ('open', b.opened_at, NULL, greatest(b.open_count, 1)),
        ('click', b.clicked_at, NULL, greatest(b.click_count, 1)),
        ('bounce', b.bounced_at, b.last_error, 1)
    ) AS f(event_type, at, reason, copies)
    WHERE f.at IS NOT NULL
), present AS (
    SELECT b.id, e.event_type, count(*) AS events
    FROM batch b JOIN campaign_events e
      ON e.organizer_id = b.organizer_id AND lower(e.email) = lower(b.email) AND e.campaign_id = b.campaign_id
    GROUP BY b.id, e.event_type
), missing AS (
    SELECT f.*, n, 'backfill_' || f.id || '_' || f.event_type || CASE WHEN n > 1 THEN '_' || n ELSE '' END AS pid
    FROM facts f LEFT JOIN present p ON p.id = f.id AND p.event_type = f.event_type
    CROSS JOIN LATERAL generate_series(coalesce(p.events, 0) + 1, f.copies) AS n
), stored AS (
    INSERT INTO campaign_events (id, organizer_id, campaign_id, recipient_id, person_id, event_type, email, reason,
                                 provider_event_id, occurred_at, created_at)
    SELECT gen_random_uuid(), organizer_id, campaign_id, id, person_id, event_type, email, reason, pid,
           at + (n - 1) * interval '1 second', now()
    FROM missing
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM batch), (SELECT coalesce(sum(copies), 0) FROM facts), (SELECT count(*) FROM stored),
       (SELECT id FROM batch ORDER BY id DESC LIMIT 1)
"""


def recipients_to_scan(organizer_id: UUID | None = None) -> int:
    return sql.fetch_value(
        "SELECT count(*) FROM campaign_recipients" + (" WHERE organizer_id = %s" if organizer_id else ""),
        [organizer_id] if organizer_id else [],
    )


def backfill_batch(
    after: UUID,
    size: int,
    upto: UUID = LAST_ID,
    organizer_id: UUID | str | None = None,
) -> tuple[UUID | None, Counter]:
    """One batch of recipients with ids in (`after`, `upto`]: (last id or None when done, counts).

    `already_present` counts the facts of the columns that events already recorded.
    """
    query = BATCH.format(only_organizer="AND organizer_id = %(organizer)s" if organizer_id else "")
    processed, facts, created, last_id = sql.fetch_one(
        query, {"after": after, "size": size, "upto": upto, "organizer": organizer_id}
    )
    if not processed:
        return None, Counter()
    return last_id, Counter(processed=processed, events_created=created, already_present=facts - created)
