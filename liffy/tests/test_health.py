"""GET /healthz: 200 when the database answers with every migration applied and the broker (if any) is
reachable; 503 naming the failing part otherwise. No auth, any host, one query."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client

from liffy.testing import DEFAULT_TEST_BROKER


def _get(**headers):
    response = Client().get("/healthz", **headers)
    return response.status_code, json.loads(response.content)


def test_healthy_without_a_broker_in_one_query(db, settings, django_assert_num_queries):
    settings.CELERY_BROKER_URL = ""
    with django_assert_num_queries(1):
        status, body = _get()
    assert (status, body) == (
        200,
        {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "broker": "not configured"}},
    )


def test_answers_without_credentials_any_host_and_no_redirect(db, settings):
    """Probes call by address over plain http: no ALLOWED_HOSTS match, no SSL redirect, no session."""
    settings.CELERY_BROKER_URL = ""
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store" and "Set-Cookie" not in response


def test_other_methods_are_refused(db):
    response = Client().post("/healthz")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_a_reachable_broker_is_ok(db, settings):
    import redis

    try:
        redis.Redis.from_url(DEFAULT_TEST_BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no local Redis")
    settings.CELERY_BROKER_URL = os.environ.get("TEST_BROKER_URL") or DEFAULT_TEST_BROKER
    assert _get() == (200, {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "broker": "ok"}})


def test_an_unreachable_broker_is_a_503_naming_it(db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    status, body = _get()
    assert status == 503 and body["failing"] == ["broker"] and body["checks"]["broker"] == "unreachable"


def test_an_unapplied_migration_is_a_503_naming_it(db):
    """New code deployed before `migrate`: the process must not take traffic."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'campaigns' AND name LIKE '0029%%'")
    status, body = _get()
    assert status == 503 and body["failing"] == ["migrations"] and body["checks"]["migrations"] == "1 unapplied"


@pytest.mark.django_db(transaction=True)
def test_a_database_never_migrated_has_every_migration_unapplied(settings):
    settings.CELERY_BROKER_URL = ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        [[count]] = cursor.fetchall()
        cursor.execute("ALTER TABLE django_migrations RENAME TO django_migrations_away")
    try:
        status, body = _get()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE django_migrations_away RENAME TO django_migrations")
    assert status == 503 and body["failing"] == ["migrations"] and body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == f"{count} unapplied"


def test_an_unreachable_database_is_a_503_naming_it():
    code = (
        "import django, json; django.setup(); from django.test import Client;"
        "response = Client().get('/healthz'); print(response.status_code, response.content.decode())"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "liffy.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/x",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "LOG_LEVEL": "CRITICAL",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    status, body = output.split(" ", 1)
    assert (int(status), json.loads(body)) == (
        503,
        {
            "status": "failing",
            "failing": ["database"],
            "checks": {"database": "unreachable", "migrations": "not checked", "broker": "not configured"},
        },
    )
