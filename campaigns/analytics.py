"""Campaign analytics, read from `campaign_events` only (the recipient engagement columns are frozen).

Unique counts are distinct addresses (one recipient per address per campaign). Rates are percentages
with two decimals over `sent` (0 when nothing was sent), except click_rate (unique clickers over
delivered) and click_to_open (unique clickers over unique openers).
"""

import zoneinfo
from typing import Any

from campaigns.models import Campaign, EventType
from liffy.models import Organizer
from liffy.sql import fetch_all

SUMMARY_TYPES = [choice.value for choice in EventType]
TIMELINE_INTERVALS = ("hour", "day")
TOP_LINKS = 10
TOP_DOMAINS = 100

# Hard: permanent failures; soft: temporary ones; SendGrid's own type (bounce/blocked) decides first.
BOUNCE_KIND = """
    CASE
      WHEN provider_response->>'type' = 'bounce' THEN 'hard'
      WHEN provider_response->>'type' = 'blocked' THEN 'soft'
      WHEN lower(coalesce(reason, '')) ~ '550|invalid|not exist|hard' THEN 'hard'
      WHEN lower(coalesce(reason, '')) ~ 'temp|full|soft|defer' THEN 'soft'
      ELSE 'unknown'
    END"""


def rate(part: float, whole: float) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


def organizer_timezone(organizer: Organizer) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organizer.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _summary(counts):
    """counts: {event_type: (total, unique)} → the summary with rates."""
    total = {kind: counts.get(kind, (0, 0))[0] for kind in SUMMARY_TYPES}
    unique = {kind: counts.get(kind, (0, 0))[1] for kind in SUMMARY_TYPES}
    sent = unique["sent"]
    return {
        "counts": total,
        "sent": sent,
        "delivered": unique["delivered"],
        "opens": {"unique": unique["open"], "total": total["open"]},
        "clicks": {"unique": unique["click"], "total": total["click"]},
        "bounced": unique["bounce"],
        "spam_reports": unique["spam_report"],
        "unsubscribed": unique["unsubscribe"],
        "replies": unique["reply"],
        "rates": {
            "delivery_rate": rate(unique["delivered"], sent),
            "open_rate": rate(unique["open"], sent),
            "click_rate": rate(unique["click"], unique["delivered"]),
            "click_to_open": rate(unique["click"], unique["open"]),
            "bounce_rate": rate(unique["bounce"], sent),
            "spam_rate": rate(unique["spam_report"], sent),
            "unsubscribe_rate": rate(unique["unsubscribe"], sent),
        },
    }


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    # per (type, address) first, then per type: a hash aggregate, twice as fast as count(DISTINCT …)'s sort
    rows = fetch_all(
        "SELECT event_type, sum(events)::int, count(*) FROM ("
        " SELECT event_type, lower(email), count(*) AS events FROM campaign_events"
        " WHERE organizer_id = %s AND campaign_id = %s GROUP BY 1, 2) AS per_address GROUP BY event_type",
        [campaign.organizer_id, campaign.pk],
    )
    return _summary({kind: (total, unique) for kind, total, unique in rows})


def bounce_breakdown(campaign: Campaign) -> dict[str, int]:
    rows = fetch_all(
        f"SELECT {BOUNCE_KIND} AS kind, count(*) FROM campaign_events"
        " WHERE organizer_id = %s AND campaign_id = %s AND event_type = 'bounce' GROUP BY kind",
        [campaign.organizer_id, campaign.pk],
    )
    return {"hard": 0, "soft": 0, "unknown": 0} | dict(rows)


def top_links(campaign: Campaign, limit: int = TOP_LINKS) -> list[dict[str, Any]]:
    rows = fetch_all(
        "SELECT url, count(*) AS clicks, count(DISTINCT lower(email)) FROM campaign_events"
        " WHERE organizer_id = %s AND campaign_id = %s AND event_type = 'click' AND url IS NOT NULL"
        " GROUP BY url ORDER BY clicks DESC, url LIMIT %s",
        [campaign.organizer_id, campaign.pk, limit],
    )
    return [{"url": url, "clicks": clicks, "unique_clickers": unique} for url, clicks, unique in rows]


def domains(campaign: Campaign, limit: int = TOP_DOMAINS) -> list[dict[str, Any]]:
    """Per recipient domain: unique addresses per event type, biggest domains first."""
    rows = fetch_all(
        "SELECT split_part(lower(email), '@', 2) AS domain,"
        " count(DISTINCT lower(email)) FILTER (WHERE event_type = 'sent'),"
        " count(DISTINCT lower(email)) FILTER (WHERE event_type = 'delivered'),"
        " count(DISTINCT lower(email)) FILTER (WHERE event_type = 'open'),"
        " count(DISTINCT lower(email)) FILTER (WHERE event_type = 'click'),"
        " count(DISTINCT lower(email)) FILTER (WHERE event_type = 'bounce')"
        " FROM campaign_events WHERE organizer_id = %s AND campaign_id = %s"
        " GROUP BY domain ORDER BY 2 DESC, domain LIMIT %s",
        [campaign.organizer_id, campaign.pk, limit],
    )
    return [
        {
            "domain": domain,
            "sent": sent,
            "delivered": delivered,
            "opened": opened,
            "clicked": clicked,
            "bounced": bounced,
            "open_rate": rate(opened, sent),
            "bounce_rate": rate(bounced, sent),
        }
        for domain, sent, delivered, opened, clicked, bounced in rows
    ]


def timeline(campaign: Campaign, organizer: Organizer, interval: str = "hour") -> dict[str, Any]:
    """Events per type per hour or day, bucketed in the organizer's time zone."""
    if interval not in TIMELINE_INTERVALS:
        raise ValueError(interval)
    zone = organizer_timezone(organizer)
    rows = fetch_all(
        "SELECT date_trunc(%s, occurred_at AT TIME ZONE %s) AS bucket, event_type, count(*)"
        " FROM campaign_events WHERE organizer_id = %s AND campaign_id = %s"
        " GROUP BY bucket, event_type ORDER BY bucket",
        [interval, zone.key, campaign.organizer_id, campaign.pk],
    )
    buckets = {}
    for bucket, kind, count in rows:
        buckets.setdefault(bucket, dict.fromkeys(SUMMARY_TYPES, 0))[kind] = count
    return {
        "interval": interval,
        "timezone": zone.key,
        "buckets": [{"start": bucket.replace(tzinfo=zone).isoformat(), **counts} for bucket, counts in buckets.items()],
    }


def campaign_report(campaign: Campaign) -> dict[str, Any]:
    return {
        "summary": campaign_summary(campaign),
        "bounces": bounce_breakdown(campaign),
        "top_links": top_links(campaign),
        "domains": domains(campaign),
    }


def organizer_overview(organizer: Organizer) -> dict[str, Any]:
    """Every campaign of the organizer with its summary, and the totals across them."""
    rows = fetch_all(
        "SELECT c.id, c.name, c.status, e.event_type, count(e.id), count(DISTINCT lower(e.email))"
        " FROM campaigns c LEFT JOIN campaign_events e ON e.campaign_id = c.id AND e.organizer_id = c.organizer_id"
        " WHERE c.organizer_id = %s GROUP BY c.id, c.name, c.status, e.event_type ORDER BY c.created_at DESC",
        [organizer.pk],
    )
    campaigns, totals = {}, {}
    for campaign_id, name, status, kind, total, unique in rows:
        entry = campaigns.setdefault(
            campaign_id, {"id": str(campaign_id), "name": name, "status": status, "counts": {}}
        )
        if kind:
            entry["counts"][kind] = (total, unique)
            previous = totals.get(kind, (0, 0))
            totals[kind] = (previous[0] + total, previous[1] + unique)
    return {
        "campaigns": [
            {**{k: v for k, v in entry.items() if k != "counts"}, **_summary(entry["counts"])}
            for entry in campaigns.values()
        ],
        "totals": _summary(totals),
    }
