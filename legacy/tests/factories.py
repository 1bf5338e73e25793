import factory

from legacy.models import List, ListMember, ListUpload, Prospect
from liffy.tests.factories import OrganizerFactory
from persons.tests.factories import PersonFactory


class ListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = List

    organizer = factory.SubFactory(OrganizerFactory)
    name = factory.Sequence(lambda n: f"List {n}")
    type = "manual"


class ListMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListMember

    list = factory.SubFactory(ListFactory)
    organizer = factory.SelfAttribute("list.organizer")
    person = factory.SubFactory(PersonFactory, organizer=factory.SelfAttribute("..organizer"))


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    organizer = factory.SubFactory(OrganizerFactory)
    email = factory.Sequence(lambda n: f"prospect{n}@legacy.test")
    name = "Pat Legacy"


class ListUploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListUpload

    list = factory.SubFactory(ListFactory)
    organizer = factory.SelfAttribute("list.organizer")
    name = "contacts.csv"
    data = b"email\njane@acme.test\n"
    size = factory.LazyAttribute(lambda upload: len(upload.data))
