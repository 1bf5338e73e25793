"""Client addresses: X-Forwarded-For is trusted only behind TRUSTED_PROXY_COUNT proxies, for every
throttle (login, unsubscribe, webhook) and for the login lockout of the admin and the API."""

from unittest import mock

import pytest
from django.conf import settings
from django.test import RequestFactory
from rest_framework.throttling import ScopedRateThrottle

from liffy.tests.factories import PASSWORD
from liffy.throttling import client_address

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT = "198.51.100.7"

# scope → (method, path): each throttled endpoint, called with nothing valid (throttles act first)
THROTTLED = {
    "login": ("post", "/api/auth/token"),
    "unsubscribe": ("post", "/unsubscribe/not-a-token"),
    "webhook": ("post", "/api/webhooks/sendgrid"),
}


def address(remote_addr, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return client_address(RequestFactory().get("/", **meta))


# --- the rule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("forwarded", [None, "1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage", ""])
def test_without_trusted_proxies_the_connection_decides(forwarded):
    assert address(CLIENT, forwarded) == CLIENT


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (1, f"6.6.6.6, {CLIENT}", CLIENT),  # right-most-but-one of X-Forwarded-For + REMOTE_ADDR
        (1, CLIENT, CLIENT),
        (1, None, PROXY),  # nothing forwarded: the connection
        (2, f"6.6.6.6, {CLIENT}, 10.0.0.1", CLIENT),
        (2, CLIENT, CLIENT),  # shorter chain than proxies: its left-most entry
        (1, f"6.6.6.6, {CLIENT}:51234", CLIENT),  # a port after the address
        (1, "6.6.6.6, [2001:db8:1:2::77]:443", "2001:db8:1:2::"),
        (1, "6.6.6.6, not-an-address", PROXY),  # unreadable where the client should be: the connection
    ],
)
def test_behind_trusted_proxies_the_entry_they_wrote_counts(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert address(PROXY, forwarded) == expected


def test_ipv6_clients_count_by_their_64_network_and_mapped_ipv4_as_ipv4():
    assert address("2001:db8:aa:bb:1:2:3:4") == address("2001:db8:aa:bb:ffff::9") == "2001:db8:aa:bb::"
    assert address("::ffff:198.51.100.7") == CLIENT


def test_drf_and_the_login_lockout_use_the_same_rule():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_CLIENT_IP_CALLABLE == "liffy.throttling.client_address"


# --- the throttles -------------------------------------------------------------------------------------


def call(client, scope, **meta):
    method, path = THROTTLED[scope]
    return getattr(client, method)(path, {}, format="json", **meta).status_code


@pytest.fixture
def rate_of_three():
    with mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {scope: "3/min" for scope in THROTTLED}):
        yield


@pytest.mark.parametrize("scope", THROTTLED)
def test_a_spoofed_forwarded_for_does_not_reset_a_throttle(api_client, rate_of_three, scope):
    codes = [call(api_client, scope, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(5)]
    assert 429 not in codes[:3] and codes[3:] == [429, 429]
    assert call(api_client, scope, REMOTE_ADDR="198.51.100.8") != 429  # another client has its own count


@pytest.mark.parametrize("scope", THROTTLED)
def test_behind_one_proxy_the_client_it_saw_is_throttled(api_client, rate_of_three, settings, scope):
    settings.TRUSTED_PROXY_COUNT = 1
    codes = [
        call(api_client, scope, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {CLIENT}") for n in range(5)
    ]
    assert 429 not in codes[:3] and codes[3:] == [429, 429]
    assert call(api_client, scope, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8") != 429


# --- the login lockout ---------------------------------------------------------------------------------


def admin_login(client, password, **meta):
    return client.post("/admin/login/", {"username": "staff@liffy.test", "password": password}, **meta)


def test_admin_login_locks_the_address_after_repeated_failures(client, staff_user, reset_login_lockouts):
    limit = settings.AXES_FAILURE_LIMIT
    failures = [
        admin_login(client, "wrong", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(limit)
    ]
    assert [response.status_code for response in failures[:-1]] == [200] * (limit - 1)  # the form again
    locked = failures[-1]
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content and b"15 minutes" in locked.content

    # the right password does not help, nor does another X-Forwarded-For; another address is not affected
    assert admin_login(client, "staff-password-123", REMOTE_ADDR=CLIENT).status_code == 429
    assert (
        admin_login(client, "staff-password-123", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code
        == 429
    )
    assert admin_login(client, "staff-password-123", REMOTE_ADDR="198.51.100.8").status_code == 302

    reset_login_lockouts()  # what deleting the attempt in the admin does
    assert admin_login(client, "staff-password-123", REMOTE_ADDR=CLIENT).status_code == 302


def test_the_lockout_covers_api_logins_with_a_json_429(api_client, client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "wrong", REMOTE_ADDR=CLIENT)
    response = api_client.post("/api/auth/token", {"email": member.email, "password": PASSWORD}, REMOTE_ADDR=CLIENT)
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"] and int(response["Retry-After"]) == 15 * 60
    assert (
        api_client.post(
            "/api/auth/token", {"email": member.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.8"
        ).status_code
        == 200
    )


def test_behind_one_proxy_the_lockout_counts_the_client_it_saw(client, staff_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {CLIENT}")
    assert (
        admin_login(
            client, "staff-password-123", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {CLIENT}"
        ).status_code
        == 429
    )
    assert (
        admin_login(client, "staff-password-123", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code
        == 302
    )
