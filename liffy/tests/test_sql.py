"""liffy.sql: raw SQL on Django's connection, in its transaction, with Django's errors and query log."""

import uuid

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from liffy import sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def scratch():
    sql.execute("CREATE TEMP TABLE scratch (id uuid PRIMARY KEY, name text, n int)")
    return "scratch"


def test_fetch_helpers_bind_text_and_binary_parameters(scratch):
    ids = [uuid.uuid4(), uuid.uuid4()]
    written = sql.execute(
        "INSERT INTO scratch SELECT * FROM unnest(%b::uuid[], %b::text[], %s::int[])", [ids, ["ada", None], [1, 2]]
    )

    assert written == 2
    assert sql.fetch_all("SELECT id, name FROM scratch ORDER BY n") == [(ids[0], "ada"), (ids[1], None)]
    assert sql.fetch_one("SELECT n FROM scratch WHERE id = %s", [ids[1]]) == (2,)
    assert sql.fetch_one("SELECT n FROM scratch WHERE id = %s", [uuid.uuid4()]) is None
    assert sql.fetch_value("SELECT count(*) FROM scratch WHERE n > %s", [0]) == 2
    assert sql.fetch_value("SELECT n FROM scratch WHERE false") is None
    assert sql.fetch_dicts("SELECT name, n FROM scratch ORDER BY n") == [
        {"name": "ada", "n": 1},
        {"name": None, "n": 2},
    ]


def test_statements_run_in_the_callers_transaction(scratch):
    with pytest.raises(RuntimeError), transaction.atomic():
        sql.execute("INSERT INTO scratch (id) VALUES (%s)", [uuid.uuid4()])
        raise RuntimeError

    assert sql.fetch_value("SELECT count(*) FROM scratch") == 0


def test_errors_are_djangos_with_the_driver_error_as_cause(scratch):
    row_id = uuid.uuid4()
    sql.execute("INSERT INTO scratch (id) VALUES (%s)", [row_id])

    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        sql.execute("INSERT INTO scratch (id) VALUES (%s)", [row_id])
    with pytest.raises(ProgrammingError), transaction.atomic():
        sql.fetch_all("SELECT no_such_column FROM scratch")

    assert type(duplicate.value.__cause__).__name__ == "UniqueViolation"


def test_statements_are_recorded_like_the_orms(scratch):
    with CaptureQueriesContext(connection) as queries:
        sql.fetch_all("SELECT 1")
        sql.execute("DELETE FROM scratch")

    assert [query["sql"] for query in queries] == ["SELECT 1", "DELETE FROM scratch"]


@pytest.mark.parametrize("types", [None, ["uuid", "text", "int4"]])
def test_copy_rows_in_text_and_binary(scratch, types):
    rows = [(uuid.uuid4(), f"name {i}", i) for i in range(500)]

    with sql.cursor() as cursor:
        written = sql.copy_rows(cursor, "scratch", ["id", "name", "n"], iter(rows), types=types)

    assert written == 500
    assert sql.fetch_all("SELECT id, name, n FROM scratch ORDER BY n") == rows


def test_copy_rows_quotes_its_identifiers(scratch):
    with pytest.raises(ProgrammingError), transaction.atomic(), sql.cursor() as cursor:
        sql.copy_rows(cursor, "scratch; DROP TABLE scratch", ["id"], [(uuid.uuid4(),)])

    assert sql.fetch_value("SELECT count(*) FROM scratch") == 0


def test_a_staging_table_holds_only_the_last_load():
    columns = [("id", "uuid"), ("name", "text"), ("n", "int4")]
    ids = [uuid.uuid4(), uuid.uuid4()]
    with sql.cursor() as cur:
        assert sql.stage(cur, "staged_things", columns, [(ids[0], "ada", 1)]) == 1
        assert sql.stage(cur, "staged_things", columns, [(ids[1], "grace", 2), (ids[0], None, 3)]) == 2
        assert sql.fetch_all("SELECT id, name, n FROM staged_things ORDER BY n") == [
            (ids[1], "grace", 2),
            (ids[0], None, 3),
        ]
