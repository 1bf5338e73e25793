"""Writes of the identity, affiliation and intent layers."""

from typing import Any

from django.core.validators import validate_email
from django.utils import timezone

from liffy.errors import Conflict, InvalidInput, checked_input, refuse_on_violation
from liffy.models import Organizer, User
from persons.models import Affiliation, Person, ProspectIntent


def normalize_email(raw: str | None) -> str:
    """Lower-cased and trimmed; InvalidInput when it is not an address."""
    email = (raw or "").strip().lower()
    with checked_input():
        validate_email(email)
    return email


def create_person(
    organizer: Organizer, *, email: str, first_name: str | None = None, last_name: str | None = None
) -> Person:
    email = normalize_email(email)
    with refuse_on_violation("persons_organizer_email_uniq", Conflict(f"A person with email {email} already exists.")):
        return Person.objects.create(organizer=organizer, email=email, first_name=first_name, last_name=last_name)


def update_person(person: Person, **values: Any) -> Person:
    """Names and other details; the email never changes."""
    if "email" in values and values.pop("email").strip().lower() != person.email:
        raise InvalidInput({"email": "A person's email is immutable."})
    for field, value in values.items():
        setattr(person, field, value)
    person.updated_at = timezone.now()
    person.save(update_fields=[*values, "updated_at"])
    return person


def delete_person(person: Person) -> None:
    """Person, affiliations, intents and CRM push logs go; unsubscribes stay so the address is never mailed again."""
    person.delete()


def add_affiliation(person: Person, **values: Any) -> Affiliation:
    refusal = Conflict(f"{person.email} already has an affiliation with {values.get('company_name')}.")
    with refuse_on_violation("affiliations_person_company_uniq", refusal):
        return Affiliation.objects.create(organizer_id=person.organizer_id, person=person, **values)


def record_intent(
    organizer: Organizer, *, person: Person, created_by: User | None = None, **values: Any
) -> ProspectIntent:
    refusal = Conflict("This person already has this intent for this campaign.")
    with refuse_on_violation("prospect_intents_dedup_uniq", refusal):
        return ProspectIntent.objects.create(organizer=organizer, person=person, created_by_user=created_by, **values)


def delete_intent(intent: ProspectIntent) -> None:
    intent.delete()
