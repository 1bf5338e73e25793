"""New rows get time-ordered (version 7) ids, whether Django or the database makes them."""

import time
import uuid

from django.db import connection

from liffy.fields import uuid7
from liffy.tests.factories import OrganizerFactory


def database_uuid7():
    with connection.cursor() as cursor:
        cursor.execute("SELECT uuid7()")
        return cursor.fetchone()[0]


def milliseconds(value):
    return value.int >> 80


def is_v7(value):
    return value.version == 7 and value.variant == uuid.RFC_4122


def test_python_and_database_ids_are_version_7_and_ordered_by_time(db):
    made = []
    for make in (uuid7, database_uuid7, uuid7, database_uuid7):
        made.append(make())
        time.sleep(0.002)  # the order is the millisecond's; within one the rest is random
    assert all(is_v7(value) for value in made)
    assert made == sorted(made)
    now = time.time_ns() // 1_000_000
    assert all(now - 5_000 < milliseconds(value) <= now for value in made)


def test_ids_made_in_one_millisecond_differ():
    assert len({uuid7() for _ in range(10_000)}) == 10_000


def test_models_and_raw_inserts_get_version_7_ids(db):
    organizer = OrganizerFactory()
    assert is_v7(organizer.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO persons (organizer_id, email) VALUES (%s, 'raw@x.test') RETURNING id", [organizer.pk]
        )
        assert is_v7(cursor.fetchone()[0])
