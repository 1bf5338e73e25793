import factory

from campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    EmailTemplate,
    SendThrottle,
    SenderIdentity,
    Unsubscribe,
)
from django.utils import timezone

from liffy.tests.factories import OrganizerFactory


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    organizer = factory.SubFactory(OrganizerFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject = "Hello {{display_name}}"
    body_html = "<p>Hi {{first_name|\"there\"}},</p><p>See you at the fair.</p>"


class SenderIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SenderIdentity

    organizer = factory.SubFactory(OrganizerFactory)
    from_name = "Events Team"
    from_email = factory.Sequence(lambda n: f"events{n}@organizer.test")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    organizer = factory.SubFactory(OrganizerFactory)
    template = factory.SubFactory(EmailTemplateFactory, organizer=factory.SelfAttribute("..organizer"))
    name = factory.Sequence(lambda n: f"Campaign {n}")


class CampaignRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignRecipient

    campaign = factory.SubFactory(CampaignFactory)
    organizer = factory.SelfAttribute("campaign.organizer")
    email = factory.Sequence(lambda n: f"recipient{n}@client.test")


class CampaignEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignEvent

    recipient = factory.SubFactory(CampaignRecipientFactory)
    campaign = factory.SelfAttribute("recipient.campaign")
    organizer = factory.SelfAttribute("recipient.organizer")
    email = factory.SelfAttribute("recipient.email")
    event_type = "sent"


class UnsubscribeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unsubscribe

    organizer = factory.SubFactory(OrganizerFactory)
    email = factory.Sequence(lambda n: f"gone{n}@client.test")


class SendThrottleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SendThrottle

    organizer = factory.SubFactory(OrganizerFactory)
    next_slot_at = factory.LazyFunction(timezone.now)
