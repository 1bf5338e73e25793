"""Every admin page renders for platform staff; immutable data stays read-only; secrets never show in full."""

import pytest
from django.contrib import admin
from django.urls import reverse

from campaigns.models import CampaignEvent
from liffy.models import User
from liffy.tests.admin_rows import REGISTERED, admin_url, change_url, make_row

pytestmark = pytest.mark.django_db


def test_every_model_is_registered():
    from django.apps import apps

    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in {"liffy", "persons", "campaigns", "mining", "legacy"}
        and model not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=[model._meta.label for model, _ in REGISTERED])
def test_admin_pages_render_for_platform_staff(model, model_admin, platform_admin, organizer):
    obj = make_row(model, organizer)
    changelist = admin_url(model, "changelist")

    assert platform_admin.get(changelist).status_code == 200
    assert platform_admin.get(changelist, {"q": "x"}).status_code == 200
    response = platform_admin.get(changelist)
    for spec in response.context["cl"].filter_specs:
        for choice in list(spec.choices(response.context["cl"]))[:3]:
            target = choice["query_string"]
            assert platform_admin.get(changelist + target).status_code == 200, f"{model.__name__} filter {target}"
    change = platform_admin.get(change_url(obj))
    assert change.status_code == 200
    if model_admin.has_add_permission(change.wsgi_request):
        assert platform_admin.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize(
    "model, model_admin",
    [(m, a) for m, a in REGISTERED if a._organizer_path()],
    ids=[m._meta.label for m, a in REGISTERED if a._organizer_path()],
)
def test_every_list_of_tenant_rows_has_an_organizer_column_and_filter(model, model_admin, platform_admin, organizer):
    make_row(model, organizer)
    response = platform_admin.get(admin_url(model, "changelist"))
    assert "organizer" in [
        column.lower() for column in response.context["cl"].list_display if isinstance(column, str)
    ] + [getattr(c, "short_description", "") for c in response.context["cl"].list_display]
    assert response.context["cl"].filter_specs[0].title == "organizer"
    assert organizer.name in response.content.decode()


def test_organizer_filter_narrows_the_changelist(platform_admin, organizer, other_organizer):
    from persons.tests.factories import PersonFactory

    PersonFactory(organizer=organizer, email="mine@a.test")
    PersonFactory(organizer=other_organizer, email="theirs@b.test")
    people = platform_admin.get(reverse("admin:persons_person_changelist"), {"organizer__id__exact": organizer.pk})
    assert b"mine@a.test" in people.content and b"theirs@b.test" not in people.content


@pytest.mark.parametrize(
    "label",
    [
        "campaigns.CampaignEvent",
        "campaigns.CampaignRecipient",
        "persons.ZohoPushLog",
        "mining.MiningJobLog",
        "mining.MiningResult",
        "persons.VerificationQueue",
        "legacy.Prospect",
        "campaigns.SendThrottle",
    ],
)
def test_immutable_rows_cannot_be_added_changed_or_deleted(label, platform_admin, organizer):
    from django.apps import apps

    model = apps.get_model(label)
    obj = make_row(model, organizer)
    assert platform_admin.get(admin_url(model, "add")).status_code == 403
    page = platform_admin.get(change_url(obj))
    assert page.status_code == 200 and 'type="submit" value="Save"' not in page.content.decode()
    assert platform_admin.post(change_url(obj), {}).status_code == 403
    assert platform_admin.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_event_payload_is_shown_pretty_printed(platform_admin, organizer):
    from campaigns.tests.factories import CampaignEventFactory

    event = CampaignEventFactory(recipient__campaign__organizer=organizer, provider_response={"sg_event_id": "abc"})
    page = platform_admin.get(admin_url(CampaignEvent, "change", event.pk)).content.decode()
    assert "&quot;sg_event_id&quot;: &quot;abc&quot;" in page


def test_organizer_page_masks_provider_keys(platform_admin, organizer):
    organizer.sendgrid_api_key = "SG.very-secret-sendgrid-key-1234"
    organizer.save()
    page = platform_admin.get(admin_url(type(organizer), "change", organizer.pk)).content.decode()
    assert "very-secret-sendgrid-key" not in page
    assert "SG.…1234" in page


def test_api_tokens_are_masked_and_revoked_never_minted(platform_admin, organizer):
    from knox.models import AuthToken

    from liffy.tests.factories import UserFactory

    token, key = AuthToken.objects.create(user=UserFactory(organizer=organizer))
    listing = platform_admin.get(reverse("admin:knox_authtoken_changelist")).content.decode()
    page = platform_admin.get(change_url(token)).content.decode()
    for shown in (listing, page):
        assert token.token_key not in shown and key not in shown
        assert f"{token.token_key[:3]}…{token.token_key[-4:]}" in shown
    AuthToken.objects.create(user=UserFactory(organizer=organizer))  # another token, not found
    found = platform_admin.get(reverse("admin:knox_authtoken_changelist"), {"q": key[:15]})
    assert [row.pk for row in found.context["cl"].result_list] == [token.pk]  # a leaked token is found by its start
    assert platform_admin.get(reverse("admin:knox_authtoken_add")).status_code == 403
    assert platform_admin.post(change_url(token), {"expiry_0": "2099-01-01"}).status_code == 403
    assert platform_admin.post(admin_url(AuthToken, "delete", token.pk), {"post": "yes"}).status_code == 302
    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_person_email_is_read_only_on_change(platform_admin, organizer):
    from persons.tests.factories import PersonFactory

    person = PersonFactory(organizer=organizer, email="fixed@a.test")
    form = platform_admin.get(reverse("admin:persons_person_change", args=[person.pk])).context["adminform"].form
    assert "email" not in form.fields and "organizer" not in form.fields


def test_platform_staff_add_a_user_with_a_hashed_password(platform_admin, organizer):
    response = platform_admin.post(
        reverse("admin:liffy_user_add"),
        {
            "email": "New.User@Acme.test",
            "organizer": organizer.pk,
            "role": "admin",
            "password1": "a-long-password-42",
            "password2": "a-long-password-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user = User.objects.get(email="new.user@acme.test")
    assert user.check_password("a-long-password-42") and user.role == "admin"


def test_non_staff_users_are_sent_to_the_login_page(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:persons_person_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
