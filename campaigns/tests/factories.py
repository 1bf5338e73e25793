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

from campaigns.tests.fake_sendgrid import VALID_KEY
from liffy.tests.factories import OrganizerFactory


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    organizer = factory.SubFactory(OrganizerFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject = "Hello {{display_name}}"
    body_html = '<p>Hi {{first_name|"there"}},</p><p>See you at the fair.</p>'


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


def sendable_organizer(**extra):
    """An organizer that can send: SendGrid key of the fake server, physical address, fast limits."""
    return OrganizerFactory(
        **{
            "sendgrid_api_key": VALID_KEY,
            "send_rate_per_second": 1000,
            "send_batch_size": 4,
            "physical_address": "Messe Allee 1\n04356 Leipzig",
        }
        | extra
    )


def ready_campaign(locals_, organizer=None, status="ready"):
    """A resolved campaign with one recipient per local part (`ok1` → ok1@client.test)."""
    organizer = organizer or sendable_organizer()
    sender = SenderIdentityFactory(organizer=organizer, from_email="events@fair.test", reply_to="team@fair.test")
    campaign = CampaignFactory(organizer=organizer, sender=sender, status=status, recipient_count=len(locals_))
    for local in locals_:
        CampaignRecipientFactory(
            campaign=campaign,
            email=f"{local}@client.test",
            name=local.title(),
            meta={"first_name": local.title(), "company": "Client & Co"},
        )
    return campaign
