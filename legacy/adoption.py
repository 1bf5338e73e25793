"""Adopting a database of the original system (its SQL migrations 001–023 applied, no Django history).

The expected shape is the one these migrations build up to step 023 (read from the migration graph,
so it cannot drift from them): every table and column must exist with a compatible type. Only then
are the migrations up to 023 recorded as applied, in one transaction; `migrate` then runs 024–027
for real, with the backfills between them. When anything is missing, nothing is recorded and the
report says precisely what.
"""
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

OUR_APPS = ("liffy", "persons", "campaigns", "mining", "legacy")
# The last migration of each app at or before step 023.
STEP_023 = {
    "liffy": "0020_add_zoho_crm_columns",
    "persons": "0021_prospect_intents_unique_constraint",
    "campaigns": "0023_add_campaign_verification_mode",
    "mining": "0022_add_import_progress_columns",
    "legacy": "0022_add_import_progress_columns",
}
TYPE_FAMILIES = {
    "character varying": "text", "varchar": "text", "text": "text", "character": "text", "citext": "text",
    "integer": "integer", "bigint": "integer", "smallint": "integer", "serial": "integer", "bigserial": "integer",
    "numeric": "numeric", "double precision": "numeric", "real": "numeric",
    "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
    "uuid": "uuid", "jsonb": "json", "json": "json", "boolean": "boolean", "date": "date",
}


def type_family(db_type):
    """'varchar(255)' and 'text' → 'text', 'text[]' and information_schema's 'ARRAY' → 'array', …"""
    base = db_type.split("(")[0].strip().lower()
    if base == "array" or base.endswith("[]"):
        return "array"
    return TYPE_FAMILIES.get(base, base)


@dataclass
class AdoptionReport:
    missing_tables: list = field(default_factory=list)
    missing_columns: list = field(default_factory=list)
    incompatible_columns: list = field(default_factory=list)
    recorded: int = 0
    already_adopted: bool = False

    @property
    def ok(self):
        return not (self.missing_tables or self.missing_columns or self.incompatible_columns)


def _loader():
    return MigrationLoader(connection, ignore_no_migrations=True)


def expected_shape(loader=None):
    """{table: {column: type family}} as migrations 001–023 leave the database."""
    loader = loader or _loader()
    state = loader.project_state([(app, name) for app, name in STEP_023.items()], at_end=True)
    shape = {}
    for model in state.apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        columns = shape.setdefault(model._meta.db_table, {})
        for model_field in model._meta.local_fields:
            db_type = model_field.db_type(connection)
            if db_type:
                columns[model_field.column] = type_family(db_type)
    return shape


def actual_shape():
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name, data_type FROM information_schema.columns"
                       " WHERE table_schema = current_schema()")
        shape = {}
        for table, column, data_type in cursor.fetchall():
            shape.setdefault(table, {})[column] = type_family(data_type)
        return shape


def compare(expected, actual):
    report = AdoptionReport()
    for table, columns in sorted(expected.items()):
        if table not in actual:
            report.missing_tables.append(table)
            continue
        for column, family in sorted(columns.items()):
            found = actual[table].get(column)
            if found is None:
                report.missing_columns.append(f"{table}.{column} ({family})")
            elif found != family:
                report.incompatible_columns.append(f"{table}.{column}: {found}, expected {family}")
    return report


def migrations_up_to_023(loader):
    nodes = []
    for app, name in STEP_023.items():
        for node in loader.graph.forwards_plan((app, name)):
            if node[0] in OUR_APPS and node not in nodes:
                nodes.append(node)
    return nodes


def adopt_legacy_schema(*, dry_run=False):
    """Check the database; record steps 001–023 as applied when it has everything (unless dry_run)."""
    loader = _loader()
    recorder = MigrationRecorder(connection)
    if recorder.has_table() and recorder.migration_qs.filter(app__in=OUR_APPS).exists():
        return AdoptionReport(already_adopted=True)
    report = compare(expected_shape(loader), actual_shape())
    if report.ok and not dry_run:
        with transaction.atomic():
            recorder.ensure_schema()
            for app, name in migrations_up_to_023(loader):
                recorder.record_applied(app, name)
                report.recorded += 1
    return report
