"""How a service's refusal reaches staff in the admin: one place that turns the exceptions the services
raise (a conflict with the current status, invalid input, a missing permission, an unreachable
provider) into the text of an admin error message.

Every admin path that calls a service (actions, the add and change forms that go through one) reports a
refusal through `refusal_text` / `report_refusal`; an exception it does not recognise is a bug and is
raised as such. A request Django itself refuses while reading it (`SuspiciousOperation`, such as a body
over the upload limit, which is also an API error) is not a service's refusal: it keeps Django's 400, as
it gets anyway when the CSRF check reads the body before the admin does.
"""
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import APIException

from liffy.http import OutsideServiceError

REFUSALS = (APIException, DjangoValidationError, PermissionError, OutsideServiceError)


def _flatten(detail):
    if isinstance(detail, dict):
        return "; ".join(
            _flatten(value) if key in (NON_FIELD_ERRORS, "detail") else f"{key}: {_flatten(value)}"
            for key, value in detail.items()
        )
    if isinstance(detail, (list, tuple)):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def refusal_text(error):
    """The words of a service's refusal, or None when `error` is not one."""
    if not isinstance(error, REFUSALS) or isinstance(error, SuspiciousOperation):
        return None
    if isinstance(error, APIException):
        return _flatten(error.detail)
    if isinstance(error, DjangoValidationError):
        return _flatten(error.message_dict if hasattr(error, "error_dict") else error.messages)
    return str(error)


def report_refusal(request, error, subject=None):
    """Show `error` as an admin error message (prefixed with `subject`); re-raise anything else."""
    text = refusal_text(error)
    if text is None:
        raise error
    messages.error(request, f"{subject}: {text}" if subject is not None else text)
