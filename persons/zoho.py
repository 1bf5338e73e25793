"""The one Zoho CRM client: OAuth refresh and record upserts through `requests`, with timeouts and retries."""

import requests
from django.conf import settings

from liffy.errors import InvalidInput, OutsideServiceError
from liffy.http import RETRYABLE_STATUSES, Unreachable, request_with_retries
from liffy.services import register_credential_validator

# datacenter → (accounts host, API host)
DATACENTERS = {
    "com": ("accounts.zoho.com", "www.zohoapis.com"),
    "eu": ("accounts.zoho.eu", "www.zohoapis.eu"),
    "in": ("accounts.zoho.in", "www.zohoapis.in"),
    "com.au": ("accounts.zoho.com.au", "www.zohoapis.com.au"),
    "jp": ("accounts.zoho.jp", "www.zohoapis.jp"),
    "ca": ("accounts.zohocloud.ca", "www.zohoapis.ca"),
}


class ZohoError(OutsideServiceError):
    pass


class ZohoAuthError(ZohoError):
    """The credentials or the access token were refused."""


def hosts(datacenter):
    return DATACENTERS.get(datacenter or "com", DATACENTERS["com"])


class ZohoClient:
    def __init__(self, datacenter, *, session=None):
        self.accounts_host, self.api_host = hosts(datacenter)
        self.session = session or requests.Session()

    def refresh_access_token(self, client_id, client_secret, refresh_token):
        """(access token, seconds it lives) for a refresh token."""
        response = self._request(
            "POST",
            f"https://{self.accounts_host}/oauth/v2/token",
            params={
                "refresh_token": refresh_token,
                "client_id": client_id,
                "client_secret": client_secret,
                "grant_type": "refresh_token",
            },
        )
        body = _json(response)
        if response.status_code >= 400 or "access_token" not in body:
            raise ZohoAuthError(f"Zoho refused the credentials: {body.get('error') or response.status_code}")
        return body["access_token"], int(body.get("expires_in", 3600))

    def upsert(self, module, records, access_token):
        """Create or update `records` (duplicate check on Email); one result dict per record, in order."""
        response = self._request(
            "POST",
            f"https://{self.api_host}/crm/v2/{module}/upsert",
            json={"data": records, "duplicate_check_fields": ["Email"]},
            headers={"Authorization": f"Zoho-oauthtoken {access_token}"},
        )
        body = _json(response)
        if response.status_code == 401:
            raise ZohoAuthError(f"Zoho refused the access token: {body.get('code') or 401}")
        if response.status_code >= 400 or not isinstance(body.get("data"), list):
            raise ZohoError(f"Zoho answered {response.status_code}: {str(body)[:300]}")
        return body["data"]

    def _request(self, method, url, **kwargs):
        try:
            response = request_with_retries(
                self.session,
                method,
                url,
                service="Zoho",
                timeout=settings.ZOHO_TIMEOUT_SECONDS,
                max_retries=settings.ZOHO_MAX_RETRIES,
                backoff=settings.ZOHO_BACKOFF_SECONDS,
                **kwargs,
            )
        except Unreachable as exc:
            raise ZohoError(str(exc)) from exc
        if response.status_code in RETRYABLE_STATUSES:
            raise ZohoError(f"Zoho answered {response.status_code}.")
        return response


def _json(response):
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


ZOHO_FIELDS = ("zoho_client_id", "zoho_client_secret", "zoho_refresh_token", "zoho_datacenter")


@register_credential_validator("zoho")
def validate_zoho_credentials(values, organizer):
    """New Zoho credentials are saved only when Zoho issues an access token for them; the working
    ones stay otherwise."""
    if not any(values.get(name) for name in ZOHO_FIELDS[:3]):
        return
    merged = {name: values.get(name) or getattr(organizer, name) for name in ZOHO_FIELDS}
    if not all(merged[name] for name in ZOHO_FIELDS[:3]):
        return  # incomplete: nothing to check yet, and nothing can be pushed until it is complete
    try:
        ZohoClient(merged["zoho_datacenter"]).refresh_access_token(
            merged["zoho_client_id"], merged["zoho_client_secret"], merged["zoho_refresh_token"]
        )
    except ZohoAuthError:
        raise InvalidInput({"zoho_refresh_token": "Zoho refused these credentials."}) from None
    except ZohoError as exc:
        raise InvalidInput({"zoho_refresh_token": f"The credentials could not be checked: {exc}"}) from exc
