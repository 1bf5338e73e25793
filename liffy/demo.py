"""Demo data for a fresh installation: two organizers with users, contacts, a list and campaigns.

Every row is found by its natural key before it is created, so seeding again changes nothing.
"""
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

ORGANIZERS = {
    "acme-events": {
        "name": "Acme Events",
        "timezone": "Europe/Berlin",
        "physical_address": "Acme Events GmbH, Messeplatz 1, 10115 Berlin, Germany",
        "users": [("owner@acme.test", Role.OWNER), ("admin@acme.test", Role.ADMIN), ("user@acme.test", Role.USER)],
        "persons": [
            ("maria.rossi@fieramilano.it", "Maria", "Rossi", VerificationStatus.VALID,
             "Fiera Milano", "Head of Exhibitor Relations", "IT", "https://fieramilano.it"),
            ("jan.novak@expo-praha.cz", "Jan", "Novák", VerificationStatus.VALID,
             "Expo Praha", "Sales Director", "CZ", "https://expo-praha.cz"),
            ("sophie.martin@salons-lyon.fr", "Sophie", "Martin", VerificationStatus.RISKY,
             "Salons de Lyon", "Marketing Manager", "FR", "https://salons-lyon.fr"),
            ("k.schmidt@messe-nord.de", "Klaus", "Schmidt", VerificationStatus.UNKNOWN,
             "Messe Nord", "Geschäftsführer", "DE", "https://messe-nord.de"),
            ("ana.garcia@ferias-madrid.es", "Ana", "García", VerificationStatus.INVALID,
             "Ferias Madrid", "Event Coordinator", "ES", None),
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
            ("maria.rossi@fieramilano.it", "Maria", "Rossi", VerificationStatus.UNKNOWN,
             "Fiera Milano", "Exhibitor Relations", "IT", None),
            ("tom.baker@expo-london.co.uk", "Tom", "Baker", VerificationStatus.VALID,
             "Expo London", "Partnerships Lead", "GB", "https://expo-london.co.uk"),
            ("li.wei@canton-trade.cn", "Wei", "Li", VerificationStatus.VALID,
             "Canton Trade Center", "Overseas Sales", "CN", None),
        ],
    },
}

TEMPLATE_HTML = (
    "<p>Hello {{first_name|there}},</p>"
    "<p>{{company_name|Your team}} is invited to exhibit at our spring fair. Reply to this mail to get the floor plan.</p>"
    "<p>Best regards,<br>{{sender_name}}</p>"
)


@dataclass
class SeedReport:
    organizers: int
    users: int
    persons: int
    campaigns: int
    events: int


@transaction.atomic
def seed_demo() -> SeedReport:
    _staff_user()
    for slug, spec in ORGANIZERS.items():
        organizer, _ = Organizer.objects.update_or_create(
            slug=slug,
            defaults={"name": spec["name"], "timezone": spec["timezone"], "physical_address": spec["physical_address"]},
        )
        users = [_user(organizer, email, role) for email, role in spec["users"]]
        persons = [_person(organizer, row) for row in spec["persons"]]
        _demo_list(organizer, users[0], persons)
        _campaigns(organizer, users[0], persons)
        ProspectIntent.objects.get_or_create(
            organizer=organizer, person=persons[1], campaign=None, intent_type="manual_qualification",
            defaults={"source": "manual", "notes": "Met at the booth, wants a quote.", "created_by_user": users[0]},
        )
    slugs = list(ORGANIZERS)
    return SeedReport(
        organizers=len(slugs),
        users=User.objects.filter(organizer__slug__in=slugs).count(),
        persons=Person.objects.filter(organizer__slug__in=slugs).count(),
        campaigns=Campaign.objects.filter(organizer__slug__in=slugs).count(),
        events=CampaignEvent.objects.filter(organizer__slug__in=slugs).count(),
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
    person, _ = Person.objects.get_or_create(
        organizer=organizer,
        email=email,
        defaults={"first_name": first, "last_name": last, "verification_status": status},
    )
    Affiliation.objects.get_or_create(
        organizer=organizer,
        person=person,
        company_name=company,
        defaults={
            "position": position, "country_code": country, "website": website,
            "source_type": "manual", "confidence": "0.90",
        },
    )
    return person


def _demo_list(organizer, owner, persons):
    fair_list, _ = List.objects.get_or_create(
        organizer=organizer,
        name="Spring fair prospects",
        defaults={"type": List.Type.MANUAL, "description": "Demo list", "created_by_user": owner},
    )
    for person in persons:
        ListMember.objects.get_or_create(organizer=organizer, list=fair_list, person=person)
    return fair_list


def _campaigns(organizer, owner, persons):
    template, _ = EmailTemplate.objects.get_or_create(
        organizer=organizer,
        name="Spring fair invitation",
        defaults={"subject": "{{first_name|Hello}}, exhibit with us this spring", "body_html": TEMPLATE_HTML},
    )
    sender, _ = SenderIdentity.objects.get_or_create(
        organizer=organizer,
        from_email=f"events@{organizer.slug}.test",
        defaults={"from_name": organizer.name, "label": "Events team", "is_default": True, "user": owner},
    )
    fair_list = List.objects.get(organizer=organizer, name="Spring fair prospects")
    Campaign.objects.get_or_create(
        organizer=organizer,
        name="Autumn follow-up (draft)",
        defaults={"template": template, "sender": sender, "list": fair_list},
    )
    sent_at = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    campaign, created = Campaign.objects.get_or_create(
        organizer=organizer,
        name="Spring fair invitation",
        defaults={
            "template": template, "sender": sender, "list": fair_list, "status": CampaignStatus.COMPLETED,
            "started_at": sent_at, "completed_at": sent_at + timedelta(hours=1),
        },
    )
    if created:
        _engagement(organizer, campaign, [p for p in persons if p.verification_status != VerificationStatus.INVALID],
                    sent_at)


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
            organizer=organizer, campaign=campaign, person=person, email=person.email,
            name=" ".join(filter(None, [person.first_name, person.last_name])) or None,
            status=STORIES[index % len(STORIES)][0], sent_at=sent_at,
        )
        for index, person in enumerate(persons)
    )
    events = []
    for index, recipient in enumerate(recipients):
        status, story = STORIES[index % len(STORIES)]
        for step, event_type in enumerate([EventType.SENT, *story]):
            events.append(CampaignEvent(
                organizer=organizer, campaign=campaign, recipient=recipient, person=recipient.person,
                email=recipient.email, event_type=event_type,
                occurred_at=sent_at + timedelta(minutes=5 * step + index),
                provider_event_id=f"demo-{campaign.pk}-{index}-{step}",
                url="https://example.com/floor-plan" if event_type == EventType.CLICK else None,
                reason="550 mailbox unavailable" if event_type == EventType.BOUNCE else None,
            ))
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
        organizer=organizer, person=recipient.person, campaign=campaign, intent_type=intent_type,
        defaults={"source": "webhook", "occurred_at": when + timedelta(hours=2), "confidence": "0.80"},
    )
