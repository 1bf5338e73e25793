"""The one ZeroBounce client (v2 validate and credits) through `requests`, with timeouts and retries.

ZeroBounce answers some errors (an invalid key, no credits) with HTTP 200 and an `error` body: those
raise, they are never a verdict.
"""

import requests
from django.conf import settings

from liffy.errors import InvalidInput, OutsideServiceError
from liffy.http import RETRYABLE_STATUSES, Unreachable, request_with_retries
from liffy.services import register_credential_validator


class ZeroBounceError(OutsideServiceError):
    """Worth retrying later (rate limit, outage)."""


class ZeroBounceKeyError(ZeroBounceError):
    """The key was refused or has no credits left: nothing verifies until it is fixed."""


class ZeroBounceClient:
    def __init__(self, api_key, *, session=None):
        self.api_key = api_key
        self.base_url = settings.ZEROBOUNCE_API_URL
        self.session = session or requests.Session()

    def validate(self, email):
        """ZeroBounce's verdict for one address: the JSON body (status, sub_status, …)."""
        return self._get("/v2/validate", {"email": email, "ip_address": ""})

    def credits(self):
        body = self._get("/v2/getcredits", {})
        credits = int(body.get("Credits", -1))
        if credits < 0:
            raise ZeroBounceKeyError("ZeroBounce refused the API key.")
        return credits

    def _get(self, path, params):
        try:
            response = request_with_retries(
                self.session,
                "GET",
                self.base_url + path,
                service="ZeroBounce",
                params={"api_key": self.api_key, **params},
                timeout=settings.ZEROBOUNCE_TIMEOUT_SECONDS,
                max_retries=settings.ZEROBOUNCE_MAX_RETRIES,
                backoff=settings.ZEROBOUNCE_BACKOFF_SECONDS,
            )
        except Unreachable as exc:
            raise ZeroBounceError(str(exc)) from exc
        if response.status_code in (401, 403):
            raise ZeroBounceKeyError("ZeroBounce refused the API key.")
        if response.status_code in RETRYABLE_STATUSES:
            raise ZeroBounceError(f"ZeroBounce answered {response.status_code}.")
        return self._body(response)

    @staticmethod
    def _body(response):
        try:
            body = response.json()
        except ValueError:
            raise ZeroBounceError(f"ZeroBounce answered {response.status_code} without JSON.") from None
        if response.status_code >= 400 or not isinstance(body, dict):
            raise ZeroBounceError(f"ZeroBounce answered {response.status_code}: {str(body)[:200]}")
        error = body.get("error") or body.get("Error")
        if error:
            text = str(error)
            if "key" in text.lower() or "credit" in text.lower():
                raise ZeroBounceKeyError(f"ZeroBounce: {text}")
            raise ZeroBounceError(f"ZeroBounce: {text}")
        return body


@register_credential_validator("zerobounce")
def validate_zerobounce_key(values, organizer):
    """A new ZeroBounce key is saved only when ZeroBounce accepts it (a credits call costs nothing)."""
    key = values.get("zerobounce_api_key")
    if not key:
        return
    try:
        ZeroBounceClient(key).credits()
    except ZeroBounceKeyError:
        raise InvalidInput({"zerobounce_api_key": "ZeroBounce refused this key."}) from None
    except ZeroBounceError as exc:
        raise InvalidInput({"zerobounce_api_key": f"The key could not be checked: {exc}"}) from exc
