"""Database-enforced invariants of the identity and intent layers."""

import pytest
from django.db import IntegrityError, transaction

from campaigns.tests.factories import CampaignFactory
from liffy.tests.factories import OrganizerFactory
from persons.models import Person, ProspectIntent, VerificationQueue
from persons.tests.factories import AffiliationFactory, PersonFactory, ProspectIntentFactory


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_same_email_twice_in_one_organizer_is_refused_in_any_case(organizer):
    PersonFactory(organizer=organizer, email="jane@acme.test")
    refused(PersonFactory, organizer=organizer, email="JANE@Acme.test")


def test_same_email_in_two_organizers_is_two_persons(organizer, other_organizer):
    PersonFactory(organizer=organizer, email="jane@acme.test")
    PersonFactory(organizer=other_organizer, email="jane@acme.test")
    assert Person.objects.filter(email="jane@acme.test").count() == 2


def test_person_email_never_changes(organizer):
    person = PersonFactory(organizer=organizer, email="jane@acme.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(email="other@acme.test")
    Person.objects.filter(pk=person.pk).update(first_name="Janet")  # other columns stay editable
    assert Person.objects.get(pk=person.pk).first_name == "Janet"


def test_affiliation_company_is_unique_per_person_ignoring_case(organizer):
    person = PersonFactory(organizer=organizer)
    AffiliationFactory(person=person, company_name="Acme GmbH")
    refused(AffiliationFactory, person=person, company_name="ACME gmbh")
    AffiliationFactory(person=person, company_name="Globex")
    AffiliationFactory(person=PersonFactory(organizer=organizer), company_name="Acme GmbH")


def test_affiliations_without_company_are_allowed_more_than_once(organizer):
    person = PersonFactory(organizer=organizer)
    AffiliationFactory(person=person, company_name=None, position="CEO")
    AffiliationFactory(person=person, company_name=None, position="Founder")
    assert person.affiliations.count() == 2


def test_confidence_must_be_between_zero_and_one(organizer):
    refused(AffiliationFactory, person=PersonFactory(organizer=organizer), confidence=1.5)


def test_intent_is_unique_per_person_campaign_and_type_with_a_null_campaign(organizer):
    person = PersonFactory(organizer=organizer)
    ProspectIntentFactory(person=person, intent_type="reply", campaign=None)
    refused(ProspectIntentFactory, person=person, intent_type="reply", campaign=None)
    campaign = CampaignFactory(organizer=organizer)
    ProspectIntentFactory(person=person, intent_type="reply", campaign=campaign)
    refused(ProspectIntentFactory, person=person, intent_type="reply", campaign=campaign)
    ProspectIntentFactory(person=person, intent_type="meeting_booked", campaign=None)


def test_intent_type_and_source_are_checked(organizer):
    refused(ProspectIntentFactory, person=PersonFactory(organizer=organizer), intent_type="gossip")
    refused(ProspectIntentFactory, person=PersonFactory(organizer=organizer), source="carrier pigeon")


def test_deleting_campaigns_keeps_their_intents_without_a_campaign(organizer):
    first, second, third = (CampaignFactory(organizer=organizer) for _ in range(3))
    alone, already_known, twice = (PersonFactory(organizer=organizer) for _ in range(3))
    ProspectIntentFactory(person=alone, intent_type="click_through", campaign=first)
    ProspectIntentFactory(person=already_known, intent_type="reply", campaign=None, notes="manual")
    ProspectIntentFactory(person=already_known, intent_type="reply", campaign=first)
    earliest = ProspectIntentFactory(person=twice, intent_type="click_through", campaign=second)
    ProspectIntentFactory(person=twice, intent_type="click_through", campaign=third)

    type(first).objects.filter(pk__in=[first.pk, second.pk, third.pk]).delete()

    intents = ProspectIntent.objects.filter(organizer=organizer)
    assert not intents.filter(campaign__isnull=False).exists()
    assert intents.filter(person=alone).count() == 1
    assert list(intents.filter(person=already_known).values_list("notes", flat=True)) == ["manual"]
    assert list(intents.filter(person=twice).values_list("pk", flat=True)) == [earliest.pk]


def test_verification_queue_holds_one_open_row_per_organizer_and_email(organizer):
    def queue(email, status="pending", org=organizer):
        return VerificationQueue.objects.create(organizer=org, email=email, status=status)

    queue("jane@acme.test")
    for status in ("pending", "processing"):
        with pytest.raises(IntegrityError), transaction.atomic():
            queue("JANE@acme.test", status)
    queue("jane@acme.test", "completed")
    queue("jane@acme.test", "failed")
    queue("jane@acme.test", org=OrganizerFactory())
