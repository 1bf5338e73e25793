"""Provider keys at rest: Fernet, with keys that can be rotated.

FIELD_ENCRYPTION_KEY holds one or more Fernet keys, comma-separated: the first encrypts, every one
decrypts. Behind them come keys derived from DJANGO_SECRET_KEY and DJANGO_SECRET_KEY_FALLBACKS, so that
values written while FIELD_ENCRYPTION_KEY was unset stay readable once it is set, and across a change of
the secret key. `rotate_encryption_keys` re-encrypts every stored value under the first key (and
encrypts plaintext ones), after which the older keys can be removed.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings

from liffy import sql

ENCRYPTED_PREFIX = "enc:"


class UnreadableSecret(ValueError):
    """A stored value that no configured key can decrypt."""


def _derived_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


@lru_cache(maxsize=8)
def _keys(field_keys: tuple[str, ...], secret_keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key) for key in field_keys] + [Fernet(_derived_key(secret)) for secret in secret_keys]
    return fernets[0], MultiFernet(fernets)


def _current_and_all() -> tuple[Fernet, MultiFernet]:
    return _keys(tuple(settings.FIELD_ENCRYPTION_KEYS), (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def invalid_field_keys() -> list[int]:
    """Positions (from 1) of the entries of FIELD_ENCRYPTION_KEY that are not Fernet keys."""
    invalid = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except ValueError:
            invalid.append(position)
    return invalid


def encrypt(value: str) -> str:
    """`value` as stored: the prefix, then a Fernet token under the current key."""
    current, _ = _current_and_all()
    return ENCRYPTED_PREFIX + current.encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """The value of a stored `enc:` token, under whichever configured key wrote it."""
    _, every = _current_and_all()
    try:
        return every.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
    except InvalidToken:
        raise UnreadableSecret(
            "A stored secret cannot be decrypted with any key of FIELD_ENCRYPTION_KEY (or one derived from "
            "DJANGO_SECRET_KEY and its fallbacks): add the key it was written under, comma-separated after "
            "the current one."
        ) from None


def _rotated(stored: str) -> tuple[str, str | None]:
    """(what happens, the new stored value or None when it stays as it is)."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        return "encrypted", encrypt(stored)
    current, _ = _current_and_all()
    try:
        current.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode())
        return "current", None
    except InvalidToken:
        pass
    try:
        return "reencrypted", encrypt(decrypt(stored))
    except UnreadableSecret:
        return "unreadable", None


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every encrypted field of the project's models."""
    from liffy.fields import EncryptedTextField

    return sorted(
        (model._meta.db_table, field.column)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    )


OUTCOMES = ("current", "reencrypted", "encrypted", "unreadable")


def rotate_column(table: str, column: str) -> dict[str, int]:
    """Every value of the column under the current key: {current, reencrypted, encrypted (was plaintext),
    unreadable (left as it is)}. One read and one write per column."""
    stored = sql.fetch_all(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")
    outcome, changed = dict.fromkeys(OUTCOMES, 0), []
    for row_id, value in stored:
        what, new_value = _rotated(value)
        outcome[what] += 1
        if new_value is not None:
            changed.append((row_id, new_value))
    if changed:
        sql.execute(
            f"UPDATE {table} x SET {column} = v.value FROM unnest(%s::uuid[], %s::text[]) AS v(id, value)"
            " WHERE x.id = v.id",
            [[row_id for row_id, _ in changed], [value for _, value in changed]],
        )
    return outcome


def rotate_encryption_keys() -> dict[str, dict[str, int]]:
    """Every encrypted column under the current key; {"table.column": counts} (see `rotate_column`)."""
    return {f"{table}.{column}": rotate_column(table, column) for table, column in encrypted_columns()}
