"""Password logins and API tokens.

Every password login (the admin's form, `POST /api/auth/token`) goes through the login lockout
(django-axes, counted by `liffy.throttling.client_address`). API tokens are django-rest-knox tokens:
only a hash is stored, each expires (REST_KNOX TOKEN_TTL, from API_TOKEN_TTL_HOURS), logout deletes
the one in use and a new password deletes them all (`User.save`).
"""

from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.shortcuts import render
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

from liffy.errors import InvalidInput, TooManyAttempts


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses password checks from a locked-out client address.

    A check without a request (the test client's `login()`, a shell) has no address to count and is
    let through to the next backend, where axes' own backend would raise.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def attempted_email(request, credentials):
    """The address a login attempt named (`email` from the API, `username` from the admin's form)."""
    credentials = credentials or {}
    return credentials.get("email") or credentials.get("username")


def lockout_minutes(request):
    return max(round(get_cool_off(request).total_seconds() / 60), 1)


def lockout_page(request, original_response=None, credentials=None):
    """The admin's answer (429) while the client's address is locked out."""
    return render(
        request,
        "liffy/login_locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": lockout_minutes(request),
        },
        status=429,
    )


class BadCredentials(InvalidInput):
    """No active user has this email and password."""


def issue_token(request: HttpRequest, email: str, password: str) -> tuple[str, datetime]:
    """(token, expiry) for good credentials. Raises TooManyAttempts (the address is locked out) or
    BadCredentials."""
    user = authenticate(request, email=email.lower(), password=password)
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts("Too many failed logins from your address.", wait=get_cool_off(request).total_seconds())
    if user is None:
        raise BadCredentials("Unable to log in with these credentials (or the account is inactive).")
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def revoke_token(token: AuthToken) -> None:
    """Logout: the token stops working at once."""
    token.delete()


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's `Authorization: Token <token>` check; a token that is not even text is just an invalid token."""

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """How the API schema describes `TokenAuthentication`: `Authorization: Token <token>`."""

    target_class = "liffy.auth.TokenAuthentication"
    name = "tokenAuth"
