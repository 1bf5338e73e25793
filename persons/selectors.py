"""Reads of persons and their layers that need more than one line of ORM."""
from django.db.models import Count, Exists, ExpressionWrapper, Max, OuterRef, Prefetch, Q, BooleanField

from campaigns.models import CampaignEvent
from persons.models import Affiliation, Person, ProspectIntent, VerificationStatus


def latest_affiliations():
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


def persons_with_latest_affiliation(organizer):
    return Person.objects.for_organizer(organizer).prefetch_related(
        Prefetch("affiliations", queryset=latest_affiliations(), to_attr="latest_affiliation_list")
    )


def person_stats(organizer) -> dict:
    persons = Person.objects.for_organizer(organizer)
    by_status = dict.fromkeys(VerificationStatus.values, 0)
    for row in persons.values("verification_status").annotate(n=Count("id")):
        by_status[row["verification_status"] or VerificationStatus.UNKNOWN] += row["n"]
    return {
        "total": sum(by_status.values()),
        "by_verification_status": by_status,
        "with_intent": persons.filter(Exists(ProspectIntent.objects.filter(person=OuterRef("pk")))).count(),
    }


def engagement_summary(person) -> dict:
    """Per event type: how many, and when last — matched by person_id."""
    rows = (
        CampaignEvent.objects.filter(organizer_id=person.organizer_id, person=person)
        .values("event_type")
        .annotate(count=Count("id"), last_at=Max("occurred_at"))
        .order_by("event_type")
    )
    return {row["event_type"]: {"count": row["count"], "last_at": row["last_at"]} for row in rows}


def intent_stats(organizer) -> list[dict]:
    return list(
        ProspectIntent.objects.for_organizer(organizer)
        .values("intent_type")
        .annotate(count=Count("id"), unique_persons=Count("person", distinct=True))
        .order_by("intent_type")
    )
