"""The schema the project's migrations 001–023 build, read from the catalogs of a scratch schema.

The reference is built by the migrations themselves (never by a copy of their result), inside the
caller's transaction, in a schema of its own that is dropped again; so what adoption aims at can
never drift from what a fresh database gets.
"""

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from legacy.catalog import Shape, read_shape
from liffy import sql

OUR_APPS = ("liffy", "persons", "campaigns", "mining", "legacy")
# The last migration of each app at or before step 023.
STEP_023 = {
    "liffy": "0020_add_zoho_crm_columns",
    "persons": "0021_prospect_intents_unique_constraint",
    "campaigns": "0023_add_campaign_verification_mode",
    "mining": "0022_add_import_progress_columns",
    "legacy": "0022_add_import_progress_columns",
}
REFERENCE_SCHEMA = "liffy_adoption_reference"


def migrations_up_to_023(loader=None):
    """(app, name) of every migration of this project up to step 023, in the order they apply."""
    loader = loader or MigrationLoader(connection, ignore_no_migrations=True)
    nodes = []
    for app, name in STEP_023.items():
        for node in loader.graph.forwards_plan((app, name)):
            if node[0] in OUR_APPS and node not in nodes:
                nodes.append(node)
    return nodes


def reference_shape(schema=REFERENCE_SCHEMA) -> Shape:
    """Apply migrations 001–023 to an empty `schema`, read its shape, drop it (all in one transaction)."""
    with transaction.atomic(), sql.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('search_path', %s, true)", [schema])
        try:
            executor = MigrationExecutor(connection)  # its history is the empty schema's: nothing applied
            targets = list(STEP_023.items())
            executor.migrate(targets, plan=executor.migration_plan(targets))
        finally:
            cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
        shape = read_shape(cursor, schema)
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")
    return shape
