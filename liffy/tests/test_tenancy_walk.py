"""Every API route and verb, walked as a user of ANOTHER organizer: nothing of the first organizer leaks.

Routes are read from the URL resolver, so endpoints added later are covered automatically. A route
whose path needs an id this test cannot fill fails the test until it is registered in `ID_SOURCES`.
Query parameters that take an id are read from the OpenAPI schema (every `format: uuid` query
parameter); one this test cannot fill fails until it is registered in `QUERY_ID_SOURCES`.
"""

import re
import uuid
from functools import cache

import django_filters
import pytest
from django.db import models as django_models
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from liffy.filters import DateTimeFilter
from liffy.tenancy import FilterBackend, OrganizerScopedIdFilter, OrganizerScopedViewSet

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


def _recipient(org):
    from campaigns.tests.factories import CampaignRecipientFactory

    return CampaignRecipientFactory(campaign__organizer=org)


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

# query parameter name → factory of the object of an organizer it refers to
QUERY_ID_SOURCES = {
    "person": _person,
    "campaign": _campaign,
    "recipient": _recipient,
    "job": _mining_job,
    "list_id": _list,
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


@cache
def id_query_parameters():
    """{(schema path, method): [names of the query parameters that take an id]}, from the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method): names
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if (
            names := [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p["schema"].get("format") == "uuid"
            ]
        )
    }


def schema_path(route):
    """The OpenAPI path of a route: `api/persons/(?P<pk>[^/.]+)` → `/api/persons/{id}`."""

    def variable(match):
        name = match.group(1) or match.group(2)
        return "{%s}" % ("id" if name == "pk" else name)

    return "/" + KWARG.sub(variable, route)


ROUTES = api_routes()
PRIVATE_ROUTES = [(route, callback) for route, callback in ROUTES if route not in PUBLIC_ROUTES]


class ForeignData:
    """Objects of organizer A, created on demand, and every id/email that must never reach organizer B."""

    def __init__(self, organizer):
        self.organizer = organizer
        self.objects = {}

    def object_for(self, route, kwarg):
        prefix = route[len("api/") :].split("/(?P<")[0].split("/<")[0]
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
            "person": str(person.pk),
            "person_id": str(person.pk),
            "person_ids": [str(person.pk)],
            "campaign": str(campaign.pk),
            "campaign_id": str(campaign.pk),
            "list": str(target_list.pk),
            "list_id": str(target_list.pk),
            "template": str(campaign.template_id),
            "template_id": str(campaign.template_id),
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
def test_a_foreign_id_in_the_query_answers_exactly_like_an_unknown_one(route, callback, organizer, other_organizer):
    """Every id-taking query parameter: organizer A's id and an id nobody has get the same status and the same
    body (up to the id itself) for organizer B, so the answer never tells that the id exists; a malformed id is a
    400 naming the parameter."""
    from liffy.tests.factories import UserFactory

    names = [
        name
        for method in ("get",)
        if method in allowed_methods(callback)
        for name in id_query_parameters().get((schema_path(route), method), [])
    ]
    if not names:
        return
    mine = ForeignData(other_organizer)
    path = mine.fill(route)  # the caller's own objects in the path: only the query is foreign
    client = APIClient()
    client.force_authenticate(UserFactory(organizer=other_organizer, role="owner"))
    for name in names:
        if name not in QUERY_ID_SOURCES:
            pytest.fail(f"{route}: register a factory for query parameter '{name}' in QUERY_ID_SOURCES of {__name__}")
        foreign, unknown = str(QUERY_ID_SOURCES[name](organizer).pk), str(uuid.uuid4())
        answers = [client.get(path, {name: value}) for value in (foreign, unknown)]
        assert answers[0].status_code == answers[1].status_code, f"GET {path}?{name}=: {answers}"
        bodies = [
            a.content.decode().replace(value, "<id>") for a, value in zip(answers, (foreign, unknown), strict=True)
        ]
        assert bodies[0] == bodies[1], f"GET {path}?{name}= foreign vs unknown: {bodies}"
        malformed = client.get(path, {name: "not-an-id"})
        assert malformed.status_code == 400 and name in malformed.json(), f"GET {path}?{name}=not-an-id"


def test_every_filterset_takes_ids_and_dates_through_the_shared_filters():
    """Ids in filters go through OrganizerScopedIdFilter, date-times through DateTimeFilter, in every filterset
    (those views build from `filterset_fields` too)."""
    checked = []
    for route, callback in PRIVATE_ROUTES:
        view_class = view_class_of(callback)
        if FilterBackend not in getattr(view_class, "filter_backends", []):
            continue
        filterset = FilterBackend().get_filterset_class(view_class(), view_class.queryset)
        for name, declared in (filterset.base_filters if filterset else {}).items():
            field = (
                filterset._meta.model._meta.get_field(declared.field_name.split("__")[0])
                if declared.field_name and not declared.method
                else None
            )
            if isinstance(field, django_models.ForeignKey) or isinstance(declared, django_filters.UUIDFilter):
                assert isinstance(declared, OrganizerScopedIdFilter), f"{route} ?{name}="
            if isinstance(field, django_models.DateTimeField):
                assert isinstance(declared, DateTimeFilter), f"{route} ?{name}="
            checked.append((route, name))
    assert ("api/events", "campaign") in checked and ("api/persons", "created_before") in checked


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
