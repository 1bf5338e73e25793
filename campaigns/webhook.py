"""SendGrid event ingest: a verified batch of events → campaign_events and their side effects, set-at-a-time.

Each event is validated on its own (bad ones are reported and skipped). Recipients are found by the
`custom_args` we send (`recipient_id`, with organizer and campaign that must match), else by the
organizer and address (latest sent campaign); never across organizers. `sg_event_id` is the
dedup key, so a redelivered batch stores nothing twice while repeated opens and clicks all count.
Only newly stored events have side effects: recipient status (forward only), suppression, intents.
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from campaigns.analytics import BOUNCE_KIND
from campaigns.webhook_signature import SHARED
from liffy import sql

EVENT_TYPES = {
    "delivered": "delivered",
    "open": "open",
    "click": "click",
    "bounce": "bounce",
    "dropped": "dropped",
    "deferred": "deferred",
    "spamreport": "spam_report",
    "unsubscribe": "unsubscribe",
    "group_unsubscribe": "unsubscribe",
    "reply": "reply",
}
RECIPIENT_STATUS = {
    "delivered": "delivered",
    "open": "opened",
    "click": "clicked",
    "bounce": "bounced",
    "dropped": "dropped",
}
TERMINAL = ("bounced", "dropped")
KEPT_PROVIDER_FIELDS = (
    "type",
    "status",
    "sg_message_id",
    "bounce_classification",
    "response",
    "attempt",
    "smtp-id",
    "useragent",
)


class EventError(ValueError):
    pass


@dataclass
class IncomingEvent:
    index: int
    event_type: str
    email: str
    occurred_at: datetime
    provider_event_id: str
    recipient_id: str | None
    campaign_id: str | None
    organizer_id: str | None
    url: str | None
    user_agent: str | None
    ip_address: str | None
    reason: str | None
    provider_response: dict


def _uuid_arg(raw, name):
    value = raw.get(name)
    if value is None and isinstance(raw.get("custom_args"), dict):
        value = raw["custom_args"].get(name)
    if value in (None, ""):
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise EventError(f"{name} is not a UUID") from None


def _text(raw, name, limit=2000):
    value = raw.get(name)
    return str(value)[:limit] if value not in (None, "") else None


def parse_event(index: int, raw: Any) -> IncomingEvent | None:
    """An IncomingEvent, None for a type we do not store, or EventError saying what is wrong."""
    if not isinstance(raw, dict):
        raise EventError("an event must be a JSON object")
    kind = raw.get("event")
    if not isinstance(kind, str) or not kind:
        raise EventError("event is missing")
    if kind not in EVENT_TYPES:
        return None
    email = raw.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise EventError("email is missing or not an address")
    stamp = raw.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        raise EventError("timestamp must be a unix time")
    try:
        occurred_at = datetime.fromtimestamp(stamp, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise EventError("timestamp is out of range") from None
    event_id = raw.get("sg_event_id")
    if not isinstance(event_id, str) or not event_id:  # still stable across redeliveries
        event_id = "sha256:" + hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    reason = _text(raw, "reason") or (_text(raw, "response") if kind == "deferred" else None)
    return IncomingEvent(
        index=index,
        event_type=EVENT_TYPES[kind],
        email=email.strip(),
        occurred_at=occurred_at,
        provider_event_id=event_id[:200],
        recipient_id=_uuid_arg(raw, "recipient_id"),
        campaign_id=_uuid_arg(raw, "campaign_id"),
        organizer_id=_uuid_arg(raw, "organizer_id"),
        url=_text(raw, "url", 4000) if kind == "click" else None,
        user_agent=_text(raw, "useragent", 1000),
        ip_address=_text(raw, "ip", 45),
        reason=reason,
        provider_response={key: raw[key] for key in KEPT_PROVIDER_FIELDS if key in raw} | {"event": kind},
    )


def parse_batch(payload: Sequence[Any]) -> tuple[list[IncomingEvent], int, list[dict[str, Any]]]:
    """(events, ignored count, rejected [{index, error}]) of a JSON array of SendGrid events."""
    events, ignored, rejected = [], 0, []
    for index, raw in enumerate(payload):
        try:
            event = parse_event(index, raw)
        except EventError as problem:
            rejected.append({"index": index, "error": str(problem)})
            continue
        if event is None:
            ignored += 1
        else:
            events.append(event)
    return events, ignored, rejected


def locate_recipients(events: Sequence[IncomingEvent], signer: str | uuid.UUID) -> dict[int, str]:
    """{event index: recipient id} for the events whose recipient is known and belongs to the right organizer.

    An event naming a recipient id is matched by that id only; the address is the fallback for events
    that name none.
    """
    only = None if signer == SHARED else str(signer)
    by_id = {
        str(id_): (str(org), str(camp))
        for id_, org, camp in sql.fetch_all(
            "SELECT id, organizer_id, campaign_id FROM campaign_recipients WHERE id = ANY(%b::uuid[])",
            [list({e.recipient_id for e in events if e.recipient_id})],
        )
    }
    located, by_address = {}, []
    for event in events:
        organizer = event.organizer_id or only
        if only and event.organizer_id and event.organizer_id != only:
            continue  # an organizer's key signs only its own events
        if event.recipient_id:
            found = by_id.get(event.recipient_id)
            if found and organizer in (None, found[0]) and event.campaign_id in (None, found[1]):
                located[event.index] = event.recipient_id
        elif organizer:
            by_address.append((event, organizer))
    if by_address:
        latest = {
            (str(org), email): str(id_)
            for id_, org, email in sql.fetch_all(
                "SELECT DISTINCT ON (r.organizer_id, lower(r.email)) r.id, r.organizer_id, lower(r.email)"
                " FROM campaign_recipients r JOIN unnest(%b::uuid[], %b::text[]) AS k(organizer_id, email)"
                " ON r.organizer_id = k.organizer_id AND lower(r.email) = k.email"
                " ORDER BY r.organizer_id, lower(r.email), r.sent_at DESC NULLS LAST, r.created_at DESC",
                [[org for _, org in by_address], [e.email.lower() for e, _ in by_address]],
            )
        }
        for event, organizer in by_address:
            if (organizer, event.email.lower()) in latest:
                located[event.index] = latest[(organizer, event.email.lower())]
    return located


INSERT_EVENTS = f"""
WITH incoming AS (
    SELECT * FROM unnest(%b::uuid[], %b::text[], %b::timestamptz[], %b::text[], %b::text[], %b::text[], %b::text[],
                         %b::text[], %b::jsonb[])
      AS e(recipient_id, event_type, occurred_at, provider_event_id, url, user_agent, ip_address, reason,
           provider_response)
), filled AS (
    UPDATE campaign_recipients r SET person_id = p.id FROM persons p
    WHERE r.id IN (SELECT recipient_id FROM incoming) AND r.person_id IS NULL
      AND p.organizer_id = r.organizer_id AND lower(p.email) = lower(r.email)
    RETURNING r.id, p.id AS person_id
), stored AS (
    INSERT INTO campaign_events (organizer_id, campaign_id, recipient_id, person_id, event_type, email, url,
                                 user_agent, ip_address, reason, provider_event_id, provider_response,
                                 occurred_at, created_at)
    SELECT r.organizer_id, r.campaign_id, r.id, coalesce(r.person_id, f.person_id), e.event_type,
           r.email, e.url, e.user_agent, e.ip_address, e.reason, e.provider_event_id, e.provider_response,
           e.occurred_at, now()
    FROM incoming e JOIN campaign_recipients r ON r.id = e.recipient_id LEFT JOIN filled f ON f.id = r.id
    ON CONFLICT DO NOTHING
    RETURNING recipient_id, organizer_id, campaign_id, person_id, event_type, email, reason, occurred_at,
              ({BOUNCE_KIND}) AS bounce_kind
)
SELECT recipient_id, organizer_id, campaign_id, person_id, event_type, email, reason, occurred_at, bounce_kind
FROM stored
"""


def _store_events(events, located):
    kept = [e for e in events if e.index in located]
    columns = (
        [located[e.index] for e in kept],
        [e.event_type for e in kept],
        [e.occurred_at for e in kept],
        [e.provider_event_id for e in kept],
        [e.url for e in kept],
        [e.user_agent for e in kept],
        [e.ip_address for e in kept],
        [e.reason for e in kept],
        [json.dumps(e.provider_response) for e in kept],
    )
    return sql.fetch_all(INSERT_EVENTS, list(columns)) if kept else []


def _advance_recipients(stored):
    """Status moves forward only (bounced/dropped end it); last_error for bounce, dropped and spam."""
    targets = {}
    for recipient_id, _, _, _, kind, _, reason, _, _ in stored:
        status = RECIPIENT_STATUS.get(kind)
        error = (reason or kind) if kind in ("bounce", "dropped") else "spam report" if kind == "spam_report" else None
        current_status, current_error = targets.get(recipient_id, (None, None))
        if status in TERMINAL or (status and current_status not in TERMINAL and _rank(status) > _rank(current_status)):
            current_status = status
        targets[recipient_id] = (current_status, error or current_error)
    if not targets:
        return
    ids, statuses, errors = zip(*((rid, status, error) for rid, (status, error) in targets.items()), strict=True)
    sql.execute(
        "WITH t AS (SELECT t.*, t.status IN ('bounced', 'dropped') AS ends,"
        "   coalesce(array_position(%(order)b::text[], t.status), -1) AS rank"
        "   FROM unnest(%(ids)b::uuid[], %(statuses)b::text[], %(errors)b::text[]) AS t(id, status, error))"
        " UPDATE campaign_recipients r SET"
        " status = CASE WHEN t.ends OR t.rank > coalesce(array_position(%(order)b::text[], r.status), 0)"
        "   THEN t.status ELSE r.status END,"
        " last_error = coalesce(t.error, r.last_error)"
        " FROM t WHERE r.id = t.id AND r.status NOT IN ('bounced', 'dropped', 'failed', 'skipped')"
        " AND (t.ends OR t.rank > coalesce(array_position(%(order)b::text[], r.status), 0)"
        "   OR t.error IS DISTINCT FROM r.last_error AND t.error IS NOT NULL)",
        {"ids": list(ids), "statuses": list(statuses), "errors": list(errors), "order": list(STATUS_ORDER)},
    )


STATUS_ORDER = ("pending", "sending", "sent", "delivered", "opened", "clicked")


def _rank(status):
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


SUPPRESSION_SOURCE = {"spam_report": "spam_report", "unsubscribe": "sendgrid_unsubscribe"}
INTENT_OF_EVENT = {"click": "click_through", "reply": "reply"}


def _suppress(stored):
    rows = [
        (org, email.lower(), SUPPRESSION_SOURCE.get(kind) or "hard_bounce", reason)
        for _, org, _, _, kind, email, reason, _, bounce_kind in stored
        if kind in SUPPRESSION_SOURCE or (kind == "bounce" and bounce_kind == "hard")
    ]
    if rows:
        sql.execute(
            "INSERT INTO unsubscribes (organizer_id, email, source, reason, created_at)"
            " SELECT o, e, s, left(r, 100), now()"
            " FROM unnest(%b::uuid[], %b::text[], %b::text[], %b::text[]) AS u(o, e, s, r)"
            " ON CONFLICT DO NOTHING",
            [list(column) for column in zip(*rows, strict=True)],
        )


def _record_intents(stored):
    rows = [
        (org, person, campaign, INTENT_OF_EVENT[kind], occurred_at)
        for _, org, campaign, person, kind, _, _, occurred_at, _ in stored
        if kind in INTENT_OF_EVENT and person
    ]
    if rows:
        sql.execute(
            "INSERT INTO prospect_intents (organizer_id, person_id, campaign_id, intent_type, source, occurred_at,"
            " created_at)"
            " SELECT o, p, c, t, 'webhook', min(at), now()"
            " FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[], %b::text[], %b::timestamptz[]) AS i(o, p, c, t, at)"
            " GROUP BY o, p, c, t ON CONFLICT DO NOTHING",
            [list(column) for column in zip(*rows, strict=True)],
        )


def _lock_recipients(recipient_ids):
    """Lock the batch's recipients in id order first, so batches delivered at once never deadlock."""
    sql.execute(
        "SELECT 1 FROM campaign_recipients WHERE id = ANY(%b::uuid[]) ORDER BY id FOR UPDATE",
        [sorted(set(recipient_ids))],
    )


@transaction.atomic
def ingest(payload: Sequence[Any], signer: str | uuid.UUID) -> dict[str, Any]:
    """Store a verified batch; returns the report (counts, and rejected events by index)."""
    events, ignored, rejected = parse_batch(payload)
    located = locate_recipients(events, signer)
    _lock_recipients(located.values())
    stored = _store_events(events, located)
    _advance_recipients(stored)
    _suppress(stored)
    _record_intents(stored)
    return {
        "received": len(payload),
        "stored": len(stored),
        "duplicates": len(located) - len(stored),
        "ignored": ignored,
        "unknown_recipient": len(events) - len(located),
        "rejected": rejected,
    }
