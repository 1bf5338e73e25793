"""SQL building blocks for the hand-written migrations.

Constraints are found by their columns in the catalog, never by an assumed name: an adopted database
of the original system has PostgreSQL's automatic names, a fresh one has Django's.
"""


def drop_constraints_on(table: str, columns: list[str], kind: str) -> str:
    """SQL dropping every constraint of `kind` ('f' foreign key, 'u' unique) on exactly `columns` of `table`."""
    column_list = ", ".join(f"'{c}'" for c in columns)
    return f"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT con.conname FROM pg_constraint con
    WHERE con.conrelid = '{table}'::regclass AND con.contype = '{kind}'
      AND (SELECT array_agg(att.attname::text ORDER BY att.attname) FROM pg_attribute att
           WHERE att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey))
          = (SELECT array_agg(c ORDER BY c) FROM unnest(ARRAY[{column_list}]) AS c)
  LOOP
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', r.conname);
  END LOOP;
END $$;
"""


def drop_unique_indexes_on(table: str, columns: list[str]) -> str:
    """SQL dropping unique indexes (not backing a constraint) on exactly `columns` of `table`."""
    column_list = ", ".join(f"'{c}'" for c in columns)
    return f"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT idx.indexrelid::regclass::text AS name FROM pg_index idx
    WHERE idx.indrelid = '{table}'::regclass AND idx.indisunique AND NOT idx.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = idx.indexrelid)
      AND (SELECT array_agg(att.attname::text ORDER BY att.attname) FROM pg_attribute att
           WHERE att.attrelid = idx.indrelid AND att.attnum = ANY (idx.indkey))
          = (SELECT array_agg(c ORDER BY c) FROM unnest(ARRAY[{column_list}]) AS c)
  LOOP
    EXECUTE format('DROP INDEX %s', r.name);
  END LOOP;
END $$;
"""


def drop_secondary_indexes(table: str) -> str:
    """SQL dropping every index of `table` but its primary key (unique constraints included)."""
    return f"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = '{table}'::regclass AND contype = 'u' LOOP
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', r.conname);
  END LOOP;
  FOR r IN SELECT indexrelid::regclass::text AS name FROM pg_index
           WHERE indrelid = '{table}'::regclass AND NOT indisprimary LOOP
    EXECUTE format('DROP INDEX %s', r.name);
  END LOOP;
END $$;
"""


def reject_update_trigger(table: str, name: str, condition: str, message: str) -> tuple[str, str]:
    """(forward, reverse) SQL for a BEFORE UPDATE trigger raising check_violation when `condition` holds."""
    forward = f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {condition} THEN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    reverse = f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"
    return forward, reverse
