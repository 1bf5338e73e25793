"""The project's own errors: what a service raises when it refuses what it was asked.

Services raise one of these kinds, never an HTTP (DRF) exception, a `PermissionError` or a bare Django
`ValidationError`, and one mapping words them for each audience: `liffy.exceptions` for the API (the
status code and the JSON body), `liffy.admin_messages` for the admin (the text of an error message).

| kind                  | the service refuses because…                                  | API |
|-----------------------|---------------------------------------------------------------|-----|
| `InvalidInput`        | the input is wrong: each field with its reasons               | 400 `{"field": ["reason"]}` |
| `NotFound`            | no such row (a foreign id is just as unknown)                 | 404 `{"detail": "…"}` |
| `Conflict`            | the current state forbids it (a campaign in another status, a row that already exists) | 409 |
| `Forbidden`           | the caller's role may not do it                               | 403 |
| `TooManyAttempts`     | too many tries; `wait` seconds before the next                | 429 with Retry-After |
| `OutsideServiceError` | SendGrid, ZeroBounce or Zoho failed; worth trying again later | 503 |

A database constraint violation is not a refusal by itself: a service that expects one (a second person
with the same address) catches that constraint by name with `refuse_on_violation` and raises its own
error; any other `IntegrityError` is a bug, and the API answers it with a logged 500.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

WHOLE_INPUT = "detail"  # the key of a reason that concerns the input as a whole rather than one field


class DomainError(Exception):
    """Base of the kinds above (raise one of them): `message` says what was refused, for people;
    `code` says it for programs (e.g. the status a campaign was found in)."""

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidInput(DomainError):
    """The input is refused. `errors` maps each field (or `WHOLE_INPUT`) to its reasons; a plain string
    is a reason about the whole input."""

    def __init__(self, errors: str | Mapping[str, str | Iterable[str]], *, code: str | None = None):
        if isinstance(errors, str):
            errors = {WHOLE_INPUT: errors}
        self.errors = {
            field: [reasons] if isinstance(reasons, str) else [str(reason) for reason in reasons]
            for field, reasons in errors.items()
        }
        super().__init__(
            "; ".join(
                "; ".join(reasons) if field == WHOLE_INPUT else f"{field}: {'; '.join(reasons)}"
                for field, reasons in self.errors.items()
            ),
            code=code,
        )

    @property
    def messages(self) -> list[str]:
        """Every reason, without the field names."""
        return [reason for reasons in self.errors.values() for reason in reasons]

    @classmethod
    def from_django(cls, error: DjangoValidationError) -> "InvalidInput":
        """The same reasons as a Django ValidationError (a validator's, a model invariant's)."""
        if not hasattr(error, "error_dict"):
            return cls({WHOLE_INPUT: error.messages})
        return cls(
            {
                WHOLE_INPUT if field == NON_FIELD_ERRORS else field: reasons
                for field, reasons in error.message_dict.items()
            }
        )


class NotFound(DomainError):
    """No such row, or not the organizer's: the two are never told apart."""


class Conflict(DomainError):
    """The current state forbids it: a status that does not allow the change, a row that already exists."""


class Forbidden(DomainError):
    """The caller's role may not do this."""


class TooManyAttempts(DomainError):
    """Too many tries in too little time; the next may come after `wait` seconds."""

    def __init__(self, message: str, *, wait: float):
        super().__init__(message)
        self.wait = wait


class OutsideServiceError(DomainError):
    """An outside service failed us (the base of each client's error): an outage, a rate limit, an answer
    we cannot read. Worth trying again later."""


@contextmanager
def checked_input() -> Iterator[None]:
    """Inside: a Django ValidationError (from a Django validator, a model's invariants) becomes InvalidInput."""
    try:
        yield
    except DjangoValidationError as error:
        raise InvalidInput.from_django(error) from error


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint (or unique index) an IntegrityError violated, when the database said."""
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)


@contextmanager
def refuse_on_violation(constraint: str, refusal: DomainError) -> Iterator[None]:
    """Run the block in a savepoint; a violation of `constraint` (one the caller expects, such as a unique
    address) raises `refusal` instead, and any other IntegrityError goes on as the bug it is."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if violated_constraint(error) != constraint:
            raise
        raise refusal from error
