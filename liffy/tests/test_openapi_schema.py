"""The OpenAPI schema tells the truth: it validates without a warning, every success response is typed, and
the responses it once got wrong match it."""

import pytest
import yaml
from django.core.management import call_command

from campaigns.tests.factories import CampaignFactory, EmailTemplateFactory
from persons.tests.factories import AffiliationFactory, PersonFactory, ProspectIntentFactory


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """`manage.py spectacular --validate --fail-on-warn`: raises on any warning or validation error."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def response_schema(schema, path, method, status):
    content = schema["paths"][path][method]["responses"][str(status)]["content"]
    return content["application/json"]["schema"]


def test_the_schema_validates_without_warnings(schema):
    assert schema["openapi"].startswith("3.") and len(schema["paths"]) > 40


def test_every_success_response_has_a_typed_body(schema):
    untyped = [
        f"{method.upper()} {path} {status}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status, response in operation["responses"].items()
        if status.startswith("2")
        for media in response.get("content", {}).values()
        if media["schema"].get("type") == "object" and "properties" not in media["schema"]
    ]
    assert untyped == []


def test_every_operation_documents_its_errors(schema):
    persons = schema["paths"]["/api/persons"]
    assert {"400", "401", "403", "404"} <= set(persons["get"]["responses"])
    assert {"400", "401", "403", "409", "413", "415"} <= set(persons["post"]["responses"])
    assert "503" in schema["paths"]["/api/verification/verify-single"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/auth/token"]["post"]["responses"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_the_shapes_once_wrong_are_documented_as_served(schema, member_client, organizer, db):
    person = PersonFactory(organizer=organizer)
    AffiliationFactory(person=person)
    ProspectIntentFactory(person=person)

    assert response_schema(schema, "/api/intents/stats", "get", 200)["type"] == "array"
    assert isinstance(member_client.get("/api/intents/stats").json(), list)
    assert response_schema(schema, "/api/persons/{id}/affiliations", "get", 200)["type"] == "array"
    assert isinstance(member_client.get(f"/api/persons/{person.pk}/affiliations").json(), list)


def test_created_lists_and_templates_carry_their_counts(member_client, organizer, db):
    created = member_client.post("/api/lists", {"name": "New"}).json()
    assert created["member_count"] == 0
    template = member_client.post("/api/templates", {"name": "T", "subject": "S", "body_html": "<p>x</p>"}).json()
    assert template["campaign_count"] == 0
    used = EmailTemplateFactory(organizer=organizer)
    CampaignFactory(organizer=organizer, template=used)
    assert member_client.post(f"/api/templates/{used.pk}/clone").json()["campaign_count"] == 0
    assert member_client.patch(f"/api/templates/{used.pk}", {"name": "R"}).json()["campaign_count"] == 1


def test_search_is_advertised_only_where_a_list_searches(schema):
    def takes_search(path):
        return "search" in {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}

    assert all(takes_search(path) for path in ("/api/persons", "/api/campaigns", "/api/mining/results", "/api/lists"))
    assert not any(takes_search(path) for path in ("/api/events", "/api/intents", "/api/zoho/push-history"))
