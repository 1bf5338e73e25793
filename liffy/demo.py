"""Demo data for a fresh installation: two organizers with users, contacts, a list and campaigns.

Every demo row is found by a stable identifier before it is created, never by a name users can reuse:
organizers by slug, users by email, persons by (organizer, email), and templates, senders, lists and
campaigns by fixed ids (`demo_id`). So seeding again changes nothing, and an organizer who names a
campaign "Spring fair invitation" does not trip it up. `seed_demo(only_if_missing=True)` (what
`scripts/run` does) leaves a database that already has the demo alone, so every start after the
first is quick and keeps what users changed.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EmailTemplate,
    EventType,
    RecipientStatus,
    SenderIdentity,
    Unsubscribe,
)
from legacy.models import List, ListMember
from liffy.models import Organizer, Role, User
from persons.models import Affiliation, Person, ProspectIntent, VerificationStatus

STAFF_EMAIL = "admin@liffy.test"
STAFF_PASSWORD = "liffy-admin"
DEMO_PASSWORD = "liffy-demo"
DEMO_NAMESPACE = uuid.UUID("6b1f8a52-3c1e-4a6e-9f0c-2d4e8b7a1c55")

ORGANIZERS = {
    "acme-events": {
        "name": "Acme Events",
        "timezone": "Europe/Berlin",
        "physical_address": "Acme Events GmbH, Messeplatz 1, 10115 Berlin, Germany",
        "users": [("owner@acme.test", Role.OWNER), ("admin@acme.test", Role.ADMIN), ("user@acme.test", Role.USER)],
        "persons": [
            (
                "maria.rossi@fieramilano.it",
                "Maria",
                "Rossi",
                VerificationStatus.VALID,
                "Fiera Milano",
                "Head of Exhibitor Relations",
                "IT",
                "https://fieramilano.it",
            ),
            (
                "jan.novak@expo-praha.cz",
                "Jan",
                "Novák",
                VerificationStatus.VALID,
                "Expo Praha",
                "Sales Director",
                "CZ",
                "https://expo-praha.cz",
            ),
            (
                "sophie.martin@salons-lyon.fr",
                "Sophie",
                "Martin",
                VerificationStatus.RISKY,
                "Salons de Lyon",
                "Marketing Manager",
                "FR",
                "https://salons-lyon.fr",
            ),
            (
                "k.schmidt@messe-nord.de",
                "Klaus",
                "Schmidt",
                VerificationStatus.UNKNOWN,
                "Messe Nord",
                "Geschäftsführer",
                "DE",
                "https://messe-nord.de",
            ),
            (
                "ana.garcia@ferias-madrid.es",
                "Ana",
                "García",
                VerificationStatus.INVALID,
                "Ferias Madrid",
                "Event Coordinator",
                "ES",
                None,
            ),
            ("info@trade-hub.nl", None, None, VerificationStatus.UNKNOWN, "Trade Hub", None, "NL", None),
        ],
    },
    "globex-fairs": {
        "name": "Globex Fairs",
        "timezone": "America/New_York",
        "physical_address": "Globex Fairs Inc., 200 Park Ave, New York, NY 10166, USA",
        "users": [("owner@globex.test", Role.OWNER), ("user@globex.test", Role.USER)],
        "persons": [
            # the same address as at Acme: organizers never see each other's copy
            (
                "maria.rossi@fieramilano.it",
                "Maria",
                "Rossi",
                VerificationStatus.UNKNOWN,
                "Fiera Milano",
                "Exhibitor Relations",
                "IT",
                None,
            ),
            (
                "tom.baker@expo-london.co.uk",
                "Tom",
                "Baker",
                VerificationStatus.VALID,
                "Expo London",
                "Partnerships Lead",
                "GB",
                "https://expo-london.co.uk",
            ),
            (
                "li.wei@canton-trade.cn",
                "Wei",
                "Li",
                VerificationStatus.VALID,
                "Canton Trade Center",
                "Overseas Sales",
                "CN",
                None,
            ),
        ],
    },
}

TEMPLATE_HTML = (
    "<p>Hello {{first_name|there}},</p>"
    "<p>{{company_name|Your team}} is invited to exhibit at our spring fair. "
    "Reply to this mail to get the floor plan.</p>"
    "<p>Best regards,<br>{{sender_name}}</p>"
)


@dataclass
class SeedReport:
    """What the database holds after seeding (the numbers the admin shows), and whether it seeded."""

    loaded: bool
    organizers: list[str]
    users: int
    persons: int
    campaigns: int
    events: int


def demo_id(organizer_slug, kind, key):
    """The fixed id of a demo row: the same on every installation and every run."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{organizer_slug}/{kind}/{key}")


def demo_present():
    """The staff login and every demo organizer exist."""
    return User.objects.filter(email=STAFF_EMAIL).exists() and Organizer.objects.filter(
        slug__in=ORGANIZERS
    ).count() == len(ORGANIZERS)


def seed_demo(only_if_missing=False) -> SeedReport:
    loaded = not (only_if_missing and demo_present())
    if loaded:
        _seed()
    return SeedReport(
        loaded=loaded,
        organizers=list(Organizer.objects.order_by("name").values_list("name", flat=True)),
        users=User.objects.count(),
        persons=Person.objects.count(),
        campaigns=Campaign.objects.count(),
        events=CampaignEvent.objects.count(),
    )


@transaction.atomic
def _seed():
    _staff_user()
    for slug, spec in ORGANIZERS.items():
        organizer, _ = Organizer.objects.get_or_create(
            slug=slug,
            defaults={"name": spec["name"], "timezone": spec["timezone"], "physical_address": spec["physical_address"]},
        )
        users = [_user(organizer, email, role) for email, role in spec["users"]]
        # the demo owner, unless someone took the address for a user of another organizer
        owner = users[0] if users[0].organizer_id == organizer.pk else None
        persons = [_person(organizer, row) for row in spec["persons"]]
        _demo_list(organizer, owner, persons)
        _campaigns(organizer, owner, persons)
        ProspectIntent.objects.get_or_create(
            organizer=organizer,
            person=persons[1],
            campaign=None,
            intent_type="manual_qualification",
            defaults={"source": "manual", "notes": "Met at the booth, wants a quote.", "created_by_user": owner},
        )


def demo_logins() -> list[tuple[str, str, str]]:
    """(organizer, email, password) of every demo login, staff first."""
    logins = [("staff (admin)", STAFF_EMAIL, STAFF_PASSWORD)]
    for spec in ORGANIZERS.values():
        logins += [(spec["name"], email, DEMO_PASSWORD) for email, _ in spec["users"]]
    return logins


def _staff_user():
    if not User.objects.filter(email=STAFF_EMAIL).exists():
        User.objects.create_superuser(STAFF_EMAIL, STAFF_PASSWORD)


def _user(organizer, email, role):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, organizer=organizer, role=role)
    return user


def _person(organizer, row):
    email, first, last, status, company, position, country, website = row
    person = Person.objects.filter(organizer=organizer, email__lower_exact=email).first()
    if person is None:
        person = Person.objects.create(
            organizer=organizer,
            email=email,
            first_name=first,
            last_name=last,
            verification_status=status,
            # a status other than unknown is ZeroBounce's answer, given when the demo was "verified"
            verified_at=None if status == VerificationStatus.UNKNOWN else timezone.now() - timedelta(days=7),
        )
    if not Affiliation.objects.filter(organizer=organizer, person=person, company_name__iexact=company).exists():
        Affiliation.objects.create(
            organizer=organizer,
            person=person,
            company_name=company,
            position=position,
            country_code=country,
            website=website,
            source_type="manual",
            confidence="0.90",
        )
    return person


def _by_demo_id(model, organizer, key, **defaults):
    row, _ = model.objects.get_or_create(
        pk=demo_id(organizer.slug, model._meta.model_name, key), defaults={"organizer": organizer, **defaults}
    )
    return row


def _demo_list(organizer, owner, persons):
    fair_list = _by_demo_id(
        List,
        organizer,
        "spring-fair",
        name="Spring fair prospects",
        type=List.Type.MANUAL,
        description="Demo list",
        created_by_user=owner,
    )
    for person in persons:
        ListMember.objects.get_or_create(organizer=organizer, list=fair_list, person=person)
    return fair_list


def _campaigns(organizer, owner, persons):
    template = _by_demo_id(
        EmailTemplate,
        organizer,
        "spring-fair",
        name="Spring fair invitation",
        subject="{{first_name|Hello}}, exhibit with us this spring",
        body_html=TEMPLATE_HTML,
    )
    sender = _by_demo_id(
        SenderIdentity,
        organizer,
        "events",
        from_email=f"events@{organizer.slug}.test",
        from_name=organizer.name,
        label="Events team",
        is_default=True,
        user=owner,
    )
    fair_list = List.objects.get(pk=demo_id(organizer.slug, "list", "spring-fair"))
    _by_demo_id(
        Campaign,
        organizer,
        "autumn-draft",
        name="Autumn follow-up (draft)",
        template=template,
        sender=sender,
        list=fair_list,
    )
    sent_at = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    campaign, created = Campaign.objects.get_or_create(
        pk=demo_id(organizer.slug, "campaign", "spring-fair"),
        defaults={
            "organizer": organizer,
            "name": "Spring fair invitation",
            "template": template,
            "sender": sender,
            "list": fair_list,
            "status": CampaignStatus.COMPLETED,
            "started_at": sent_at,
            "completed_at": sent_at + timedelta(hours=1),
        },
    )
    if created:
        _engagement(
            organizer, campaign, [p for p in persons if p.verification_status != VerificationStatus.INVALID], sent_at
        )


# what happened to the n-th recipient: its final status and the events after `sent`
STORIES = [
    (RecipientStatus.CLICKED, [EventType.DELIVERED, EventType.OPEN, EventType.OPEN, EventType.CLICK]),
    (RecipientStatus.OPENED, [EventType.DELIVERED, EventType.OPEN, EventType.REPLY]),
    (RecipientStatus.DELIVERED, [EventType.DELIVERED, EventType.UNSUBSCRIBE]),
    (RecipientStatus.BOUNCED, [EventType.BOUNCE]),
    (RecipientStatus.DELIVERED, [EventType.DELIVERED]),
]


def _engagement(organizer, campaign, persons, sent_at):
    recipients = CampaignRecipient.objects.bulk_create(
        CampaignRecipient(
            organizer=organizer,
            campaign=campaign,
            person=person,
            email=person.email,
            name=" ".join(filter(None, [person.first_name, person.last_name])) or None,
            status=STORIES[index % len(STORIES)][0],
            sent_at=sent_at,
        )
        for index, person in enumerate(persons)
    )
    events = []
    for index, recipient in enumerate(recipients):
        _status, story = STORIES[index % len(STORIES)]
        for step, event_type in enumerate([EventType.SENT, *story]):
            events.append(
                CampaignEvent(
                    organizer=organizer,
                    campaign=campaign,
                    recipient=recipient,
                    person=recipient.person,
                    email=recipient.email,
                    event_type=event_type,
                    occurred_at=sent_at + timedelta(minutes=5 * step + index),
                    provider_event_id=f"demo-{campaign.pk}-{index}-{step}",
                    url="https://example.com/floor-plan" if event_type == EventType.CLICK else None,
                    reason="550 mailbox unavailable" if event_type == EventType.BOUNCE else None,
                )
            )
            if event_type == EventType.REPLY:
                _intent(organizer, recipient, campaign, "reply", sent_at)
            if event_type == EventType.CLICK:
                _intent(organizer, recipient, campaign, "click_through", sent_at)
            if event_type == EventType.UNSUBSCRIBE:
                Unsubscribe.objects.get_or_create(
                    organizer=organizer, email=recipient.email, defaults={"source": "user_request"}
                )
    CampaignEvent.objects.bulk_create(events)
    campaign.recipient_count = len(recipients)
    campaign.save(update_fields=["recipient_count"])


def _intent(organizer, recipient, campaign, intent_type, when):
    ProspectIntent.objects.get_or_create(
        organizer=organizer,
        person=recipient.person,
        campaign=campaign,
        intent_type=intent_type,
        defaults={"source": "webhook", "occurred_at": when + timedelta(hours=2), "confidence": "0.80"},
    )
