"""Writes of the core app: organizer settings."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from liffy.models import WEBHOOK_KEY_CONSTRAINT, Organizer, Role
from liffy.webhook_keys import KEY_TAKEN

SECRET_FIELDS = ("sendgrid_api_key", "zerobounce_api_key", "zoho_client_secret", "zoho_refresh_token")
OWNER_ONLY_FIELDS = (*SECRET_FIELDS, "zoho_client_id", "sendgrid_webhook_public_key")

# Provider checks run before credentials are saved: {name: callable(values, organizer)} raising
# ValidationError({field: reason}). The outside-service client modules register theirs here.
CREDENTIAL_VALIDATORS = {}


def register_credential_validator(name):
    def decorator(function):
        CREDENTIAL_VALIDATORS[name] = function
        return function

    return decorator


def update_organizer_settings(organizer: Organizer, user, values: dict) -> Organizer:
    """Apply validated settings. Keys are owner-only; every credential check passes before anything is saved."""
    owner_only = sorted(field for field in values if field in OWNER_ONLY_FIELDS)
    if owner_only and user.role != Role.OWNER:
        raise PermissionError(f"Only the owner may change {', '.join(owner_only)}.")
    if values.get("timezone"):
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"timezone": f"Unknown time zone {values['timezone']!r}."})
    for validate in CREDENTIAL_VALIDATORS.values():
        validate(values, organizer)
    if not values:
        return organizer
    if values.get("zerobounce_api_key"):
        values = {**values, "zerobounce_key_rejected_at": None}  # a new, checked key: verification resumes
    try:
        with transaction.atomic():
            organizer = Organizer.objects.select_for_update().get(pk=organizer.pk)
            for field, value in values.items():
                setattr(organizer, field, value)
            organizer.save(update_fields=list(values))
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) == WEBHOOK_KEY_CONSTRAINT:
            raise ValidationError({"sendgrid_webhook_public_key": KEY_TAKEN})
        raise
    return organizer
