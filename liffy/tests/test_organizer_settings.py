"""Organizer settings: masked keys on read, role rules on write, credential checks before saving."""

import pytest
import requests
import responses
from django.db import connection

from liffy import services
from liffy.errors import InvalidInput
from liffy.models import Organizer

SENDGRID_KEY = "SG.abcdefghijklmnop.qrstuvwxyz0123456789"


def test_keys_are_masked_and_never_returned(owner_client, organizer):
    organizer.sendgrid_api_key = SENDGRID_KEY
    organizer.save()
    body = owner_client.get("/api/organizer/settings").json()
    assert body["has_sendgrid_key"] is True
    assert body["has_zerobounce_key"] is False
    assert body["masked_keys"]["sendgrid_api_key"] == "SG.…6789"
    assert SENDGRID_KEY not in str(body)
    assert "sendgrid_api_key" not in body


def test_keys_are_encrypted_at_rest(organizer):
    organizer.sendgrid_api_key = SENDGRID_KEY
    organizer.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sendgrid_api_key FROM organizers WHERE id = %s", [organizer.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc:") and SENDGRID_KEY not in stored
    assert Organizer.objects.get(pk=organizer.pk).sendgrid_api_key == SENDGRID_KEY


@responses.activate
def test_owner_sets_keys_and_settings(owner_client, organizer):
    responses.get("https://api.sendgrid.com/v3/scopes", json={"scopes": ["mail.send"]})
    response = owner_client.patch(
        "/api/organizer/settings",
        {
            "sendgrid_api_key": SENDGRID_KEY,
            "timezone": "Europe/Istanbul",
            "physical_address": "Main St 1",
            "send_rate_per_second": 25,
            "send_batch_size": 200,
        },
    )
    assert response.status_code == 200, response.json()
    organizer.refresh_from_db()
    assert (organizer.sendgrid_api_key, organizer.timezone) == (SENDGRID_KEY, "Europe/Istanbul")
    assert (organizer.send_rate_per_second, organizer.send_batch_size) == (25, 200)
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {SENDGRID_KEY}"


@responses.activate
@pytest.mark.parametrize(
    "answer, reason",
    [
        ({"status": 401}, "SendGrid refused this key."),
        ({"body": requests.ConnectionError("no route")}, "The key could not be checked: SendGrid unreachable"),
    ],
)
def test_a_sendgrid_key_is_checked_with_sendgrid_before_saving(owner_client, organizer, settings, answer, reason):
    settings.SENDGRID_MAX_RETRIES = 0
    responses.get("https://api.sendgrid.com/v3/scopes", **answer)
    response = owner_client.patch("/api/organizer/settings", {"sendgrid_api_key": "SG.wrong", "name": "Kept?"})
    assert response.status_code == 400 and response.json()["sendgrid_api_key"][0].startswith(reason)
    organizer.refresh_from_db()
    assert not organizer.sendgrid_api_key and organizer.name != "Kept?"


def test_admin_changes_settings_but_not_keys(org_admin_client, organizer):
    assert org_admin_client.patch("/api/organizer/settings", {"name": "Renamed"}).status_code == 200
    response = org_admin_client.patch("/api/organizer/settings", {"zerobounce_api_key": "zb-key-1234567890"})
    assert response.status_code == 403
    organizer.refresh_from_db()
    assert organizer.name == "Renamed" and not organizer.zerobounce_api_key


def test_users_read_but_cannot_change_settings(member_client):
    assert member_client.get("/api/organizer/settings").status_code == 200
    assert member_client.patch("/api/organizer/settings", {"name": "Nope"}).status_code == 403


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"zoho_datacenter": "moon"}, "zoho_datacenter"),
        ({"send_rate_per_second": 0}, "send_rate_per_second"),
        ({"send_batch_size": 100_000}, "send_batch_size"),
    ],
)
def test_bad_values_are_refused_with_the_field(owner_client, payload, field):
    response = owner_client.patch("/api/organizer/settings", payload)
    assert response.status_code == 400
    assert field in response.json()


def test_a_failing_credential_check_saves_nothing(owner_client, organizer, monkeypatch):
    def reject_sendgrid(values, organizer):
        if "sendgrid_api_key" in values:
            raise InvalidInput({"sendgrid_api_key": "SendGrid refused this key."})

    monkeypatch.setitem(services.CREDENTIAL_VALIDATORS, "sendgrid", reject_sendgrid)
    response = owner_client.patch("/api/organizer/settings", {"sendgrid_api_key": "bad", "name": "New name"})
    assert response.status_code == 400
    assert response.json() == {"sendgrid_api_key": ["SendGrid refused this key."]}
    organizer.refresh_from_db()
    assert organizer.name != "New name" and not organizer.sendgrid_api_key
