"""Reads of persons and their layers that need more than one line of ORM."""

from uuid import UUID

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Lookup,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    UUIDField,
    Value,
)

from campaigns.models import CampaignEvent
from liffy.search import Words, prefix_query
from liffy.models import Organizer
from persons.models import Affiliation, Person, ProspectIntent, VerificationStatus


def latest_affiliations() -> QuerySet[Affiliation]:
    """At most one affiliation per person: the newest with a company name, else the newest.

    Meant for `Prefetch(..., to_attr=...)`: one query for a whole page, whatever its size.
    """
    return (
        Affiliation.objects.annotate(
            no_company=ExpressionWrapper(Q(company_name__isnull=True), output_field=BooleanField())
        )
        .order_by("person_id", "no_company", "-created_at", "-id")
        .distinct("person_id")
    )


def persons_with_latest_affiliation(organizer: Organizer | UUID) -> QuerySet[Person]:
    return Person.objects.for_organizer(organizer).prefetch_related(
        Prefetch("affiliations", queryset=latest_affiliations(), to_attr="latest_affiliation_list")
    )


class AnyOf(Lookup):
    """`id = ANY(%s)`: thousands of ids as one array parameter (an `IN (…)` of thousands of parameters
    costs more to build and send than the query takes to run)."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


# a search matching at most this many persons reads them by id; one matching more walks the list in order
SEARCH_IDS_LIMIT = 5000


def search_persons(organizer: Organizer | UUID, persons: QuerySet[Person], term: str) -> QuerySet[Person]:
    """The persons of `persons` whose email starts with `term` (any case), or whose first and last name
    hold a word starting with each word of `term`, or one of whose company names does. A term holding
    `@` is an address: `jane@` finds jane@acme.test, not Janet Smith.

    Each of the three is answered by its own index (the email prefix index, the GIN indexes of the name
    and company words). A rare term (up to SEARCH_IDS_LIMIT matches) is answered by reading the matching
    ids from those indexes first, then only those persons; a common one by walking the list in its order
    and testing each row, which finds a page's worth quickly because matches are dense. Either way a
    person matching twice comes once, and the planner never has to guess how many persons match.
    """
    words = None if "@" in term else prefix_query(term)
    own = Person.objects.for_organizer(organizer).order_by()
    branches = [own.filter(email__istartswith=term).values_list("pk", flat=True)]
    if words is not None:
        branches += [
            own.alias(words=Words("first_name", "last_name")).filter(words=words).values_list("pk", flat=True),
            Affiliation.objects.for_organizer(organizer)
            .order_by()
            .alias(words=Words("company_name"))
            .filter(words=words)
            .values_list("person_id", flat=True),
        ]
    ids = set(branches[0].union(*branches[1:], all=True)[: SEARCH_IDS_LIMIT + 1])
    if len(ids) <= SEARCH_IDS_LIMIT:
        return persons.filter(AnyOf(F("pk"), Value(list(ids), output_field=ArrayField(UUIDField()))))
    matches = Q(email__istartswith=term)
    if words is not None:
        company = Affiliation.objects.alias(words=Words("company_name")).filter(words=words, person=OuterRef("pk"))
        matches |= Q(name_words=words) | Q(Exists(company))
        persons = persons.alias(name_words=Words("first_name", "last_name"))
    return persons.filter(matches)


def person_stats(organizer: Organizer) -> dict:
    persons = Person.objects.for_organizer(organizer)
    by_status = dict.fromkeys(VerificationStatus.values, 0)
    for row in persons.values("verification_status").annotate(n=Count("id")):
        by_status[row["verification_status"] or VerificationStatus.UNKNOWN] += row["n"]
    return {
        "total": sum(by_status.values()),
        "by_verification_status": by_status,
        "with_intent": persons.filter(Exists(ProspectIntent.objects.filter(person=OuterRef("pk")))).count(),
    }


def engagement_summary(person: Person) -> dict:
    """Per event type: how many, and when last — matched by person_id."""
    rows = (
        CampaignEvent.objects.filter(organizer_id=person.organizer_id, person=person)
        .values("event_type")
        .annotate(count=Count("id"), last_at=Max("occurred_at"))
        .order_by("event_type")
    )
    return {row["event_type"]: {"count": row["count"], "last_at": row["last_at"]} for row in rows}


# Engagement score, 0–100, computed on read from the event log and intents (never stored):
#   5 per campaign opened + 10 per campaign clicked + 25 per reply
#   + per intent: meeting_booked 40, form_submission 30, inbound_request 30, manual_qualification 30,
#     referral 20 (click_through and reply intents are counted through their events already)
#   − 10 per hard or soft bounce, − 20 once unsubscribed; a spam report makes it 0.
SCORE_PER_CAMPAIGN = {"open": 5, "click": 10}
SCORE_PER_EVENT = {"reply": 25, "bounce": -10}
SCORE_PER_INTENT = {
    "meeting_booked": 40,
    "form_submission": 30,
    "inbound_request": 30,
    "manual_qualification": 30,
    "referral": 20,
}
UNSUBSCRIBE_PENALTY = -20


def engagement_score(person: Person) -> dict:
    """The person's score and the facts it comes from (see the formula above)."""
    events = {
        row["event_type"]: row
        for row in CampaignEvent.objects.filter(organizer_id=person.organizer_id, person=person)
        .values("event_type")
        .annotate(count=Count("id"), campaigns=Count("campaign", distinct=True))
    }
    intents = dict(
        ProspectIntent.objects.filter(organizer_id=person.organizer_id, person=person)
        .values_list("intent_type")
        .annotate(count=Count("id"))
    )
    parts = {
        "campaigns_opened": events.get("open", {}).get("campaigns", 0) * SCORE_PER_CAMPAIGN["open"],
        "campaigns_clicked": events.get("click", {}).get("campaigns", 0) * SCORE_PER_CAMPAIGN["click"],
        "replies": events.get("reply", {}).get("count", 0) * SCORE_PER_EVENT["reply"],
        "bounces": events.get("bounce", {}).get("count", 0) * SCORE_PER_EVENT["bounce"],
        "intents": sum(SCORE_PER_INTENT.get(kind, 0) * count for kind, count in intents.items()),
        "unsubscribed": UNSUBSCRIBE_PENALTY if "unsubscribe" in events else 0,
    }
    spam = "spam_report" in events
    score = 0 if spam else max(0, min(100, sum(parts.values())))
    return {"score": score, "spam_reported": spam, "points": parts}


def intent_stats(organizer: Organizer) -> list[dict]:
    return list(
        ProspectIntent.objects.for_organizer(organizer)
        .values("intent_type")
        .annotate(count=Count("id"), unique_persons=Count("person", distinct=True))
        .order_by("intent_type")
    )
