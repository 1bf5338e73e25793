import pytest
from django.core.management import call_command
from django.db import connection

from legacy.tests.sql import sql

BEFORE_027 = "0026_freeze_campaign_recipients_columns"


@pytest.fixture
def before_027(transactional_db):
    """Roll back to just before step 027; whatever a test leaves behind, end fully migrated again."""
    call_command("migrate", "campaigns", BEFORE_027, verbosity=0)
    yield
    if "prospects" in connection.introspection.table_names():
        sql("DELETE FROM list_members WHERE person_id IS NULL")
        sql("UPDATE prospects SET created_at = now() - interval '15 days'")
    call_command("migrate", verbosity=0)
