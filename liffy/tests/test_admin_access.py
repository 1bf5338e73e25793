"""Who may do what in the admin: platform staff see every organizer, an organizer's own staff users only
theirs (lists, pages, choices, filters, autocomplete), Django permissions decide the rest."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from liffy.admin_groups import GROUPS
from liffy.models import Role, User
from liffy.testing import admin_client_for
from liffy.tests.admin_rows import TENANT_ADMINS, admin_url, change_url, make_row
from liffy.tests.factories import OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(organizer_staff):
    return admin_client_for(organizer_staff(group="Editors"))


@pytest.mark.parametrize("model, model_admin", TENANT_ADMINS, ids=[m._meta.label for m, _ in TENANT_ADMINS])
def test_organizer_staff_see_only_their_organizers_rows(
    model, model_admin, organizer, other_organizer, organizer_staff
):
    mine, theirs = make_row(model, organizer), make_row(model, other_organizer)
    staff = organizer_staff(group=None)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
        )
    )
    client = admin_client_for(staff)
    listing = client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert mine.pk in shown and theirs.pk not in shown
    assert all(spec.title != "organizer" for spec in listing.context["cl"].filter_specs)
    assert client.get(change_url(mine)).status_code == 200
    foreign = client.get(change_url(theirs))
    assert foreign.status_code == 302 and foreign["Location"] == reverse("admin:index")


def test_platform_staff_are_superusers_or_staff_of_the_staff_organizer(organizer):
    staff_org = OrganizerFactory(slug="liffy-staff")
    assert UserFactory(organizer=staff_org, is_staff=True).is_platform_staff
    assert not UserFactory(organizer=staff_org, is_staff=False).is_platform_staff
    assert not UserFactory(organizer=organizer, is_staff=True).is_platform_staff
    assert UserFactory(organizer=organizer, is_superuser=True).is_platform_staff
    assert not UserFactory(organizer=staff_org, is_staff=True, is_active=False).is_platform_staff


def test_a_non_superuser_of_the_staff_organizer_sees_every_organizer_within_its_permissions(organizer, other_organizer):
    from persons.tests.factories import PersonFactory

    staff = UserFactory(organizer=OrganizerFactory(slug="liffy-staff"), is_staff=True)
    staff.groups.add(Group.objects.get(name="Support (read-only)"))
    client = admin_client_for(staff)
    people = [PersonFactory(organizer=organizer), PersonFactory(organizer=other_organizer)]
    listing = client.get(reverse("admin:persons_person_changelist"))
    assert {p.pk for p in listing.context["cl"].result_list} == {p.pk for p in people}
    assert client.post(reverse("admin:persons_person_change", args=[people[0].pk]), {}).status_code == 403
    assert client.get(reverse("admin:liffy_user_changelist")).status_code == 200
    assert client.get(reverse("admin:liffy_user_add")).status_code == 403


def test_groups_are_kept_after_migrate_with_their_permissions():
    support, editors, managers = (Group.objects.get(name=name) for name in GROUPS)
    codenames = lambda group: set(group.permissions.values_list("codename", flat=True))  # noqa: E731
    assert codenames(support) and all(code.startswith("view_") for code in codenames(support))
    assert {"change_campaign", "add_person", "delete_listmember", "view_campaignevent"} <= codenames(editors)
    assert not {"change_campaignevent", "add_user", "change_organizer"} & codenames(editors)
    assert codenames(managers) >= {"add_user", "change_user", "delete_authtoken", "delete_accessattempt"}


def test_read_only_support_cannot_change_anything(organizer_staff, organizer):
    from persons.tests.factories import PersonFactory

    client = admin_client_for(organizer_staff(group="Support (read-only)"))
    person = PersonFactory(organizer=organizer)
    assert client.get(reverse("admin:persons_person_change", args=[person.pk])).status_code == 200
    assert client.post(reverse("admin:persons_person_change", args=[person.pk]), {"first_name": "X"}).status_code == 403
    assert client.get(reverse("admin:persons_person_add")).status_code == 403


def test_choice_lists_and_autocomplete_offer_only_the_organizers_rows(editor, organizer, other_organizer):
    from campaigns.tests.factories import EmailTemplateFactory
    from persons.tests.factories import PersonFactory

    mine = EmailTemplateFactory(organizer=organizer)
    EmailTemplateFactory(organizer=other_organizer)
    form = editor.get(reverse("admin:campaigns_campaign_add")).context["adminform"].form
    assert set(form.fields["template"].queryset) == {mine} and "organizer" not in form.fields
    PersonFactory(organizer=organizer, email="ann@mine.test")
    PersonFactory(organizer=other_organizer, email="ann@theirs.test")
    found = editor.get(
        reverse("admin:autocomplete"),
        {"term": "ann", "app_label": "persons", "model_name": "affiliation", "field_name": "person"},
    )
    assert [row["text"] for row in found.json()["results"]] == ["ann@mine.test"]
    assert editor.get(reverse("admin:liffy_organizer_changelist")).context["cl"].result_count == 1


def test_list_filters_offer_only_the_organizers_rows(editor, organizer, other_organizer):
    from campaigns.tests.factories import CampaignFactory, CampaignRecipientFactory

    CampaignRecipientFactory(campaign=CampaignFactory(organizer=organizer, name="Ours"))
    CampaignFactory(organizer=organizer, name="Ours too")
    CampaignFactory(organizer=other_organizer, name="Theirs")
    listing = editor.get(reverse("admin:campaigns_campaignrecipient_changelist"))
    campaign_filter = next(spec for spec in listing.context["cl"].filter_specs if spec.title == "campaign")
    assert sorted(label for _, label in campaign_filter.lookup_choices) == ["Ours", "Ours too"]


def test_platform_staff_autocomplete_narrows_to_the_rows_organizer(platform_admin, organizer, other_organizer):
    from campaigns.tests.factories import CampaignFactory, EmailTemplateFactory

    campaign = CampaignFactory(organizer=organizer)
    EmailTemplateFactory(organizer=other_organizer, name="Foreign")
    page = platform_admin.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    assert f"/admin/autocomplete/?organizer={organizer.pk}" in page
    found = platform_admin.get(
        reverse("admin:autocomplete"),
        {
            "term": "",
            "app_label": "campaigns",
            "model_name": "campaign",
            "field_name": "template",
            "organizer": str(organizer.pk),
        },
    )
    assert [row["id"] for row in found.json()["results"]] == [str(campaign.template_id)]


# --- users ----------------------------------------------------------------------------------------
def test_organizer_staff_cannot_touch_staff_or_higher_roles_or_grant_staff(organizer_staff, organizer, other_organizer):
    staff = organizer_staff(group="User managers", role=Role.USER)
    client = admin_client_for(staff)
    owner = UserFactory(organizer=organizer, role=Role.OWNER)
    peer = UserFactory(organizer=organizer, role=Role.USER)
    foreign = UserFactory(organizer=other_organizer, role=Role.USER)
    # the owner's page is read-only, its password cannot be reset
    assert client.post(reverse("admin:liffy_user_change", args=[owner.pk]), {"email": "x@y.test"}).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[owner.pk])).status_code == 403
    assert client.get(reverse("admin:liffy_user_change", args=[foreign.pk])).status_code == 302
    page = client.get(reverse("admin:liffy_user_change", args=[peer.pk]))
    form = page.context["adminform"].form
    assert {"is_staff", "is_superuser", "groups", "organizer"}.isdisjoint(form.fields)
    assert [value for value, _ in form.fields["role"].choices] == [Role.USER]
    # a new user: in the staff user's organizer, never staff
    response = client.post(
        reverse("admin:liffy_user_add"),
        {
            "email": "new@acme.test",
            "role": Role.USER,
            "is_staff": "on",
            "organizer": other_organizer.pk,
            "password1": "a-long-password-42",
            "password2": "a-long-password-42",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(email="new@acme.test")
    assert created.organizer == organizer and not created.is_staff
    assert (
        client.post(
            reverse("admin:liffy_user_add"),
            {
                "email": "boss@acme.test",
                "role": Role.OWNER,
                "password1": "a-long-password-42",
                "password2": "a-long-password-42",
            },
        ).status_code
        == 200
    )
    assert not User.objects.filter(email="boss@acme.test").exists()
    # nor can they edit themselves into more
    assert client.post(reverse("admin:liffy_user_change", args=[staff.pk]), {}).status_code == 403


def test_only_superusers_grant_superuser_and_groups_are_platform_only(organizer, organizer_staff):
    manager = UserFactory(organizer=OrganizerFactory(slug="liffy-staff"), is_staff=True)
    manager.groups.add(Group.objects.get(name="User managers"))
    client = admin_client_for(manager)
    target = UserFactory(organizer=organizer, role=Role.USER)
    form = client.get(reverse("admin:liffy_user_change", args=[target.pk])).context["adminform"].form
    assert "is_staff" in form.fields and "is_superuser" not in form.fields
    superuser = UserFactory(organizer=organizer, is_superuser=True, is_staff=True)
    assert client.post(reverse("admin:liffy_user_change", args=[superuser.pk]), {}).status_code == 403
    assert admin_client_for(organizer_staff()).get(reverse("admin:auth_group_changelist")).status_code == 403


def test_the_organizer_of_a_user_is_fixed(platform_admin, organizer, other_organizer):
    user = UserFactory(organizer=organizer)
    form = platform_admin.get(reverse("admin:liffy_user_change", args=[user.pk])).context["adminform"].form
    assert "organizer" not in form.fields


def test_autocomplete_answers_json_only_to_staff_allowed_to_view(client, owner):
    client.force_login(owner)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "", "app_label": "persons", "model_name": "affiliation", "field_name": "person"},
    )
    assert response.status_code in (302, 403)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content or b"")


# --- API tokens and login lockouts ----------------------------------------------------------------
def test_a_platform_user_manager_lifts_a_login_lockout_that_organizer_staff_never_see(
    client, organizer_staff, settings
):
    from axes.models import AccessAttempt

    def login(password="wrong"):
        return client.post(
            "/admin/login/", {"username": "someone@a.test", "password": password}, REMOTE_ADDR="203.0.113.7"
        )

    assert [login().status_code for _ in range(settings.AXES_FAILURE_LIMIT)][-1] == 429
    attempt = AccessAttempt.objects.get(ip_address="203.0.113.7")
    organizer_manager = admin_client_for(organizer_staff(group="User managers"))
    assert organizer_manager.get(admin_url(AccessAttempt, "changelist")).status_code == 403
    assert organizer_manager.post(admin_url(AccessAttempt, "delete", attempt.pk), {"post": "yes"}).status_code == 403

    manager = UserFactory(organizer=OrganizerFactory(slug="liffy-staff"), is_staff=True)
    manager.groups.add(Group.objects.get(name="User managers"))
    platform_manager = admin_client_for(manager)
    assert platform_manager.get(admin_url(AccessAttempt, "add")).status_code == 403
    assert platform_manager.post(admin_url(AccessAttempt, "delete", attempt.pk), {"post": "yes"}).status_code == 302
    assert login().status_code == 200  # the login form again, not the lockout page


def test_organizer_user_managers_revoke_their_organizers_tokens_only(organizer_staff, organizer, other_organizer):
    from knox.models import AuthToken

    client = admin_client_for(organizer_staff(group="User managers"))
    mine, _ = AuthToken.objects.create(user=UserFactory(organizer=organizer))
    theirs, _ = AuthToken.objects.create(user=UserFactory(organizer=other_organizer))
    assert client.post(admin_url(AuthToken, "delete", theirs.pk), {"post": "yes"}).status_code == 302
    assert AuthToken.objects.filter(pk=theirs.pk).exists()  # "not found", sent back to the index
    assert client.post(admin_url(AuthToken, "delete", mine.pk), {"post": "yes"}).status_code == 302
    assert not AuthToken.objects.filter(pk=mine.pk).exists()
    support = admin_client_for(organizer_staff(group="Support (read-only)"))
    assert support.get(admin_url(AuthToken, "changelist")).status_code == 403
