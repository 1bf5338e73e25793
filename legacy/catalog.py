"""The shape of a schema as PostgreSQL's catalogs hold it, and the differences between two shapes.

Read from pg_attribute/pg_attrdef (type with modifiers, NOT NULL, default), pg_constraint (full
definitions, actions and deferrability), pg_index (definitions with expressions and predicates),
pg_trigger, pg_proc, views and pg_description. Constraints and indexes are matched by definition,
then their names are compared, so a difference of name is told apart from a missing object.
Objects that belong to an extension (its functions) are not part of a schema's shape; the
extensions installed in the schema are listed on their own.

Adoption (`legacy.adoption`) uses this to compare a database of the original system with a schema
built by the project's own migrations, and the tests to prove the two end up identical.
"""

import re
from dataclasses import dataclass, field

FIRST_USER_OID = 16384  # objects below are PostgreSQL's own


@dataclass(frozen=True)
class Column:
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True, order=True)
class Constraint:
    table: str
    name: str
    kind: str  # p primary key, u unique, f foreign key, c check, x exclusion
    definition: str

    @property
    def key(self):
        return self.table, self.kind, self.definition

    @property
    def sql(self):
        return f'ALTER TABLE {self.table} ADD CONSTRAINT "{self.name}" {self.definition}'


@dataclass(frozen=True, order=True)
class Index:
    """An index that backs no constraint. `definition` is `pg_get_indexdef` without the index name."""

    table: str
    name: str
    definition: str

    @property
    def key(self):
        return self.table, self.definition

    @property
    def unique(self):
        return self.definition.startswith("CREATE UNIQUE")

    @property
    def sql(self):
        return self.definition.replace(" INDEX ON ", f' INDEX "{self.name}" ON ', 1)


@dataclass
class Shape:
    relations: dict = field(default_factory=dict)  # name → relkind (r table, v view, S sequence, …)
    columns: dict = field(default_factory=dict)  # table → {column: Column}
    constraints: list = field(default_factory=list)
    indexes: list = field(default_factory=list)
    triggers: dict = field(default_factory=dict)  # (table, name) → definition
    functions: dict = field(default_factory=dict)  # signature → definition
    views: dict = field(default_factory=dict)  # name → definition
    comments: dict = field(default_factory=dict)  # (object type, identity) → text
    extensions: set = field(default_factory=set)


@dataclass(frozen=True)
class Difference:
    kind: str
    table: str | None
    item: str
    actual: object = None
    expected: object = None

    def __str__(self):
        if self.kind == "comment":  # table is the object's type, item its identity
            return f"comment on {self.table} {self.item}: {self.actual!r}, expected {self.expected!r}"
        where = f"{self.table}.{self.item}" if self.table and self.item else (self.table or self.item)
        detail = ""
        if self.actual is not None or self.expected is not None:
            detail = f": {self.actual!r}, expected {self.expected!r}"
        return f"{self.kind}: {where}{detail}"


COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
"""
RELATIONS = """
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
"""
CONSTRAINTS = """
SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND con.contype IN ('p', 'u', 'f', 'c', 'x')
"""
INDEXES = """
SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND NOT EXISTS (
    SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid
)
"""
TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND NOT t.tgisinternal
"""
FUNCTIONS = """
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %(schema)s AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.deptype = 'e')
"""
VIEWS = """
SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('v', 'm')
"""
COMMENTS = """
SELECT o.type, o.identity, d.description
FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
WHERE d.objoid >= %(first_user_oid)s AND o.schema = %(schema)s
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classoid AND e.objid = d.objoid
                  AND e.deptype = 'e')
"""
EXTENSIONS = """
SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = %(schema)s
"""
INDEX_NAME = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?")


def read_shape(cursor, schema) -> Shape:
    """The shape of `schema`, with every name written as seen from inside it (its own prefix removed)."""
    prefix = re.compile(rf'(?<![\w."]){re.escape(schema)}\.')

    def rows(query):
        cursor.execute(query, {"schema": schema, "first_user_oid": FIRST_USER_OID})
        return [tuple(prefix.sub("", v) if isinstance(v, str) else v for v in row) for row in cursor.fetchall()]

    shape = Shape(relations=dict(rows(RELATIONS)))
    for table, column, type_, not_null, default in rows(COLUMNS):
        shape.columns.setdefault(table, {})[column] = Column(type_, not_null, default)
    shape.constraints = sorted(Constraint(*row) for row in rows(CONSTRAINTS))
    shape.indexes = sorted(
        Index(table, name, INDEX_NAME.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX ON {m.group(2) or ''}", d))
        for table, name, d in rows(INDEXES)
    )
    shape.triggers = {(table, name): d for table, name, d in rows(TRIGGERS)}
    shape.functions = dict(rows(FUNCTIONS))
    shape.views = dict(rows(VIEWS))
    shape.comments = {(kind, identity): text for kind, identity, text in rows(COMMENTS)}
    shape.extensions = {name for (name,) in rows(EXTENSIONS)}
    return shape


def _matched(actual, expected):
    """Pair objects of equal key (a multiset match): (pairs, unmatched actual, unmatched expected)."""
    pool = {}
    for item in expected:
        pool.setdefault(item.key, []).append(item)
    pairs, extra = [], []
    for item in actual:
        candidates = pool.get(item.key)
        if candidates:
            # prefer the one of the same name, so an object already right is never renamed
            same = next((c for c in candidates if c.name == item.name), candidates[0])
            candidates.remove(same)
            pairs.append((item, same))
        else:
            extra.append(item)
    missing = [item for candidates in pool.values() for item in candidates]
    return pairs, extra, missing


def differences(actual: Shape, expected: Shape) -> list[Difference]:
    """Everything that tells `actual` apart from `expected`, as a list of findings (empty: identical)."""
    found = []
    add = found.append
    for name in sorted(expected.relations.keys() - actual.relations.keys()):
        add(Difference("missing relation", name, "", expected=expected.relations[name]))
    for name in sorted(actual.relations.keys() - expected.relations.keys()):
        add(Difference("extra relation", name, "", actual=actual.relations[name]))
    for table in sorted(expected.columns.keys() & actual.columns.keys()):
        mine, theirs = actual.columns[table], expected.columns[table]
        for column in sorted(theirs.keys() - mine.keys()):
            add(Difference("missing column", table, column, expected=theirs[column].type))
        for column in sorted(mine.keys() - theirs.keys()):
            add(Difference("extra column", table, column, actual=mine[column]))
        for column in sorted(mine.keys() & theirs.keys()):
            have, want = mine[column], theirs[column]
            for kind, attribute in (("column type", "type"), ("not null", "not_null"), ("default", "default")):
                if getattr(have, attribute) != getattr(want, attribute):
                    add(Difference(kind, table, column, getattr(have, attribute), getattr(want, attribute)))
    for kind, mine, theirs in (
        ("constraint", actual.constraints, expected.constraints),
        ("index", actual.indexes, expected.indexes),
    ):
        pairs, extra, missing = _matched(mine, theirs)
        found += [Difference(f"extra {kind}", item.table, item.name, actual=item.definition) for item in extra]
        found += [Difference(f"missing {kind}", item.table, item.name, expected=item.definition) for item in missing]
        found += [
            Difference(f"{kind} name", have.table, have.name, have.name, want.name)
            for have, want in pairs
            if have.name != want.name
        ]
    for kind, mine, theirs in (
        ("trigger", actual.triggers, expected.triggers),
        ("function", actual.functions, expected.functions),
        ("view", actual.views, expected.views),
        ("comment", actual.comments, expected.comments),
    ):
        for key in sorted(mine.keys() | theirs.keys(), key=str):
            if mine.get(key) != theirs.get(key):
                table, item = key if isinstance(key, tuple) else (None, key)
                add(Difference(kind, table, item, mine.get(key), theirs.get(key)))
    for name in sorted(actual.extensions ^ expected.extensions):
        add(Difference("extension", None, name, name in actual.extensions, name in expected.extensions))
    return found
