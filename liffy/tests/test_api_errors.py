"""No 5xx from any request, and every error under /api/ is JSON, whatever DEBUG says."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.tests.factories import CampaignEventFactory
from liffy.tests.test_tenancy_walk import ROUTES, ForeignData, allowed_methods
from mining.tests.factories import MiningJobFactory
from persons.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict) and body, body
    return body


@pytest.mark.parametrize(
    "path", ["/api/nowhere", "/api/persons/", "/api/persons/stats/", "/api/schema", "/api/", "/api"]
)
def test_unknown_paths_and_slash_variants_are_a_json_404(member_client, debug, path):
    for method in ("get", "post", "put", "patch", "delete"):
        assert_json_error(getattr(member_client, method)(path), 404)


def test_malformed_json_is_a_json_400(member_client, debug):
    response = member_client.post("/api/persons", data=b'{"email": ', content_type="application/json")
    assert "JSON parse error" in assert_json_error(response, 400)["detail"]


def test_a_bad_multipart_boundary_is_a_json_400(member_client, debug):
    response = member_client.post("/api/persons", data=b"--x\r\nnot multipart", content_type="multipart/form-data")
    assert "boundary" in assert_json_error(response, 400)["detail"].lower()


def test_a_form_field_over_djangos_memory_limit_is_a_json_413(member_client, debug, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = member_client.post("/api/persons", {"email": "a@b.test", "first_name": "x" * 5000}, format="multipart")
    assert_json_error(response, 413)


def test_too_many_fields_is_a_json_400(member_client, debug, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{n}=1" for n in range(50))
    response = member_client.post("/api/persons", data=body, content_type="application/x-www-form-urlencoded")
    assert "fields" in str(assert_json_error(response, 400))
    response = member_client.get("/api/persons?" + body)
    assert "fields" in str(assert_json_error(response, 400))


def test_too_many_files_is_a_json_400(member_client, debug, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = {f"file{n}": SimpleUploadedFile(f"f{n}.csv", b"email\n") for n in range(5)}
    response = member_client.post("/api/lists/upload-csv", files, format="multipart")
    assert "files" in str(assert_json_error(response, 400))


def test_an_unexpected_error_is_a_json_500_without_debug_details(member_client, debug, monkeypatch):
    from persons import selectors

    def broken(organizer):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "person_stats", broken)
    member_client.raise_request_exception = False
    response = member_client.get("/api/persons/stats")
    body = assert_json_error(response, 500)
    assert "secret internals" not in response.content.decode() and body == {"detail": "Internal Server Error."}


def test_options_works_on_every_route(organizer, owner_client):
    """OPTIONS describes every API route (with ids of the caller's own organizer)."""
    own = ForeignData(organizer)
    for route, callback in ROUTES:
        if not allowed_methods(callback) or route.startswith("api/docs"):
            continue
        response = owner_client.options(own.fill(route))
        assert response.status_code == 200, f"OPTIONS {route}: {response.status_code} {response.content[:200]}"
        assert "html" not in response["Content-Type"], route


DATE_FILTERS = [
    ("/api/persons", "created_before", "created_after", lambda org: PersonFactory(organizer=org)),
    ("/api/mining/jobs", "created_before", "created_after", lambda org: MiningJobFactory(organizer=org)),
    (
        "/api/events",
        "occurred_before",
        "occurred_after",
        lambda org: CampaignEventFactory(recipient__campaign__organizer=org),
    ),
]


@pytest.mark.parametrize("path, before, after, make", DATE_FILTERS, ids=[path for path, *_ in DATE_FILTERS])
@pytest.mark.parametrize(
    "value",
    [
        "0558-06-19T02:30:33-23:37",  # an offset PostgreSQL refuses
        "2026-01-01T00:00:00+16:00",
        "9999-12-31T23:59:59-15:00",  # past year 9999 in UTC
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
        "2026-13-01T00:00:00Z",
        "yesterday",
    ],
)
def test_date_filters_refuse_what_postgresql_cannot_take_with_a_400_naming_them(
    member_client, organizer, path, before, after, make, value
):
    make(organizer)
    for name in (before, after):
        assert name in assert_json_error(member_client.get(path, {name: value}), 400)


@pytest.mark.parametrize("path, before, after, make", DATE_FILTERS, ids=[path for path, *_ in DATE_FILTERS])
def test_date_filters_take_any_offset_postgresql_accepts(member_client, organizer, path, before, after, make):
    make(organizer)
    soon = (timezone.now() + timedelta(minutes=5)).astimezone(timezone.get_fixed_timezone(15 * 60 + 59))
    assert member_client.get(path, {before: soon.isoformat()}).json()["count"] == 1
    assert member_client.get(path, {after: soon.isoformat()}).json()["count"] == 0
    assert member_client.get(path, {before: "0001-01-01T00:00:00-15:59"}).json()["count"] == 0
    assert member_client.get(path, {before: "9999-12-31T23:59:59+15:59"}).json()["count"] == 1


def test_a_null_character_in_a_json_body_is_a_400_not_a_database_error(member_client, organizer):
    from mining.tests.factories import MiningJobFactory

    person = PersonFactory(organizer=organizer)
    job = MiningJobFactory(organizer=organizer)
    for path, body in [
        ("/api/intents", {"person": str(person.pk), "intent_type": "reply", "meta": {"note": "a\u0000b"}}),
        (f"/api/mining/jobs/{job.pk}/results", {"results": [{"email": "a@b.test", "company_name": "x\u0000"}]}),
        ("/api/mining/jobs", {"url": "https://fair.test/", "config": {"\u0000": 1}}),
    ]:
        assert "null characters" in assert_json_error(member_client.post(path, body, format="json"), 400)["detail"]
    response = member_client.post(
        "/api/mining/jobs", {"url": "https://fair.test/", "config": '{"a": "\\u0000"}'}, format="multipart"
    )
    assert "null characters" in str(assert_json_error(response, 400))


@pytest.mark.parametrize("page_size", ["0", "-3", "501", "ten", "2.5"])
def test_a_page_size_outside_1_to_500_is_a_400_naming_it(member_client, page_size):
    assert "page_size" in assert_json_error(member_client.get("/api/persons", {"page_size": page_size}), 400)


def test_a_page_past_the_end_is_a_json_404(member_client, organizer):
    PersonFactory(organizer=organizer)
    assert member_client.get("/api/persons", {"page_size": "500"}).json()["count"] == 1
    assert_json_error(member_client.get("/api/persons", {"page": "2"}), 404)
