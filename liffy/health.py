"""`GET /healthz`: is this process able to serve? For load balancers, orchestrators and uptime checks.

Checks, in one database round trip and one broker connection:
- database: reachable (the applied migrations are read from it);
- migrations: none of the code's migrations is unapplied (new code deployed before `migrate` fails here);
- broker: reachable, when one is configured (none: tasks run in the web process, nothing to check).

200 `{"status": "ok", "checks": {...}}` or 503 with `"status": "failing"` and `failing` naming the
parts. No auth, no session, no host check: the middleware answers before any of them (probes often
call by address, over plain http inside the network), so it must say nothing secret: the reasons are
short and fixed, the details go to the log.
"""

import json
import logging
from functools import lru_cache

import psycopg
from django.conf import settings
from django.db import DatabaseError, OperationalError, ProgrammingError
from django.db.migrations.loader import MigrationLoader
from django.http import HttpResponse

from liffy import sql

logger = logging.getLogger(__name__)
PATH = "/healthz"
BROKER_TIMEOUT_SECONDS = 2
PASSING = {"ok", "not configured", "not checked"}


@lru_cache(maxsize=1)
def _code_migrations():
    """(app, name) → the migrations it replaces, for every migration on disk (read once per process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {key: tuple(migration.replaces or ()) for key, migration in loader.graph.nodes.items()}


def _applied_migrations():
    try:
        with sql.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            return set(cursor.fetchall())
    except ProgrammingError as error:
        if isinstance(error.__cause__, psycopg.errors.UndefinedTable):
            return set()  # a database never migrated
        raise


def check_database():
    """(database, migrations) results."""
    try:
        applied = _applied_migrations()
    except DatabaseError as error:
        logger.warning("Health check: the database cannot be used", exc_info=True)
        return ("unreachable" if isinstance(error, OperationalError) else "error"), "not checked"
    missing = [
        key
        for key, replaces in _code_migrations().items()
        if key not in applied and not (replaces and applied.issuperset(replaces))
    ]
    if missing:
        logger.warning("Health check: unapplied migrations %s", ", ".join(f"{app}.{name}" for app, name in missing))
        return "ok", f"{len(missing)} unapplied"
    return "ok", "ok"


def check_broker():
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    from liffy.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:  # any transport's error means the same here: tasks cannot be queued
        logger.warning("Health check: the broker is unreachable", exc_info=True)
        return "unreachable"
    return "ok"


def health():
    """(HTTP status, body)."""
    database, migrations = check_database()
    checks = {"database": database, "migrations": migrations, "broker": check_broker()}
    failing = [part for part, result in checks.items() if result not in PASSING]
    if failing:
        return 503, {"status": "failing", "failing": failing, "checks": checks}
    return 200, {"status": "ok", "checks": checks}


class HealthCheckMiddleware:
    """Answers `/healthz` first in the chain (see the module docstring); other paths pass through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        status, body = health()
        response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
        response["Content-Length"] = len(response.content)
        response["Cache-Control"] = "no-store"
        return response
