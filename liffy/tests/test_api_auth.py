"""Token login, the caller's identity, and what an unauthenticated request gets."""
import pytest

from liffy.tests.factories import PASSWORD, UserFactory


def test_token_for_good_credentials_authenticates_later_requests(api_client, member):
    response = api_client.post("/api/auth/token", {"email": member.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get("/api/me").json()
    assert me["email"] == member.email
    assert me["role"] == "user"
    assert me["organizer"]["id"] == str(member.organizer_id)


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_bad_credentials_get_a_clear_400(api_client, member, password):
    response = api_client.post("/api/auth/token", {"email": member.email, "password": password})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_inactive_users_cannot_log_in(api_client, organizer):
    user = UserFactory(organizer=organizer, is_active=False)
    response = api_client.post("/api/auth/token", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_missing_fields_are_named(api_client, db):
    response = api_client.post("/api/auth/token", {})
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_unauthenticated_requests_get_401(api_client, db):
    for path in ("/api/me", "/api/persons", "/api/intents", "/api/organizer/settings"):
        assert api_client.get(path).status_code == 401


def test_bad_token_gets_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get("/api/me").status_code == 401


def test_openapi_schema_and_docs_are_served(api_client, db):
    schema = api_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/persons" in schema.content
    assert api_client.get("/api/docs/").status_code == 200
