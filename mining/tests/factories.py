import factory

from liffy.tests.factories import OrganizerFactory
from mining.models import MiningJob, MiningJobLog, MiningResult


class MiningJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MiningJob

    organizer = factory.SubFactory(OrganizerFactory)
    type = "url"
    input = factory.Sequence(lambda n: f"https://fair{n}.test/exhibitors")


class MiningResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MiningResult

    job = factory.SubFactory(MiningJobFactory)
    organizer = factory.SelfAttribute("job.organizer")
    source_url = factory.SelfAttribute("job.input")
    emails = factory.Sequence(lambda n: [f"contact{n}@exhibitor.test"])
    company_name = factory.Faker("company")


class MiningJobLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MiningJobLog

    job = factory.SubFactory(MiningJobFactory)
    message = "Job started"
