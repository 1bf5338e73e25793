"""Values that end up in a mail header refuse control characters (400 naming the field, API and admin alike),
and values that arrived through imports are neutralised when the message is built."""

import pytest
from django.core.exceptions import ValidationError

from campaigns import lifecycle, sending
from campaigns.models import CampaignRecipient
from campaigns.tests.factories import EmailTemplateFactory, SenderIdentityFactory, ready_campaign
from liffy.header_values import header_safe
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "Hello\r\nBcc: victim@example.com",
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "bell\x07",
    "delete\x7f",
    "next\x85line",
    "separator\u2028line",
    "a@example.com\r\nBcc: victim@example.com",
]


def template(**values):
    return {"name": "Spring", "subject": "Hello {{first_name}}", "body_html": "<p>Hi</p>"} | values


def sender(**values):
    return {"from_name": "Events Team", "from_email": "events@fair.test"} | values


# (client fixture, method, path or path factory, body factory, field)
CASES = {
    "template subject": ("member_client", "post", "/api/templates", lambda v: template(subject=v), "subject"),
    "template subject (edit)": (
        "member_client",
        "patch",
        lambda org: f"/api/templates/{EmailTemplateFactory(organizer=org).pk}",
        lambda v: {"subject": v},
        "subject",
    ),
    "sender name": ("org_admin_client", "post", "/api/senders", lambda v: sender(from_name=v), "from_name"),
    "sender address": ("org_admin_client", "post", "/api/senders", lambda v: sender(from_email=v), "from_email"),
    "reply-to": ("org_admin_client", "post", "/api/senders", lambda v: sender(reply_to=v), "reply_to"),
    "sender name (edit)": (
        "org_admin_client",
        "patch",
        lambda org: f"/api/senders/{SenderIdentityFactory(organizer=org).pk}",
        lambda v: {"from_name": v},
        "from_name",
    ),
    "organizer name": ("owner_client", "patch", "/api/organizer/settings", lambda v: {"name": v}, "name"),
    "default from name": (
        "owner_client",
        "patch",
        "/api/organizer/settings",
        lambda v: {"default_from_name": v},
        "default_from_name",
    ),
    "default from address": (
        "owner_client",
        "patch",
        "/api/organizer/settings",
        lambda v: {"default_from_email": v},
        "default_from_email",
    ),
    "person first name": (
        "member_client",
        "post",
        "/api/persons",
        lambda v: {"email": "p@x.test", "first_name": v},
        "first_name",
    ),
    "person last name (edit)": (
        "member_client",
        "patch",
        lambda org: f"/api/persons/{PersonFactory(organizer=org).pk}",
        lambda v: {"last_name": v},
        "last_name",
    ),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("value", INJECTIONS, ids=range(len(INJECTIONS)))
def test_control_characters_are_refused_naming_the_field(request, organizer, case, value):
    client_name, method, path, body, field = CASES[case]
    client = request.getfixturevalue(client_name)
    path = path(organizer) if callable(path) else path
    response = getattr(client, method)(path, body(value), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("case", CASES)
def test_clean_values_are_accepted(request, organizer, case):
    client_name, method, path, body, _field = CASES[case]
    value = "fair@example.com" if "address" in case or case == "reply-to" else "Ünïcode — fine, even ‘quotes’"
    path = path(organizer) if callable(path) else path
    response = getattr(request.getfixturevalue(client_name), method)(path, body(value), format="json")
    assert response.status_code in (200, 201), response.content


def test_the_message_says_what_is_wrong(member_client):
    response = member_client.post("/api/templates", template(subject="Hi\r\nBcc: x@y.test"), format="json")
    assert response.json() == {
        "subject": [
            "Must not contain control characters such as line breaks or tabs (found U+000D): "
            "this value goes into an email header."
        ]
    }


def test_admin_forms_refuse_them_too(organizer):
    sender_identity = SenderIdentityFactory.build(organizer=organizer, from_name="Team\r\nBcc: x@y.test")
    with pytest.raises(ValidationError) as refused:
        sender_identity.full_clean()
    assert set(refused.value.message_dict) == {"from_name"}


def test_imported_names_are_neutralised_in_the_sent_headers(fake_sendgrid):
    campaign = ready_campaign(["ok1"])
    campaign.template.subject = "Hi {{first_name}} of {{company}}"
    campaign.template.save()
    CampaignRecipient.objects.filter(campaign=campaign).update(
        name="Jane\r\nBcc: victim@example.com",
        meta={"first_name": "Jane\r\nBcc: victim@example.com", "company": "Acme\n\tX-Evil: 1"},
    )
    campaign.sender.from_name = "Team\nBcc: a@b.test"  # written before the validator existed
    campaign.sender.save(update_fields=["from_name"])
    lifecycle.start_campaign(campaign)
    sending.send_campaign(campaign.pk)
    message = fake_sendgrid.messages[0]
    assert message["subject"] == "Hi Jane Bcc: victim@example.com of Acme X-Evil: 1"
    assert message["personalizations"][0]["to"][0]["name"] == "Jane Bcc: victim@example.com"
    assert message["from"]["name"] == "Team Bcc: a@b.test"


def test_header_safe_keeps_ordinary_text():
    assert header_safe("Ünïcode — “quoted” 🎉") == "Ünïcode — “quoted” 🎉"
    assert header_safe(None) is None and header_safe("") == ""
