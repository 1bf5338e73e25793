"""Every API route and verb, walked as a user of ANOTHER organizer: nothing of the first organizer leaks.

Routes are read from the URL resolver, so endpoints added later are covered automatically. A route
whose path needs an id this test cannot fill fails the test until it is registered in `ID_SOURCES`.
"""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from liffy.tenancy import OrganizerScopedViewSet

# Routes anyone may call (authenticated by other means, or not at all).
PUBLIC_ROUTES = {"api/auth/token", "api/schema/", "api/docs/", "api/webhooks/sendgrid"}
# Views that act on the caller's own user, credentials or organizer and take no ids.
SELF_ROUTES = {"api/me", "api/auth/logout", "api/organizer/settings", "api/analytics/overview"}
METHODS = ("get", "post", "put", "patch", "delete")


def _person(org):
    from persons.tests.factories import PersonFactory

    return PersonFactory(organizer=org)


def _intent(org):
    from persons.tests.factories import ProspectIntentFactory

    return ProspectIntentFactory(person__organizer=org)


def _mining_job(org):
    from mining.tests.factories import MiningJobFactory

    return MiningJobFactory(organizer=org)


def _mining_result(org):
    from mining.tests.factories import MiningResultFactory

    return MiningResultFactory(job__organizer=org)


def _template(org):
    from campaigns.tests.factories import EmailTemplateFactory

    return EmailTemplateFactory(organizer=org)


def _sender(org):
    from campaigns.tests.factories import SenderIdentityFactory

    return SenderIdentityFactory(organizer=org)


def _campaign(org):
    from campaigns.tests.factories import CampaignFactory

    return CampaignFactory(organizer=org)


def _event(org):
    from campaigns.tests.factories import CampaignEventFactory

    return CampaignEventFactory(recipient__campaign__organizer=org)


def _list(org):
    from legacy.tests.factories import ListMemberFactory

    return ListMemberFactory(list__organizer=org).list


# path prefix (the segments after api/ up to the id) or kwarg name → factory of one object of an organizer
ID_SOURCES = {
    "persons": _person,
    "person_pk": _person,
    "intents": _intent,
    "mining/jobs": _mining_job,
    "mining/results": _mining_result,
    "templates": _template,
    "senders": _sender,
    "campaigns": _campaign,
    "events": _event,
    "lists": _list,
}


def api_routes():
    """(route template, callback) of every URL pattern under api/."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, pattern.callback

    return sorted(
        (route, callback)
        for route, callback in walk(get_resolver().url_patterns, "")
        if route.startswith("api/") and "<format>" not in route and "(?P<format>" not in route
    )


KWARG = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def route_kwargs(route):
    return [a or b for a, b in KWARG.findall(route)]


def view_class_of(callback):
    return getattr(callback, "cls", None) or callback.view_class


def allowed_methods(callback):
    view_class = view_class_of(callback)
    handled = getattr(callback, "actions", None) or [m for m in METHODS if hasattr(view_class, m)]
    return sorted(method for method in handled if method in METHODS and method in view_class.http_method_names)


ROUTES = api_routes()
PRIVATE_ROUTES = [(route, callback) for route, callback in ROUTES if route not in PUBLIC_ROUTES]


class ForeignData:
    """Objects of organizer A, created on demand, and every id/email that must never reach organizer B."""

    def __init__(self, organizer):
        self.organizer = organizer
        self.objects = {}

    def object_for(self, route, kwarg):
        prefix = route[len("api/"):].split("/(?P<")[0].split("/<")[0]
        key = kwarg if kwarg in ID_SOURCES else prefix if kwarg == "pk" else None
        if key not in ID_SOURCES:
            pytest.fail(f"{route}: register a factory for '{kwarg}' in ID_SOURCES of {__name__}")
        if key not in self.objects:
            self.objects[key] = ID_SOURCES[key](self.organizer)
        return self.objects[key]

    def fill(self, route):
        def replace(match):
            return str(self.object_for(route, match.group(1) or match.group(2)).pk)

        return "/" + KWARG.sub(replace, route)

    def secrets(self):
        from persons.models import Person

        values = {str(obj.pk) for obj in self.objects.values()}
        values |= set(Person.objects.for_organizer(self.organizer).values_list("email", flat=True))
        return values

    def references(self):
        """A body / query naming organizer A's rows under every usual field name."""
        person = self.object_for("api/persons", "pk")
        from campaigns.tests.factories import CampaignFactory
        from legacy.tests.factories import ListFactory

        campaign = self.objects.setdefault("campaign", CampaignFactory(organizer=self.organizer))
        target_list = self.objects.setdefault("list", ListFactory(organizer=self.organizer))
        return {
            "person": str(person.pk), "person_id": str(person.pk), "person_ids": [str(person.pk)],
            "campaign": str(campaign.pk), "campaign_id": str(campaign.pk),
            "list": str(target_list.pk), "list_id": str(target_list.pk),
            "template": str(campaign.template_id), "template_id": str(campaign.template_id),
        }


def test_every_private_api_view_is_organizer_scoped():
    unscoped = [
        route
        for route, callback in PRIVATE_ROUTES
        if route not in SELF_ROUTES and not issubclass(view_class_of(callback), OrganizerScopedViewSet)
    ]
    assert unscoped == [], "derive these views from liffy.tenancy.OrganizerScopedViewSet"


@pytest.mark.parametrize("route, callback", PRIVATE_ROUTES, ids=[route for route, _ in PRIVATE_ROUTES])
def test_another_organizer_gets_nothing(route, callback, organizer, other_organizer):
    from liffy.tests.factories import UserFactory

    foreign = ForeignData(organizer)
    path = foreign.fill(route)
    references = foreign.references()
    client = APIClient()
    client.force_authenticate(UserFactory(organizer=other_organizer, role="owner"))

    for method in allowed_methods(callback):
        if method == "get":
            response = client.get(path, {key: value for key, value in references.items() if isinstance(value, str)})
        else:
            response = getattr(client, method)(path, references, format="json")
        body = response.content.decode(errors="replace")
        leaked = [secret for secret in foreign.secrets() if secret in body]
        assert not leaked, f"{method.upper()} {path} returned organizer A's data: {leaked}"
        if route in SELF_ROUTES:
            continue  # acts on the caller's own organizer: only the leak check applies
        if route_kwargs(route):
            assert response.status_code in (403, 404), f"{method.upper()} {path}: {response.status_code}"
        elif method != "get":
            assert response.status_code in (400, 403, 404, 405), f"{method.upper()} {path}: {response.status_code}"
        else:  # a list: filtered to nothing, or 404 where the query's ids are checked
            assert response.status_code in (200, 404), f"GET {path}: {response.status_code}"


@pytest.mark.parametrize("route, callback", PRIVATE_ROUTES, ids=[route for route, _ in PRIVATE_ROUTES])
def test_unauthenticated_requests_get_401(route, callback, organizer):
    path = ForeignData(organizer).fill(route)
    for method in allowed_methods(callback):
        assert getattr(APIClient(), method)(path).status_code == 401, f"{method.upper()} {path}"


def test_the_walk_covers_the_known_endpoints():
    routes = {route for route, _ in ROUTES}
    assert {"api/persons", "api/persons/(?P<pk>[^/.]+)", "api/intents/stats", "api/me"} <= routes


def test_created_rows_belong_to_the_callers_organizer_whatever_the_mixin_order():
    from rest_framework import mixins

    class Viewset(mixins.CreateModelMixin, OrganizerScopedViewSet):
        pass

    assert Viewset.perform_create is OrganizerScopedViewSet.perform_create
