"""Token login and logout, token storage and lifetime, the caller's identity, unauthenticated requests."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken

from liffy.tests.factories import PASSWORD, UserFactory


def log_in(client, user, password=PASSWORD):
    response = client.post("/api/auth/token", {"email": user.email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def as_token(token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_for_good_credentials_authenticates_later_requests(api_client, member):
    response = api_client.post("/api/auth/token", {"email": member.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get("/api/me").json()
    assert me["email"] == member.email
    assert me["role"] == "user"
    assert me["organizer"]["id"] == str(member.organizer_id)


def test_the_token_expires_after_the_configured_hours(api_client, member, settings):
    body = log_in(api_client, member)
    expiry = parse_datetime(body["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(hours=10))) < timedelta(minutes=1)
    assert settings.REST_KNOX["TOKEN_TTL"] == timedelta(hours=10)
    client = as_token(body["token"])
    with mock.patch("django.utils.timezone.now", return_value=expiry - timedelta(seconds=5)):
        assert client.get("/api/me").status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=expiry + timedelta(seconds=5)):
        assert client.get("/api/me").status_code == 401
    assert not AuthToken.objects.exists()  # an expired token is deleted when it is next presented


def test_tokens_are_stored_hashed(api_client, member):
    token = log_in(api_client, member)["token"]
    stored = AuthToken.objects.get(user=member)
    assert token not in stored.digest and len(stored.digest) == 128
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM knox_authtoken t")
        assert all(token not in row for (row,) in cursor.fetchall())


def test_each_login_gets_its_own_token_and_logout_revokes_only_the_one_used(api_client, member):
    first, second = log_in(api_client, member)["token"], log_in(api_client, member)["token"]
    assert first != second
    response = as_token(first).post("/api/auth/logout")
    assert response.status_code == 204
    assert as_token(first).get("/api/me").status_code == 401
    assert as_token(second).get("/api/me").status_code == 200


def test_logout_needs_credentials(api_client, db):
    assert api_client.post("/api/auth/logout").status_code == 401


def test_a_session_logout_ends_the_session(client, member):
    client.force_login(member)
    assert client.get("/api/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/me").status_code == 401


def test_a_new_password_revokes_every_token_of_the_user(api_client, member, org_admin):
    tokens = [log_in(api_client, member)["token"] for _ in range(2)]
    someone_else = log_in(api_client, org_admin)["token"]
    member.set_password("a-brand-new-password-7")
    member.save()
    assert [as_token(token).get("/api/me").status_code for token in tokens] == [401, 401]
    assert as_token(someone_else).get("/api/me").status_code == 200
    assert log_in(api_client, member, "a-brand-new-password-7")["token"]


def test_a_password_set_by_staff_in_the_admin_revokes_the_tokens(api_client, client, member, staff_user):
    token = log_in(api_client, member)["token"]
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member.pk]),
        {"password1": "set-by-staff-123", "password2": "set-by-staff-123", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert as_token(token).get("/api/me").status_code == 401


def test_an_unusable_password_revokes_the_tokens_and_other_saves_do_not(api_client, member):
    token = log_in(api_client, member)["token"]
    member.role = "admin"
    member.save()
    assert as_token(token).get("/api/me").status_code == 200
    member.set_unusable_password()
    member.save()
    assert as_token(token).get("/api/me").status_code == 401


def test_a_password_hash_upgrade_at_login_keeps_the_tokens(api_client, member, settings):
    token = log_in(api_client, member)["token"]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    log_in(api_client, member)  # the stored MD5 hash is upgraded to PBKDF2 here
    member.refresh_from_db()
    assert member.password.startswith("pbkdf2_sha256$")
    assert as_token(token).get("/api/me").status_code == 200


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


@pytest.mark.parametrize("header", ["Token not-a-token", "Token", "Token a b", "Token caf\xe9", "Token \xff\xfe"])
def test_bad_token_gets_401(api_client, db, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert api_client.get("/api/me").status_code == 401


def test_openapi_schema_and_docs_are_served(api_client, db):
    schema = api_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/persons" in schema.content
    assert api_client.get("/api/docs/").status_code == 200
