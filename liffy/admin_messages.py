"""How a service's refusal reaches staff in the admin: one place that turns the errors the services raise
(`liffy.errors`: invalid input, a conflict with the current status, a missing permission, an unreachable
provider…) into the text of an admin error message, in the words the API answers with.

Every admin path that calls a service (actions, the add and change forms that go through one) reports a
refusal through `refusal_text` / `report_refusal`; an exception it does not recognise is a bug and is
raised as such. Besides the domain errors, a Django ValidationError from a model's invariants (a row of
another organizer) is a refusal too. A request Django itself refuses while reading it (`SuspiciousOperation`,
such as a body over the upload limit, which is also an API error) is not a service's refusal: it keeps
Django's 400, as it gets anyway when the CSRF check reads the body before the admin does.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError

from liffy.errors import DomainError, InvalidInput

REFUSALS = (DomainError, DjangoValidationError)


def refusal_text(error: BaseException) -> str | None:
    """The words of a service's refusal, or None when `error` is not one.

    Field errors read `field: reason`, as the API's 400 body names them; every other kind reads as the
    API's `detail`.
    """
    if isinstance(error, DjangoValidationError):
        error = InvalidInput.from_django(error)
    return error.message if isinstance(error, DomainError) else None


def report_refusal(request, error: BaseException, subject=None) -> None:
    """Show `error` as an admin error message (prefixed with `subject`); re-raise anything else."""
    text = refusal_text(error)
    if text is None:
        raise error
    messages.error(request, f"{subject}: {text}" if subject is not None else text)
