"""Writes of the identity, affiliation and intent layers."""
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from liffy.exceptions import Conflict
from persons.models import Affiliation, Person, ProspectIntent


def normalize_email(raw) -> str:
    """Lower-cased and trimmed; a ValidationError when it is not an address."""
    email = (raw or "").strip().lower()
    validate_email(email)
    return email


def create_person(organizer, *, email, first_name=None, last_name=None) -> Person:
    try:
        with transaction.atomic():
            return Person.objects.create(
                organizer=organizer, email=normalize_email(email), first_name=first_name, last_name=last_name
            )
    except IntegrityError:
        raise Conflict(f"A person with email {email.strip().lower()} already exists.")


def update_person(person: Person, **values) -> Person:
    """Names and other details; the email never changes."""
    if "email" in values and values.pop("email").strip().lower() != person.email:
        raise ValidationError({"email": "A person's email is immutable."})
    for field, value in values.items():
        setattr(person, field, value)
    person.updated_at = timezone.now()
    person.save(update_fields=[*values, "updated_at"])
    return person


def delete_person(person: Person) -> None:
    """Person, affiliations, intents and CRM push logs go; unsubscribes stay so the address is never mailed again."""
    person.delete()


def add_affiliation(person: Person, **values) -> Affiliation:
    try:
        with transaction.atomic():
            return Affiliation.objects.create(organizer_id=person.organizer_id, person=person, **values)
    except IntegrityError:
        raise Conflict(f"{person.email} already has an affiliation with {values.get('company_name')}.")


def record_intent(organizer, *, person, created_by=None, **values) -> ProspectIntent:
    try:
        with transaction.atomic():
            return ProspectIntent.objects.create(
                organizer=organizer, person=person, created_by_user=created_by, **values
            )
    except IntegrityError:
        raise Conflict("This person already has this intent for this campaign.")


def delete_intent(intent: ProspectIntent) -> None:
    intent.delete()
