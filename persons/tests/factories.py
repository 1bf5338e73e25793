import factory

from liffy.tests.factories import OrganizerFactory
from persons.models import Affiliation, Person, ProspectIntent, VerificationQueue, ZohoPushLog


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organizer = factory.SubFactory(OrganizerFactory)
    email = factory.Sequence(lambda n: f"person{n}@acme{n % 7}.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organizer = factory.SelfAttribute("person.organizer")
    company_name = factory.Faker("company")
    position = factory.Faker("job")
    country_code = "DE"
    city = "Berlin"
    source_type = "manual"


class ProspectIntentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProspectIntent

    person = factory.SubFactory(PersonFactory)
    organizer = factory.SelfAttribute("person.organizer")
    intent_type = "reply"
    source = "manual"


class VerificationQueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationQueue

    person = factory.SubFactory(PersonFactory)
    organizer = factory.SelfAttribute("person.organizer")
    email = factory.SelfAttribute("person.email")


class ZohoPushLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ZohoPushLog

    person = factory.SubFactory(PersonFactory)
    organizer = factory.SelfAttribute("person.organizer")
    zoho_module = "Leads"
    action = "create"
    zoho_record_id = factory.Sequence(lambda n: f"5725767000000{n:06d}")
