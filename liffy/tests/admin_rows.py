"""One row of any model in the admin, belonging to a given organizer, for the admin tests."""

import importlib
import itertools

from django.contrib import admin
from django.urls import reverse

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
# pages of rows that belong to no organizer: platform staff only
PLATFORM_ONLY = {"auth.Group", "axes.AccessAttempt"}
TENANT_ADMINS = [(model, model_admin) for model, model_admin in REGISTERED if model._meta.label not in PLATFORM_ONLY]
# factory keyword that puts the row under an organizer, where it is not `organizer` itself
ORGANIZER_PATHS = {
    "persons.Affiliation": "person__organizer",
    "persons.ProspectIntent": "person__organizer",
    "persons.VerificationQueue": "person__organizer",
    "persons.ZohoPushLog": "person__organizer",
    "campaigns.CampaignRecipient": "campaign__organizer",
    "campaigns.CampaignEvent": "recipient__campaign__organizer",
    "mining.MiningResult": "job__organizer",
    "mining.MiningJobLog": "job__organizer",
    "legacy.ListMember": "list__organizer",
    "legacy.ListUpload": "list__organizer",
}
_numbers = itertools.count()


def make_row(model, organizer, **extra):
    """A saved `model` row of `organizer`, from the app's factory `<Model>Factory`."""
    label = model._meta.label
    if label == "liffy.Organizer":
        return organizer
    if label == "auth.Group":
        from django.contrib.auth.models import Group

        return Group.objects.create(name=f"Group {next(_numbers)}")
    if model._meta.app_label in ("knox", "axes"):
        return _token_or_login_attempt(model, organizer)
    factories = importlib.import_module(f"{model._meta.app_label}.tests.factories")
    factory = getattr(factories, f"{model.__name__}Factory", None)
    assert factory is not None, f"{label} is in the admin but has no factory in {factories.__name__}"
    return factory(**{ORGANIZER_PATHS.get(label, "organizer"): organizer}, **extra)


def _token_or_login_attempt(model, organizer):
    """Rows of the libraries' API token and login lockout tables (no factories of ours)."""
    from liffy.tests.factories import UserFactory

    if model._meta.app_label == "knox":
        return model.objects.create(user=UserFactory(organizer=organizer))[0]
    return model.objects.create(
        username="someone@a.test",
        ip_address="203.0.113.9",
        user_agent="pytest",
        http_accept="*/*",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def change_url(obj):
    """The row's admin page."""
    return admin_url(type(obj), "change", obj.pk)
