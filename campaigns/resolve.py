"""Resolve (draft → ready): snapshot a list's members into campaign recipients.

Read from the canonical tables only: list_members → persons → the latest affiliation (newest with a
company name, else newest). One INSERT … SELECT per campaign applies every filter in the database and
counts every member's verdict in the same statement; one recipient per lower(email) is kept by the
unique index (ON CONFLICT DO NOTHING). The campaign row is locked for the whole resolve.
"""

from django.db import transaction

from campaigns.lifecycle import S, _refused
from campaigns.models import Campaign, VerificationMode
from liffy import sql
from liffy.errors import InvalidInput

STAT_KEYS = (
    "total_in_list",
    "excluded_blank",
    "excluded_unsubscribed",
    "excluded_invalid",
    "excluded_risky",
    "excluded_unverified",
    "excluded_duplicate",
    "eligible",
    "inserted",
)


class NothingToSend(InvalidInput):
    """Resolve would add no recipient; the campaign stays a draft."""

    def __init__(self, stats: dict[str, int]):
        self.stats = stats
        super().__init__(_why(stats))


def _why(stats):
    """The reason in words, consistent with the numbers next to it: eligible members that are all already
    recipients are said to be so, not "no eligible recipients"."""
    if stats["eligible"]:
        return (
            f"All {stats['eligible']} eligible members of the list's {stats['total_in_list']} are already "
            "recipients of this campaign: nothing to add."
        )
    reasons = [f"{stats[key]} {key.removeprefix('excluded_')}" for key in STAT_KEYS[1:7] if stats[key]]
    base = f"No eligible recipients among the list's {stats['total_in_list']} members"
    return base + (f" (excluded: {', '.join(reasons)})." if reasons else ".")


# Per member: why it is left out (first reason wins), in the database.
CLASSIFY = """
    CASE
      WHEN coalesce(btrim(p.email), '') = '' THEN 'excluded_blank'
      WHEN EXISTS (SELECT 1 FROM unsubscribes u
                   WHERE u.organizer_id = %(organizer)b AND lower(u.email) = lower(p.email))
        THEN 'excluded_unsubscribed'
      WHEN %(verified_only)b AND coalesce(p.verification_status, 'unknown') NOT IN ('valid', 'catchall')
           THEN 'excluded_unverified'
      WHEN p.verification_status = 'invalid' THEN 'excluded_invalid'
      WHEN p.verification_status = 'risky' AND NOT %(include_risky)b THEN 'excluded_risky'
      ELSE 'eligible'
    END
"""

# The members are read once (MATERIALIZED): the insert and the counts share them.
RESOLVE = f"""
WITH members AS MATERIALIZED (
    SELECT p.id, p.email, p.first_name, p.last_name, {CLASSIFY} AS verdict
    FROM list_members lm
    JOIN persons p ON p.id = lm.person_id AND p.organizer_id = %(organizer)b
    WHERE lm.list_id = %(list)b AND lm.organizer_id = %(organizer)b
), inserted AS (
    INSERT INTO campaign_recipients (organizer_id, campaign_id, email, name, meta, status, person_id,
                                     created_at, open_count, click_count)
    SELECT %(organizer)b, %(campaign)b, lower(btrim(m.email)),
           nullif(btrim(concat_ws(' ', m.first_name, m.last_name)), ''),
           jsonb_strip_nulls(jsonb_build_object(
               'first_name', m.first_name, 'last_name', m.last_name, 'company', a.company_name,
               'company_name', a.company_name, 'country', a.country_code, 'position', a.position,
               'city', a.city, 'website', a.website, 'phone', a.phone, 'person_id', m.id)),
           'pending', m.id, now(), 0, 0
    FROM members m
    LEFT JOIN LATERAL (
        SELECT company_name, country_code, position, city, website, phone FROM affiliations
        WHERE person_id = m.id ORDER BY (company_name IS NULL), created_at DESC, id DESC LIMIT 1
    ) a ON true
    WHERE m.verdict = 'eligible'
    ON CONFLICT (campaign_id, lower(email)) DO NOTHING
    RETURNING 1
)
SELECT verdict, count(*) FROM members GROUP BY verdict
UNION ALL SELECT 'inserted', count(*) FROM inserted
"""


@transaction.atomic
def resolve_campaign(campaign: Campaign) -> dict[str, int]:
    """draft → ready with a recipient snapshot; returns the statistics. Raises NothingToSend at 0 eligible."""
    locked = Campaign.objects.select_for_update(of=("self",)).select_related("sender").get(pk=campaign.pk)
    if locked.status != S.DRAFT:
        raise _refused(campaign, "resolved")
    _check_ready(locked)
    stats = dict.fromkeys(STAT_KEYS, 0)
    params = {
        "organizer": locked.organizer_id,
        "campaign": locked.pk,
        "list": locked.list_id,
        "verified_only": locked.verification_mode == VerificationMode.VERIFIED_ONLY,
        "include_risky": locked.include_risky,
    }
    for verdict, count in sql.fetch_all(RESOLVE, params):
        stats[verdict] += count
    # every member got one verdict; eligible members beyond one per address are the duplicates
    stats["total_in_list"] = sum(stats[key] for key in STAT_KEYS[1:6]) + stats["eligible"]
    stats["excluded_duplicate"] = stats["eligible"] - stats["inserted"]
    if stats["inserted"] == 0:
        transaction.set_rollback(True)
        raise NothingToSend(stats)
    Campaign.objects.filter(pk=locked.pk).update(status=S.READY, recipient_count=stats["inserted"])
    campaign.refresh_from_db()
    return stats


def _check_ready(campaign):
    errors = {}
    if not campaign.list_id:
        errors["list"] = "set a list before resolving"
    if not campaign.sender_id:
        errors["sender"] = "set a sender before resolving"
    elif not campaign.sender.is_active:
        errors["sender"] = "the sender is deactivated"
    if errors:
        raise InvalidInput(errors)
