"""Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer) a connection's transactions may each
run on another server session, so nothing may rely on session state. Checked three ways: the settings
the pooler needs, the project's SQL read for session-scoped statements, and the sessions the bulk
paths leave behind. `.ci/run` runs these and the bulk-path tests through a real PgBouncer."""

import ast
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from liffy import sql

PROJECT_PACKAGES = ("liffy", "persons", "campaigns", "mining", "legacy")
# Statements whose effect outlives their transaction (SET LOCAL, SET CONSTRAINTS, SET TRANSACTION do not).
SESSION_STATEMENTS = [
    (
        re.compile(
            r"^SET\s+(SESSION\s+)?((ROLE|TIME\s+ZONE|SESSION\s+AUTHORIZATION|NAMES|SCHEMA)\b|[\w.]+\s*(=|TO\b))", re.I
        ),
        "SET without LOCAL",
    ),
    (re.compile(r"^(RESET|PREPARE|LISTEN|DISCARD)\b", re.I), "session command"),
    (re.compile(r"\bpg_(try_)?advisory_lock(_shared)?\s*\(", re.I), "session advisory lock"),
    (re.compile(r"\bDECLARE\b.*\bWITH\s+HOLD\b", re.I | re.S), "cursor kept across transactions"),
    (
        re.compile(r"^CREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s+TABLE\b(?!.*\bON\s+COMMIT\s+DROP\b)", re.I | re.S),
        "temporary table without ON COMMIT DROP",
    ),
]
SERVER_SIDE_CURSORS = re.compile(r"\.cursor\(\s*name\s*=|ServerCursor\(|create_cursor\(\s*name")


def _sql_strings(tree):
    """Every string literal (adjacent literals are already one) and f-string, split into statements."""
    inside_f_strings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_f_strings:
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(part.value if isinstance(part, ast.Constant) else "?" for part in node.values)
        else:
            continue
        for statement in text.split(";"):
            yield node.lineno, statement.strip()


def session_state_in(source):
    """(line, problem) for each statement or call in Python `source` that would need a session of its own."""
    problems = [
        (line, problem)
        for line, statement in _sql_strings(ast.parse(source))
        for pattern, problem in SESSION_STATEMENTS
        if pattern.search(statement)
    ]
    problems += [
        (source[: match.start()].count("\n") + 1, "server-side cursor")
        for match in SERVER_SIDE_CURSORS.finditer(source)
    ]
    return problems


def test_the_checker_finds_each_kind_of_session_state():
    source = """
cursor.execute("SET statement_timeout = 0")
cursor.execute("SET LOCAL statement_timeout = 0")
cursor.execute("UPDATE t SET a = 1; set search_path TO x")
cursor.execute("SELECT pg_advisory_lock(1)")
cursor.execute("SELECT pg_advisory_xact_lock(1)")
raise ValueError("Set a key in the settings first; set a list before resolving.")
cursor.execute(f"CREATE TEMP TABLE {name} (id int)")
cursor.execute("CREATE TEMPORARY TABLE s (id int) ON COMMIT DROP")
cursor.execute("INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE"
               " SET a = 2")
connection.cursor(name="big")
"""
    assert session_state_in(source) == [
        (2, "SET without LOCAL"),
        (4, "SET without LOCAL"),
        (5, "session advisory lock"),
        (8, "temporary table without ON COMMIT DROP"),
        (12, "server-side cursor"),
    ]


def test_the_project_keeps_no_session_state():
    found = {}
    for package in PROJECT_PACKAGES:
        for path in sorted((Path(django_settings.BASE_DIR) / package).rglob("*.py")):
            if "tests" not in path.parts and (problems := session_state_in(path.read_text())):
                found[str(path.relative_to(django_settings.BASE_DIR))] = problems
    assert found == {}


def _settings_with(**environment):
    code = (
        "import django, json; django.setup(); from django.conf import settings; db = settings.DATABASES['default'];"
        "print(json.dumps([db.get('DISABLE_SERVER_SIDE_CURSORS', False), db.get('OPTIONS', {})]))"
    )
    env = (
        os.environ
        | {"DJANGO_SETTINGS_MODULE": "liffy.settings", "DATABASE_URL": "postgres://liffy@pgbouncer.internal:6432/liffy"}
        | environment
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


def test_database_pooler_pgbouncer_turns_off_server_side_cursors_and_prepared_statements():
    assert json.loads(_settings_with(DATABASE_POOLER="pgbouncer").stdout) == [True, {"prepare_threshold": None}]
    assert json.loads(_settings_with(DATABASE_POOLER="").stdout) == [False, {}]
    refused = _settings_with(DATABASE_POOLER="pgpool")
    assert refused.returncode != 0 and "DATABASE_POOLER must be pgbouncer or empty" in refused.stderr


def _session_state():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT array_agg(name ORDER BY name) FROM pg_settings WHERE source = 'session'),"
            " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),"
            " (SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND pg_table_is_visible(oid)),"
            " (SELECT count(*) FROM pg_prepared_statements), (SELECT count(*) FROM pg_cursors)"
        )
        settings, *counts = cursor.fetchone()
    return [name for name in settings or [] if name != "TimeZone"], *counts  # TimeZone: see the README


@pytest.mark.django_db(transaction=True)
def test_the_bulk_paths_leave_no_session_state_behind(member_client, organizer):
    """Committed for real (no test transaction around it), as each pooled transaction is."""
    rows = "".join(f"p{n}@firm{n}.de;Pat Doe{n};Firm {n} GmbH\n" for n in range(30))
    upload = SimpleUploadedFile("fair.csv", f"email;name;company\n{rows}".encode())
    assert member_client.post("/api/lists/upload-csv", {"file": upload}, format="multipart").status_code == 201
    from mining.tests.factories import MiningResultFactory

    MiningResultFactory.create_batch(12, organizer=organizer, job__organizer=organizer)
    call_command("backfill_persons", batch_size=5, stdout=io.StringIO())
    for _ in range(8):  # more than psycopg's default prepare threshold (5)
        sql.fetch_value("SELECT count(*) FROM persons WHERE organizer_id = %b", [organizer.pk])
    assert _session_state() == ([], 0, 0, 0, 0)
