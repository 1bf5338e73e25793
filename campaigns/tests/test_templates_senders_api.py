"""Templates (CRUD, preview, clone, protected delete) and sender identities (default flag, deactivation)."""

import pytest

from campaigns.models import EmailTemplate, SenderIdentity
from campaigns.tests.factories import CampaignFactory, EmailTemplateFactory, SenderIdentityFactory

pytestmark = pytest.mark.django_db


def test_template_crud(member_client, organizer):
    created = member_client.post(
        "/api/templates",
        {"name": "Invite", "subject": 'Hi {{first_name|"there"}}', "body_html": "Hello\n\nWorld"},
        format="json",
    )
    assert created.status_code == 201
    template_id = created.json()["id"]
    assert EmailTemplate.objects.get(pk=template_id).organizer == organizer
    assert (
        member_client.patch(f"/api/templates/{template_id}", {"name": "Invite 2"}, format="json").json()["name"]
        == "Invite 2"
    )
    assert member_client.get("/api/templates").json()["results"][0]["campaign_count"] == 0
    assert member_client.delete(f"/api/templates/{template_id}").status_code == 204


@pytest.mark.parametrize(
    "body, field",
    [
        ({"subject": "s", "body_html": "b"}, "name"),
        ({"name": "n", "body_html": "b"}, "subject"),
        ({"name": "n", "subject": "s"}, "body_html"),
        ({"name": "n" * 300, "subject": "s", "body_html": "b"}, "name"),
    ],
)
def test_template_validation(member_client, body, field):
    response = member_client.post("/api/templates", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_template_used_by_a_campaign_cannot_be_deleted(member_client, organizer):
    template = EmailTemplateFactory(organizer=organizer)
    CampaignFactory(organizer=organizer, template=template)
    response = member_client.delete(f"/api/templates/{template.pk}")
    assert response.status_code == 409 and "1 campaign" in response.json()["detail"]
    assert EmailTemplate.objects.filter(pk=template.pk).exists()


def test_preview_with_built_in_and_given_sample_data(member_client, organizer):
    template = EmailTemplateFactory(
        organizer=organizer,
        subject="{{display_name}}, meet us {{unsubscribe_url}}",
        body_html="Dear {{first_name}} of {{company}},\n\nsee you.\n<a href='{{unsubscribe_url}}'>x</a>",
        body_text='Dear {{first_name|"friend"}}',
    )
    default = member_client.post(f"/api/templates/{template.pk}/preview", {}, format="json").json()
    assert default["subject"] == "Jane, meet us "
    assert "Dear Jane of Acme Events GmbH" in default["body_html"] and "href='#'" in default["body_html"]
    given = member_client.post(
        f"/api/templates/{template.pk}/preview",
        {"sample_data": {"first_name": "", "name": "", "company": "A<b>"}},
        format="json",
    ).json()
    assert "Dear  of A&lt;b&gt;" in given["body_html"] and given["body_text"] == "Dear friend"
    bad = member_client.post(f"/api/templates/{template.pk}/preview", {"sample_data": "x"}, format="json")
    assert bad.status_code == 400 and "sample_data" in bad.json()


def test_plain_text_template_previews_as_paragraphs(member_client, organizer):
    template = EmailTemplateFactory(organizer=organizer, body_html="Hello {{first_name}},\n\nLine one\nLine two")
    html = member_client.post(f"/api/templates/{template.pk}/preview", {}, format="json").json()["body_html"]
    assert html.startswith('<div style="font-family:Arial') and "<p>Line one<br>Line two</p>" in html


def test_clone(member_client, organizer):
    template = EmailTemplateFactory(organizer=organizer, name="Invite")
    first = member_client.post(f"/api/templates/{template.pk}/clone", {}, format="json")
    assert first.status_code == 201 and first.json()["name"] == "Copy of Invite"
    named = member_client.post(f"/api/templates/{template.pk}/clone", {"name": "Spring"}, format="json").json()
    assert named["name"] == "Spring" and named["body_html"] == template.body_html
    assert EmailTemplate.objects.filter(organizer=organizer).count() == 3


def test_sender_default_flag_is_unique_per_organizer(org_admin_client, organizer, other_organizer):
    other_default = SenderIdentityFactory(organizer=other_organizer, is_default=True)
    first = org_admin_client.post(
        "/api/senders", {"from_name": "Events", "from_email": "Events@Acme.de", "is_default": True}, format="json"
    )
    assert first.status_code == 201 and first.json()["from_email"] == "events@acme.de"
    second = org_admin_client.post(
        "/api/senders", {"from_name": "Sales", "from_email": "sales@acme.de", "is_default": True}, format="json"
    ).json()
    defaults = SenderIdentity.objects.filter(organizer=organizer, is_default=True)
    assert list(defaults.values_list("pk", flat=True)) == [SenderIdentity.objects.get(pk=second["id"]).pk]
    other_default.refresh_from_db()
    assert other_default.is_default  # other organizers are untouched
    org_admin_client.patch(f"/api/senders/{first.json()['id']}", {"is_default": True}, format="json")
    assert SenderIdentity.objects.get(organizer=organizer, is_default=True).from_email == "events@acme.de"


def test_sender_validation_and_deactivation(org_admin_client, organizer):
    assert (
        "from_email"
        in org_admin_client.post("/api/senders", {"from_name": "X", "from_email": "nope"}, format="json").json()
    )
    assert (
        "reply_to"
        in org_admin_client.post(
            "/api/senders", {"from_name": "X", "from_email": "a@b.de", "reply_to": "bad"}, format="json"
        ).json()
    )
    sender = SenderIdentityFactory(organizer=organizer, is_default=True)
    response = org_admin_client.delete(f"/api/senders/{sender.pk}")
    assert response.status_code == 200 and response.json()["is_active"] is False
    sender.refresh_from_db()
    assert (sender.is_active, sender.is_default) == (False, False)
    assert org_admin_client.get("/api/senders").json()["count"] == 0
    assert org_admin_client.get("/api/senders", {"is_active": "false"}).json()["count"] == 1
    assert org_admin_client.get(f"/api/senders/{sender.pk}").status_code == 200


def test_plain_users_may_read_senders_but_not_change_them(member_client, organizer):
    sender = SenderIdentityFactory(organizer=organizer)
    assert member_client.get("/api/senders").status_code == 200
    assert (
        member_client.post("/api/senders", {"from_name": "X", "from_email": "a@b.de"}, format="json").status_code == 403
    )
    assert member_client.delete(f"/api/senders/{sender.pk}").status_code == 403
