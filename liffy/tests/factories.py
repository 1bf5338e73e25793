import factory

from liffy.models import Organizer, Role, User

PASSWORD = "correct-horse-battery"


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizer

    name = factory.Sequence(lambda n: f"Organizer {n}")
    slug = factory.Sequence(lambda n: f"organizer-{n}")
    timezone = "Europe/Berlin"
    physical_address = "Example Street 1, 10115 Berlin, Germany"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    organizer = factory.SubFactory(OrganizerFactory)
    email = factory.Sequence(lambda n: f"user{n}@liffy.test")
    role = Role.USER
    password = factory.django.Password(PASSWORD)
