"""Adopting a database of the original system (its SQL migrations 001–023 applied, no Django history).

The aim is a database indistinguishable, in PostgreSQL's catalogs, from one the project's migrations
001–023 build: those migrations are applied to a scratch schema (`legacy.reference`) and the two
shapes compared (`legacy.catalog`). Everything then happens in one transaction:

1. refuse what cannot be adopted (a table or column missing, a type that cannot be converted,
   triggers, functions or views the project does not have): nothing is changed;
2. make the data fit: case-twin recipients (and persons) merged, references to deleted rows
   cleared, NULLs filled where the project needs a value, plaintext provider keys encrypted,
   bcrypt password hashes given Django's prefix (and mixed-case login addresses lowered);
3. make the schema fit: timestamps without time zone converted reading them as UTC, other types
   widened, the original's foreign keys recreated as the project has them (deferrable, no database
   action, so no cascade from templates to campaigns), missing constraints, indexes and defaults
   added, NOT NULL set, declared names renamed, the original's extra indexes, defaults and comments
   dropped;
4. record steps 001–023 as applied, and compare again: anything but the accepted extras (columns the
   original's code added without a migration, extensions, tables of its own) undoes it all.

A dry run does all of it and rolls back, so its report is exactly what adoption would change.
Should anything fail half-way, the database is left as it was.
"""

import re
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import NOT_PROVIDED
from psycopg import sql as pgsql

from legacy import adoption_data
from legacy.catalog import differences, read_shape
from legacy.reference import OUR_APPS, STEP_023, migrations_up_to_023, reference_shape
from liffy import sql
from liffy.fields import EncryptedTextField
from liffy.sql import execute, fetch_value

UTC_NOTE = (
    "Timestamps without time zone were read as UTC. The original system sets no time zone anywhere, "
    "so this is right only if both its database server and its Node host ran in UTC."
)

MERGED = "Duplicates merged"
CLEARED = "References to deleted rows cleared"
FILLED = "NULLs filled"
SECRETS = "Provider keys encrypted"
LOGINS = "Logins"
TIMESTAMPS = "Timestamps converted to timestamptz (read as UTC)"
TYPES = "Column types changed"
DROPPED = "Dropped"
DEFAULTS = "Defaults"
NOT_NULL = "NOT NULL"
RENAMED = "Renamed"
CREATED = "Created"
COMMENTS = "Comments"

TIMESTAMP, TIMESTAMPTZ = "timestamp without time zone", "timestamp with time zone"
CHARACTER = re.compile(r"^(?:character varying|character|text)(?:\((\d+)\))?$")
NUMERIC = re.compile(r"^numeric(?:\((\d+),(\d+)\))?$")
WIDER_INTEGERS = {("smallint", "integer"), ("smallint", "bigint"), ("integer", "bigint")}
FOREIGN_KEY = re.compile(r"^FOREIGN KEY \((\w+)\) REFERENCES (\w+)\(id\)")
COMMENT_TARGETS = {"table": "TABLE", "table column": "COLUMN", "index": "INDEX", "view": "VIEW", "sequence": "SEQUENCE"}
RECORDER_RELATIONS = ("django_migrations", "django_migrations_id_seq")  # created when steps are recorded


class Refused(Exception):
    """A difference adoption cannot resolve."""


class _Rollback(Exception):
    pass


@dataclass
class AdoptionReport:
    changes: dict = field(default_factory=dict)  # section → lines, in the order things were done
    problems: list = field(default_factory=list)
    accepted: list = field(default_factory=list)
    recorded: int = 0
    already_adopted: bool = False

    @property
    def ok(self):
        return not self.problems

    def add(self, section, lines):
        if lines:
            self.changes.setdefault(section, []).extend([lines] if isinstance(lines, str) else lines)


def adopt_legacy_schema(*, dry_run=False):
    """Check, change and record, in one transaction (rolled back for a dry run or any problem)."""
    recorder = MigrationRecorder(connection)
    if recorder.has_table() and recorder.migration_qs.filter(app__in=OUR_APPS).exists():
        return AdoptionReport(already_adopted=True)
    report = AdoptionReport()
    try:
        with transaction.atomic():
            _Adoption(report).run()
            if dry_run or report.problems:
                raise _Rollback
    except _Rollback:
        if not report.ok:
            report.recorded = 0
    return report


def _q(name):
    return '"' + name.replace('"', '""') + '"'


def project_models():
    """The project's models as steps 001–023 leave them."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    state = loader.project_state(list(STEP_023.items()), at_end=True)
    return [model for model in state.apps.get_models() if model._meta.app_label in OUR_APPS]


def _create_declared(models, item):
    """Create a constraint or index that a model declares the way its migration did; False when none does.

    Re-parsing PostgreSQL's own rendering of a check (`= ANY ((ARRAY[…])::text[])`) would store a
    different expression than Django's `IN (…)`, so declared objects go through the schema editor.
    """
    for model in models:
        declared = {obj.name: obj for obj in [*model._meta.constraints, *model._meta.indexes]}
        if model._meta.db_table == item.table and item.name in declared:
            with connection.schema_editor() as editor:
                if declared[item.name] in model._meta.indexes:
                    editor.add_index(model, declared[item.name])
                else:
                    editor.add_constraint(model, declared[item.name])
            return True
    return False


class _Adoption:
    def __init__(self, report):
        self.report = report
        self.blocked = set()  # (table, column) with a reported problem: left alone, so every problem gets listed
        self.schema = fetch_value("SELECT current_schema()")

    def live(self):
        with sql.cursor() as cursor:
            return read_shape(cursor, self.schema)

    def differences(self):
        """What still differs, leaving aside the migration history table that `record` creates."""
        return [d for d in differences(self.live(), self.reference) if d.table not in RECORDER_RELATIONS]

    def run(self):
        self.reference = reference_shape()
        self.models = project_models()
        self.fields = {
            (model._meta.db_table, model_field.column): model_field
            for model in self.models
            for model_field in model._meta.local_fields
        }
        found = self.differences()
        self.refuse_what_cannot_be_adopted(found)
        if self.report.problems:
            return
        self.fit_data(found)
        self.convert_types(found)
        found = self.differences()  # definitions may read differently once types changed
        self.drop(found)
        self.set_defaults_and_not_null(found)
        self.rename(found)
        self.create(found)
        self.set_comments(found)
        if self.report.problems:
            return
        self.record()
        self.verify()

    # 1. what cannot be adopted ----------------------------------------------------------------------
    def refuse_what_cannot_be_adopted(self, found):
        problems, accepted = self.report.problems, self.report.accepted
        for d in found:
            if d.kind == "missing relation" and d.table not in RECORDER_RELATIONS:
                problems.append(f"missing table: {d.table}")
            elif d.kind == "missing column":
                problems.append(f"missing column: {d.table}.{d.item} ({d.expected})")
            elif d.kind == "column type":
                try:
                    self.conversion(d.table, d.item, d.actual, d.expected)
                except Refused as refusal:
                    problems.append(f"column {d.table}.{d.item}: {refusal}")
            elif d.kind == "extra column":
                if d.actual.not_null and d.actual.default is None:
                    problems.append(
                        f"extra column {d.table}.{d.item} is NOT NULL without a default: the "
                        "project's inserts would fail; make it nullable or give it a default"
                    )
                else:
                    accepted.append(f"extra column {d.table}.{d.item} ({d.actual.type}), kept as it is")
            elif d.kind == "extra relation" and d.actual not in ("v", "m"):  # views: below
                accepted.append(f"extra relation {d.table}, kept as it is")
            elif d.kind in ("trigger", "function", "view"):
                # they could write to the tables, or (views) block the column conversions
                problems.append(
                    f"{d.kind} {d.table + '.' if d.table else ''}{d.item}: the project's steps "
                    f"001–023 have {'it otherwise' if d.expected else 'none'}; remove it first"
                )
            elif d.kind == "extension" and d.actual:
                accepted.append(f"extension {d.item}, kept as it is")

    def conversion(self, table, column, have, want):
        """The USING clause of a type change (None: a plain cast); raises Refused when data would not fit."""
        if (have, want) == (TIMESTAMP, TIMESTAMPTZ):
            return f"{_q(column)} AT TIME ZONE 'UTC'"
        if (have, want) in WIDER_INTEGERS:
            return None
        if CHARACTER.match(have) and CHARACTER.match(want):
            limit = CHARACTER.match(want).group(1)
            if limit and fetch_value(f"SELECT count(*) FROM {_q(table)} WHERE length({_q(column)}) > %s", [int(limit)]):
                raise Refused(f"values longer than {limit} characters do not fit {want}")
            return None
        if NUMERIC.match(have) and NUMERIC.match(want) and NUMERIC.match(want).group(1):
            precision, scale = map(int, NUMERIC.match(want).groups())
            if fetch_value(
                f"SELECT count(*) FROM {_q(table)} WHERE abs(round({_q(column)}, %s)) >= 10 ^ %s",
                [scale, precision - scale],
            ):
                raise Refused(f"values too large for {want}")
            return None
        raise Refused(f"{have} cannot become {want}")

    # 2. the data ----------------------------------------------------------------------------------
    def fit_data(self, found):
        missing_unique = {
            d.table
            for d in found
            if d.kind in ("missing index", "missing constraint")
            and re.match(r"^(CREATE UNIQUE|UNIQUE|PRIMARY)", d.expected)
        }
        for table, merge in adoption_data.MERGES.items():
            if table in missing_unique:
                self.report.add(MERGED, merge())
        self.clear_dangling_references(found)
        self.fill_needed_values(found)
        for (table, column), model_field in sorted(self.fields.items()):
            if isinstance(model_field, EncryptedTextField):
                self.report.add(SECRETS, adoption_data.encrypt_plaintext(table, column))
        self.report.add(LOGINS, adoption_data.prefix_bcrypt_hashes())
        self.report.add(LOGINS, adoption_data.lowercase_user_emails())

    def clear_dangling_references(self, found):
        existing = {
            (d.table, FOREIGN_KEY.match(d.actual).groups())
            for d in found
            if d.kind == "extra constraint" and FOREIGN_KEY.match(d.actual)
        }
        for d in found:
            match = d.kind == "missing constraint" and FOREIGN_KEY.match(d.expected)
            if not match or (d.table, match.groups()) in existing:
                continue  # the original already enforced this reference
            column, target = match.groups()
            if not self.reference.columns[d.table][column].not_null:
                self.report.add(CLEARED, adoption_data.clear_dangling(d.table, column, target))
            elif count := adoption_data.dangling(d.table, column, target):
                self.report.problems.append(
                    f"{d.table}.{column}: {count} row(s) point at no {target} row "
                    "and the column may not be empty; delete or repair them first"
                )
                self.blocked.add((d.table, column))

    def fill_needed_values(self, found):
        for d in found:
            if d.kind != "not null" or not d.expected:
                continue
            default = getattr(self.fields.get((d.table, d.item)), "default", NOT_PROVIDED)
            if (d.table, d.item) in adoption_data.FILLS:
                lines = adoption_data.fill_nulls(d.table, d.item, *adoption_data.FILLS[d.table, d.item])
            elif column_default := self.reference.columns[d.table][d.item].default:
                described = "the time of adoption" if column_default == "statement_timestamp()" else column_default
                lines = adoption_data.fill_nulls(d.table, d.item, column_default, described)
            elif default is not NOT_PROVIDED and not callable(default):
                shown = str(default).lower() if isinstance(default, bool) else repr(default)
                lines = adoption_data.fill_nulls(d.table, d.item, "%s", shown, [default])
            elif fetch_value(f"SELECT count(*) FROM {_q(d.table)} WHERE {_q(d.item)} IS NULL"):
                self.report.problems.append(
                    f"{d.table}.{d.item} has NULLs and the project needs a value there; "
                    "there is no safe value to fill in"
                )
                self.blocked.add((d.table, d.item))
                continue
            else:
                lines = []
            self.report.add(FILLED, lines)

    # 3. the schema --------------------------------------------------------------------------------
    def convert_types(self, found):
        per_table = {}
        for d in found:
            if d.kind == "column type":
                using = self.conversion(d.table, d.item, d.actual, d.expected)
                clause = f"ALTER COLUMN {_q(d.item)} TYPE {d.expected}" + (f" USING {using}" if using else "")
                per_table.setdefault(d.table, []).append(clause)
                if d.actual == TIMESTAMP:
                    self.report.add(TIMESTAMPS, f"{d.table}.{d.item}")
                else:
                    self.report.add(TYPES, f"{d.table}.{d.item}: {d.actual} → {d.expected}")
        for table, clauses in per_table.items():  # one rewrite per table
            execute(f"ALTER TABLE {_q(table)} " + ", ".join(clauses))

    def drop(self, found):
        extra = [d for d in found if d.kind == "extra constraint"]
        for d in sorted(extra, key=lambda d: not d.actual.startswith("FOREIGN KEY")):  # references first
            execute(f"ALTER TABLE {_q(d.table)} DROP CONSTRAINT {_q(d.item)}")
            self.report.add(DROPPED, f"constraint {d.table}.{d.item}: {d.actual}")
        for d in found:
            if d.kind == "extra index":
                execute(f"DROP INDEX {_q(d.item)}")
                self.report.add(DROPPED, f"index {d.item}: {d.actual}")

    def set_defaults_and_not_null(self, found):
        for d in found:
            if d.kind not in ("default", "not null") or (d.table, d.item) in self.blocked:
                continue
            column = f"ALTER TABLE {_q(d.table)} ALTER COLUMN {_q(d.item)}"
            if d.kind == "default":
                execute(f"{column} SET DEFAULT {d.expected}" if d.expected else f"{column} DROP DEFAULT")
                self.report.add(DEFAULTS, f"{d.table}.{d.item}: {d.actual or 'none'} → {d.expected or 'none'}")
            else:
                execute(f"{column} {'SET' if d.expected else 'DROP'} NOT NULL")
                self.report.add(NOT_NULL, f"{d.table}.{d.item}: {'set' if d.expected else 'dropped'}")

    def rename(self, found):
        renames = [d for d in found if d.kind in ("constraint name", "index name")]
        taken = {d.actual for d in renames}
        away, direct, back = [], [], []
        for n, d in enumerate(renames):
            if d.expected in taken:  # still held by another object being renamed: go through a free name
                away.append((d, d.actual, f"adoption_renaming_{n}"))
                back.append((d, f"adoption_renaming_{n}", d.expected))
            else:
                direct.append((d, d.actual, d.expected))
        for d, old, new in away + direct + back:
            if d.kind == "constraint name":
                execute(f"ALTER TABLE {_q(d.table)} RENAME CONSTRAINT {_q(old)} TO {_q(new)}")
            else:
                execute(f"ALTER INDEX {_q(old)} RENAME TO {_q(new)}")
        for d in renames:
            self.report.add(RENAMED, f"{d.kind.split()[0]} {d.actual} → {d.expected}")

    def create(self, found):
        missing_indexes = {d.item for d in found if d.kind == "missing index"}
        missing_constraints = {(d.table, d.item) for d in found if d.kind == "missing constraint"}
        wanted = [index for index in self.reference.indexes if index.name in missing_indexes]
        wanted += sorted(
            (c for c in self.reference.constraints if (c.table, c.name) in missing_constraints),
            key=lambda c: c.kind == "f",
        )  # foreign keys last
        for item in wanted:
            match = FOREIGN_KEY.match(item.definition)
            if match and (item.table, match.group(1)) in self.blocked:
                continue
            try:
                with transaction.atomic():
                    if not _create_declared(self.models, item):
                        execute(item.sql)
            except DatabaseError as error:
                self.report.problems.append(f"cannot create {item.name} on {item.table}: {error}".strip())
                continue
            kind = "index" if hasattr(item, "unique") else "constraint"
            self.report.add(CREATED, f"{kind} {item.name} on {item.table}: {item.definition}")

    def set_comments(self, found):
        for d in found:
            if d.kind != "comment":
                continue
            if d.table not in COMMENT_TARGETS:
                self.report.problems.append(f"comment on {d.table} {d.item}: cannot be changed by adoption")
                continue
            # a utility statement takes no bound parameters: the comment goes in as a quoted literal
            execute(
                pgsql.SQL(f"COMMENT ON {COMMENT_TARGETS[d.table]} {d.item} IS {{}}").format(pgsql.Literal(d.expected))
            )
            self.report.add(COMMENTS, f"{d.table} {d.item}: {'removed' if d.expected is None else 'set'}")

    # 4. record and prove ---------------------------------------------------------------------------
    def record(self):
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        for app, name in migrations_up_to_023():
            recorder.record_applied(app, name)
            self.report.recorded += 1

    def verify(self):
        left = [
            d
            for d in differences(self.live(), self.reference)
            if not (d.kind in ("extra column", "extra relation") or (d.kind == "extension" and d.actual))
        ]
        self.report.problems += [f"still different after adoption: {d}" for d in left]
