"""Model fields shared by every app."""

import os
import time
import uuid

from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.db.models import Func
from django.db.models.functions import Now
from django.utils import timezone

from liffy.encryption import ENCRYPTED_PREFIX, decrypt, encrypt


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then 74 random bits.

    Ids made later sort after ids made earlier (to the millisecond), so new rows land at the right-hand
    edge of the primary key index instead of on a random page. The same layout as the database's
    `uuid7()` (step 037), which raw SQL uses.
    """
    random = int.from_bytes(os.urandom(10), "big")
    value = ((time.time_ns() // 1_000_000) << 80) | (0x7 << 76) | ((random >> 62) & 0xFFF) << 64
    return uuid.UUID(int=value | (0b10 << 62) | (random & ((1 << 62) - 1)))


class UUID7(Func):
    """The database's `uuid7()` (created by step 037), for column defaults."""

    function = "uuid7"
    template = "%(function)s()"
    arity = 0
    output_field = models.UUIDField()


def uuid7_primary_key():
    """UUID primary key, time-ordered (version 7), made by Django, or by the database for raw bulk inserts."""
    return models.UUIDField(primary_key=True, default=uuid7, db_default=UUID7(), editable=False, serialize=False)


def uuid_primary_key():
    """The random (version 4) UUID primary key of steps 001–036, as those migrations create it."""
    return models.UUIDField(
        primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False, serialize=False
    )


def created_at_field(editable=False, **kwargs):
    """Timestamp that defaults to now, in Django and in the database (for raw bulk inserts)."""
    return models.DateTimeField(default=timezone.now, db_default=Now(), editable=editable, **kwargs)


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (`liffy.encryption`).

    Stored values carry the ``enc:`` prefix. A value without it is plaintext written by the
    original system (an adopted database); it reads as is and is encrypted on the next save.
    """

    def from_db_value(self, value, expression, connection):
        if not value or not value.startswith(ENCRYPTED_PREFIX):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or value.startswith(ENCRYPTED_PREFIX):
            return value
        return encrypt(value)


def mask_secret(value):
    """`sk_live_abcdef1234` → `sk_…1234`: enough to recognise a key, never enough to use it."""
    if not value:
        return ""
    if len(value) < 12:
        return "…" + value[-2:]
    return f"{value[:3]}…{value[-4:]}"
