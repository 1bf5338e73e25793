"""API tokens are django-rest-knox tokens:
only a hash is stored, each expires (REST_KNOX TOKEN_TTL, from API_TOKEN_TTL_HOURS), logout deletes
the one in use and a new password deletes them all (`User.save`).
"""
from django.contrib.auth import authenticate
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions


class BadCredentials(Exception):
    pass


def issue_token(request, email, password):
    """(token, expiry) for good credentials. Raises BadCredentials."""
    user = authenticate(request, email=email.lower(), password=password)
    if user is None:
        raise BadCredentials("Unable to log in with these credentials (or the account is inactive).")
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def revoke_token(token):
    """Logout: the token stops working at once."""
    token.delete()


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's `Authorization: Token <token>` check; a token that is not even text is just an invalid token."""

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """How the API schema describes `TokenAuthentication`: `Authorization: Token <token>`."""

    target_class = "liffy.auth.TokenAuthentication"
    name = "tokenAuth"
