"""The one SendGrid client: v3 mail/send and key checks through `requests`, with timeouts and retries.

429, 5xx, timeouts and connection errors are retried with exponential backoff (or the server's
Retry-After); any other 4xx is permanent and raised at once with SendGrid's own error text.
"""

import requests
from django.conf import settings

from liffy.errors import InvalidInput, OutsideServiceError
from liffy.http import Unreachable, request_with_retries
from liffy.services import register_credential_validator


class SendGridError(OutsideServiceError):
    def __init__(self, message, *, status=None):
        super().__init__(message)
        self.status = status


def _error_text(response):
    try:
        errors = response.json().get("errors") or []
        details = "; ".join(filter(None, (error.get("message") for error in errors if isinstance(error, dict))))
    except (ValueError, AttributeError):
        details = response.text[:500]
    return f"SendGrid {response.status_code}: {details or response.reason}"


class SendGridClient:
    def __init__(self, api_key, *, session=None):
        self.api_key = api_key
        self.session = session or requests.Session()

    def send(self, message):
        """Hand one v3 mail/send payload over; returns SendGrid's X-Message-Id."""
        response = self._request("POST", "/v3/mail/send", json=message)
        if response.status_code >= 400:
            raise SendGridError(_error_text(response), status=response.status_code)
        return response.headers.get("X-Message-Id")

    def check_api_key(self):
        """True when SendGrid accepts the key (GET /v3/scopes)."""
        response = self._request("GET", "/v3/scopes")
        if response.status_code in (401, 403):
            return False
        if response.status_code >= 400:
            raise SendGridError(_error_text(response), status=response.status_code)
        return True

    def _request(self, method, path, **kwargs):
        try:
            return request_with_retries(
                self.session,
                method,
                settings.SENDGRID_API_URL + path,
                service="SendGrid",
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=settings.SENDGRID_TIMEOUT_SECONDS,
                max_retries=settings.SENDGRID_MAX_RETRIES,
                backoff=settings.SENDGRID_BACKOFF_SECONDS,
                **kwargs,
            )
        except Unreachable as exc:
            raise SendGridError(str(exc)) from exc


@register_credential_validator("sendgrid")
def validate_sendgrid_key(values, organizer):
    """A new SendGrid key is saved only when SendGrid accepts it."""
    key = values.get("sendgrid_api_key")
    if not key:
        return
    try:
        accepted = SendGridClient(key).check_api_key()
    except SendGridError as exc:
        raise InvalidInput({"sendgrid_api_key": f"The key could not be checked: {exc}"}) from exc
    if not accepted:
        raise InvalidInput({"sendgrid_api_key": "SendGrid refused this key."})
