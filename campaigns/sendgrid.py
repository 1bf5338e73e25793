"""The one SendGrid client: v3 mail/send and key checks through `requests`, with timeouts and retries.

429, 5xx, timeouts and connection errors are retried with exponential backoff (or the server's
Retry-After); any other 4xx is permanent and raised at once with SendGrid's own error text.
"""
import logging
import time

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from liffy.services import register_credential_validator

logger = logging.getLogger(__name__)
RETRYABLE_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_SECONDS = 60


class SendGridError(Exception):
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
        self.base_url = settings.SENDGRID_API_URL
        self.timeout = settings.SENDGRID_TIMEOUT_SECONDS
        self.max_retries = settings.SENDGRID_MAX_RETRIES
        self.backoff = settings.SENDGRID_BACKOFF_SECONDS
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
        headers = {"Authorization": f"Bearer {self.api_key}"}
        attempt = 0
        while True:
            try:
                response = self.session.request(method, self.base_url + path, headers=headers,
                                                timeout=self.timeout, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt >= self.max_retries:
                    raise SendGridError(f"SendGrid unreachable: {exc.__class__.__name__}") from exc
                retry_after = None
            else:
                if response.status_code not in RETRYABLE_STATUSES or attempt >= self.max_retries:
                    return response
                retry_after = response.headers.get("Retry-After")
            self._wait(attempt, retry_after)
            attempt += 1

    def _wait(self, attempt, retry_after=None):
        delay = self.backoff * 2 ** attempt
        if retry_after and retry_after.isdigit():
            delay = min(int(retry_after), MAX_RETRY_AFTER_SECONDS)
        logger.info("SendGrid retry %d in %.2fs", attempt + 1, delay)
        time.sleep(delay)


@register_credential_validator("sendgrid")
def validate_sendgrid_key(values, organizer):
    """A new SendGrid key is saved only when SendGrid accepts it."""
    key = values.get("sendgrid_api_key")
    if not key:
        return
    try:
        accepted = SendGridClient(key).check_api_key()
    except SendGridError as exc:
        raise ValidationError({"sendgrid_api_key": f"The key could not be checked: {exc}"})
    if not accepted:
        raise ValidationError({"sendgrid_api_key": "SendGrid refused this key."})
