"""Every admin page renders for staff; immutable data stays read-only; secrets never show in full."""
import importlib

import pytest
from django.contrib import admin
from django.urls import reverse

from campaigns.models import CampaignEvent
from liffy.models import User

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def make(model, organizer):
    """One saved object of `model` for `organizer`, from the app's factory `<Model>Factory`."""
    if model._meta.app_label in ("knox", "axes"):
        return _token_or_login_attempt(model, organizer)
    factories = importlib.import_module(f"{model._meta.app_label}.tests.factories")
    factory = getattr(factories, f"{model.__name__}Factory", None)
    assert factory is not None, f"{model._meta.label} is in the admin but has no factory in {factories.__name__}"
    if model._meta.label == "liffy.Organizer":
        return organizer
    organizer_path = next(
        (path for path in ("organizer", "person__organizer", "job__organizer") if _has_path(model, path)), None
    )
    return factory(**{organizer_path: organizer}) if organizer_path else factory()


def _token_or_login_attempt(model, organizer):
    """Rows of the libraries' API token and login lockout tables (no factories of ours)."""
    from liffy.tests.factories import UserFactory

    if model._meta.app_label == "knox":
        return model.objects.create(user=UserFactory(organizer=organizer))[0]
    return model.objects.create(username="someone@a.test", ip_address="203.0.113.9", user_agent="pytest",
                                http_accept="*/*", path_info="/admin/login/", get_data="", post_data="",
                                failures_since_start=1)


def _has_path(model, path):
    try:
        for part in path.split("__"):
            model = model._meta.get_field(part).related_model or model
        return True
    except Exception:  # noqa: BLE001 - FieldDoesNotExist and non-relations alike mean "no such path"
        return False


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_every_model_is_registered():
    from django.apps import apps

    missing = [model._meta.label for model in apps.get_models()
               if model._meta.app_label in {"liffy", "persons", "campaigns", "mining", "legacy"}
               and model not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model, model_admin", REGISTERED, ids=[model._meta.label for model, _ in REGISTERED])
def test_admin_pages_render_for_staff(model, model_admin, staff_client, organizer):
    obj = make(model, organizer)
    changelist = url(model, "changelist")

    assert staff_client.get(changelist).status_code == 200
    assert staff_client.get(changelist, {"q": "x"}).status_code == 200
    response = staff_client.get(changelist)
    for spec in response.context["cl"].filter_specs:
        for choice in list(spec.choices(response.context["cl"]))[:3]:
            target = choice["query_string"]
            assert staff_client.get(changelist + target).status_code == 200, f"{model.__name__} filter {target}"
    change = staff_client.get(url(model, "change", obj.pk))
    assert change.status_code == 200
    if model_admin.has_add_permission(change.wsgi_request):
        assert staff_client.get(url(model, "add")).status_code == 200


def test_organizer_filter_narrows_the_changelist(staff_client, organizer, other_organizer):
    from persons.tests.factories import PersonFactory

    PersonFactory(organizer=organizer, email="mine@a.test")
    PersonFactory(organizer=other_organizer, email="theirs@b.test")
    people = staff_client.get(reverse("admin:persons_person_changelist"), {"organizer__id__exact": organizer.pk})
    assert b"mine@a.test" in people.content and b"theirs@b.test" not in people.content


def test_campaign_events_cannot_be_added_changed_or_deleted(staff_client, organizer):
    from campaigns.tests.factories import CampaignEventFactory

    event = CampaignEventFactory(organizer=organizer, provider_response={"sg_event_id": "abc"})
    assert staff_client.get(url(CampaignEvent, "add")).status_code == 403
    assert staff_client.post(url(CampaignEvent, "change", event.pk), {"email": "x@y.test"}).status_code == 403
    assert staff_client.post(url(CampaignEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    page = staff_client.get(url(CampaignEvent, "change", event.pk)).content.decode()
    assert "&quot;sg_event_id&quot;: &quot;abc&quot;" in page  # raw payload shown pretty-printed
    event.refresh_from_db()
    assert event.email != "x@y.test"


def test_organizer_page_masks_provider_keys(staff_client, organizer):
    organizer.sendgrid_api_key = "SG.very-secret-sendgrid-key-1234"
    organizer.save()
    page = staff_client.get(url(type(organizer), "change", organizer.pk)).content.decode()
    assert "very-secret-sendgrid-key" not in page
    assert "SG.…1234" in page


def test_person_email_is_read_only_on_change(staff_client, organizer):
    from persons.tests.factories import PersonFactory

    person = PersonFactory(organizer=organizer, email="fixed@a.test")
    form = staff_client.get(reverse("admin:persons_person_change", args=[person.pk])).context["adminform"].form
    assert "email" not in form.fields


def test_staff_can_add_a_user_with_a_hashed_password(staff_client, organizer):
    response = staff_client.post(reverse("admin:liffy_user_add"), {
        "email": "New.User@Acme.test", "organizer": organizer.pk, "role": "admin",
        "password1": "a-long-password-42", "password2": "a-long-password-42",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user = User.objects.get(email="new.user@acme.test")
    assert user.check_password("a-long-password-42") and user.role == "admin"


def test_non_staff_users_are_sent_to_the_login_page(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:persons_person_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
