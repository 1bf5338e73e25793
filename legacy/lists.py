"""Lists: membership writes and the reads of a list's members."""

import io
from collections.abc import Iterable
from functools import partial
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from legacy.models import List, ListMember
from liffy import sql
from liffy.csv_export import SpreadsheetSafeWriter
from liffy.errors import InvalidInput
from mining.normalize.emails import check_email
from persons.bulk import upsert_candidates
from persons.candidates import Candidate
from persons.models import Person
from persons.selectors import persons_with_latest_affiliation

EXPORT_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "company",
    "position",
    "country",
    "city",
    "phone",
    "website",
    "verification_status",
)


def add_members(organizer_id: UUID | str, list_id: UUID | str, person_ids: Iterable[UUID | str]) -> int:
    """Add persons to a list (already there: ignored); returns how many were added."""
    if not person_ids:
        return 0
    return sql.execute(
        "INSERT INTO list_members (id, organizer_id, list_id, person_id, created_at)"
        " SELECT gen_random_uuid(), %s::uuid, %s::uuid, p, now() FROM unnest(%b::uuid[]) AS p"
        " ON CONFLICT (list_id, person_id) WHERE person_id IS NOT NULL DO NOTHING",
        [organizer_id, list_id, sorted({UUID(str(person)) for person in person_ids})],
    )


@transaction.atomic
def add_members_by_reference(
    target: List, *, person_ids: Iterable[UUID | str] = (), emails: Iterable[str] = ()
) -> dict[str, int]:
    """Add the organizer's persons by id, and by address (a person is created for an unknown address).

    Every id must be the organizer's (else InvalidInput naming it); returns {added, already_members}.
    """
    organizer_id = target.organizer_id
    ids = set(map(str, person_ids))
    found = {
        str(pk) for pk in Person.objects.for_organizer(organizer_id).filter(pk__in=ids).values_list("pk", flat=True)
    }
    if ids - found:
        raise InvalidInput({"person_ids": [f"unknown person {pk}" for pk in sorted(ids - found)]})
    addresses, bad = {}, []
    for email in emails:
        clean, reason = check_email(email)
        if clean:
            addresses[clean] = None
        else:
            bad.append(f"{email!r}: {reason}")
    if bad:
        raise InvalidInput({"emails": bad})
    if addresses:
        upserted = upsert_candidates(organizer_id, [Candidate(email) for email in addresses], source_type="manual")
        found |= {str(pk) for pk in upserted.person_ids.values()}
    added = add_members(organizer_id, target.pk, found)
    return {"added": added, "already_members": len(found) - added}


def remove_members(target: List, person_ids: Iterable[UUID | str]) -> int:
    deleted, _ = ListMember.objects.filter(list=target, person_id__in=list(person_ids)).delete()
    return deleted


def members(target: List) -> QuerySet[Person]:
    """The list's persons with their latest affiliation (`latest_affiliation_list`), newest member first."""
    return (
        persons_with_latest_affiliation(target.organizer_id)
        .filter(list_memberships__list=target)
        .order_by("-list_memberships__created_at", "email")
    )


def _value_of(affiliation, name):
    return (getattr(affiliation, name) or "") if affiliation else ""


def export_csv(target: List) -> str:
    """The list as CSV text, one row per member; cells a spreadsheet would run as formulas are neutralised."""
    buffer = io.StringIO()
    writer = SpreadsheetSafeWriter(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for person in members(target).iterator(chunk_size=2000):
        affiliation = person.latest_affiliation_list[0] if person.latest_affiliation_list else None
        of = partial(_value_of, affiliation)
        writer.writerow(
            [
                person.email,
                person.first_name or "",
                person.last_name or "",
                of("company_name"),
                of("position"),
                of("country_code"),
                of("city"),
                of("phone"),
                of("website"),
                person.verification_status,
            ]
        )
    return buffer.getvalue()
