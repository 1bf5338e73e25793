"""Writes of the core app: organizer settings."""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


from liffy.errors import Forbidden, InvalidInput, refuse_on_violation
from liffy.models import WEBHOOK_KEY_CONSTRAINT, Organizer, Role, User
from liffy.webhook_keys import KEY_TAKEN

SECRET_FIELDS = ("sendgrid_api_key", "zerobounce_api_key", "zoho_client_secret", "zoho_refresh_token")
OWNER_ONLY_FIELDS = (*SECRET_FIELDS, "zoho_client_id", "sendgrid_webhook_public_key")

# Provider checks run before credentials are saved: {name: callable(values, organizer)} raising
# InvalidInput({field: reason}). The outside-service client modules register theirs here.
CredentialValidator = Callable[[dict[str, Any], Organizer], None]
CREDENTIAL_VALIDATORS: dict[str, CredentialValidator] = {}


def register_credential_validator(name: str) -> Callable[[CredentialValidator], CredentialValidator]:
    def decorator(function: CredentialValidator) -> CredentialValidator:
        CREDENTIAL_VALIDATORS[name] = function
        return function

    return decorator


def update_organizer_settings(organizer: Organizer, user: User, values: dict[str, Any]) -> Organizer:
    """Apply validated settings. Keys are owner-only; every credential check passes before anything is saved."""
    owner_only = sorted(field for field in values if field in OWNER_ONLY_FIELDS)
    if owner_only and user.role != Role.OWNER:
        raise Forbidden(f"Only the owner may change {', '.join(owner_only)}.")
    if values.get("timezone"):
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput({"timezone": f"Unknown time zone {values['timezone']!r}."}) from None
    for validate in CREDENTIAL_VALIDATORS.values():
        validate(values, organizer)
    if not values:
        return organizer
    if values.get("zerobounce_api_key"):
        values = {**values, "zerobounce_key_rejected_at": None}  # a new, checked key: verification resumes
    # the key's fingerprint is unique: one organizer's events are never taken for another's
    with refuse_on_violation(WEBHOOK_KEY_CONSTRAINT, InvalidInput({"sendgrid_webhook_public_key": KEY_TAKEN})):
        organizer = Organizer.objects.select_for_update().get(pk=organizer.pk)
        for field, value in values.items():
            setattr(organizer, field, value)
        organizer.save(update_fields=list(values))
    return organizer
