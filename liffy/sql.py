"""Raw SQL on Django's connection: the one way the project runs a statement the ORM cannot express.

Statements run on Django's own connection (so inside the caller's transaction) through a psycopg
cursor that binds parameters on the server: `%s` lets PostgreSQL infer the type, `%b` sends the value
in binary, which for the large arrays of the bulk paths (unnest of thousands of values) costs far less
than quoting them into the SQL text. Errors come out as Django's database errors (IntegrityError,
ProgrammingError…, the psycopg error as `__cause__`), and statements are recorded wherever Django
records its own (`connection.queries`, `CaptureQueriesContext`).
"""

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection
from psycopg import sql as pgsql


class _Cursor(psycopg.Cursor):
    def execute(self, query, params=None, **options):
        with _recorded(query), connection.wrap_database_errors:
            return super().execute(query, params, **options)

    def executemany(self, query, params_seq, **options):
        with _recorded(query), connection.wrap_database_errors:
            return super().executemany(query, params_seq, **options)

    @contextmanager
    def copy(self, statement, params=None, **options):
        with _recorded(statement), connection.wrap_database_errors, super().copy(statement, params, **options) as copy:
            yield copy


@contextmanager
def _recorded(query):
    start = time.monotonic()
    try:
        yield
    finally:
        if connection.queries_logged:
            text = query if isinstance(query, str) else query.as_string(connection.connection)
            connection.queries_log.append({"sql": text, "time": f"{time.monotonic() - start:.3f}"})


@contextmanager
def cursor() -> Iterator[psycopg.Cursor]:
    """A cursor on Django's connection (same transaction); `%s` and `%b` placeholders."""
    connection.ensure_connection()
    with _Cursor(connection.connection) as cur:
        yield cur


def execute(query: str, params: Sequence | None = None) -> int:
    """Run one statement; the number of rows it touched."""
    with cursor() as cur:
        cur.execute(query, params)
        return cur.rowcount


def fetch_all(query: str, params: Sequence | None = None) -> list[tuple]:
    with cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def fetch_one(query: str, params: Sequence | None = None) -> tuple | None:
    with cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


def fetch_value(query: str, params: Sequence | None = None) -> Any:
    """The first column of the first row; None when there is no row."""
    row = fetch_one(query, params)
    return row[0] if row else None


def fetch_dicts(query: str, params: Sequence | None = None) -> list[dict]:
    with cursor() as cur:
        cur.execute(query, params)
        names = [column.name for column in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def copy_rows(
    cur: psycopg.Cursor,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    types: Sequence[str] | None = None,
) -> int:
    """COPY `rows` into `table` (binary when the PostgreSQL `types` of the columns are given); rows written."""
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN{}").format(
        pgsql.Identifier(table),
        pgsql.SQL(", ").join(map(pgsql.Identifier, columns)),
        pgsql.SQL(" (FORMAT BINARY)" if types else ""),
    )
    written = 0
    with cur.copy(statement) as copy:
        if types:
            copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def stage(cur: psycopg.Cursor, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence]) -> int:
    """Load `rows` by binary COPY into the temporary table `table` of (name, type) `columns`; rows written.

    The table lives for the transaction (dropped at its end, so no session state behind a transaction-pooling
    proxy) and holds only this load: it is emptied before it. Read it in the statements that follow.
    """
    definition = ", ".join(f"{name} {type_}" for name, type_ in columns)
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({definition}) ON COMMIT DROP; DELETE FROM {table}")
    return copy_rows(cur, table, [name for name, _ in columns], rows, types=[type_ for _, type_ in columns])
