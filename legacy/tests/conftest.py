import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from legacy.tests.sql import sql

BEFORE_027 = "0026_freeze_campaign_recipients_columns"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def before_027(transactional_db):
    """Roll back to just before step 027; whatever a test leaves behind, end fully migrated again."""
    call_command("migrate", "campaigns", BEFORE_027, verbosity=0)
    yield
    if "prospects" in connection.introspection.table_names():
        sql("DELETE FROM list_members WHERE person_id IS NULL")
        sql("UPDATE prospects SET created_at = now() - interval '15 days'")
    call_command("migrate", verbosity=0)


OWN_SCHEMA = "original_system"


def load(name):
    with connection.cursor() as cursor:
        cursor.execute((FIXTURES / name).read_text())


def _search_path(value):
    """For this connection and any the test opens again (a database setting), so nothing falls back to public."""
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {database} SET search_path TO {value}")
        cursor.execute(f"SET search_path TO {value}")


@pytest.fixture
def empty_schema(transactional_db):
    """An empty schema of its own is the test's whole database; the migrated test database is untouched."""
    sql(f"DROP SCHEMA IF EXISTS {OWN_SCHEMA} CASCADE")
    sql(f"CREATE SCHEMA {OWN_SCHEMA}")
    _search_path(OWN_SCHEMA)
    yield
    _search_path("DEFAULT")
    sql("SET TIME ZONE 'UTC'")  # as Django sets it on connecting
    sql(f"DROP SCHEMA {OWN_SCHEMA} CASCADE")


@pytest.fixture
def original_schema(empty_schema):
    """The original system's database (fixtures/original_schema_001_023.sql), without rows."""
    load("original_schema_001_023.sql")


@pytest.fixture
def original_database(original_schema):
    """The original system's database with its data (see fixtures/original_data.sql)."""
    load("original_data.sql")


def run(command, *args):
    """Output of a management command (stdout and stderr); SystemExit is left to the caller."""
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()
