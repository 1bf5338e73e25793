"""Progress of a background import, kept as JSON on its row (`lists` or `mining_jobs`, `import_progress`).

`add_progress` is the one writer of the running counters: one UPDATE adding to them on the server
(`n = n + delta`, never read in Python and written back), so batches committed by several processes
at once all count; errors are appended up to a cap. `failure_recorded` marks an import `failed` when
its work raises, so no import stays `processing` after an error.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from uuid import UUID

from liffy import sql

MAX_REPORTED_ERRORS = 100
TABLES = {"lists", "mining_jobs"}


def _checked(table):
    if table not in TABLES:
        raise ValueError(f"No import progress on {table!r}.")


def add_progress(
    table: str, pk: UUID | str, counts: Mapping[str, int], errors: Iterable = (), *, stamp: bool = False
) -> None:
    """Add `counts` to the row's progress counters and `errors` to its list (up to MAX_REPORTED_ERRORS);
    `stamp` also sets `updated_at` (the heartbeat a stale import is recognised by)."""
    _checked(table)
    pairs, params = [], []
    for name, value in counts.items():
        pairs.append("%s::text, coalesce((import_progress->>%s::text)::bigint, 0) + %s::bigint")
        params += [name, name, int(value)]
    pairs.append(
        "'errors', (SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM (SELECT e FROM jsonb_array_elements("
        "coalesce(import_progress->'errors', '[]'::jsonb) || %s::jsonb) e LIMIT %s) s)"
    )
    params += [json.dumps(list(errors), default=str), MAX_REPORTED_ERRORS]
    if stamp:
        pairs.append("'updated_at', now()")
    sql.execute(
        f"UPDATE {table} SET import_progress = import_progress || jsonb_build_object({', '.join(pairs)}) WHERE id = %s",
        [*params, pk],
    )


@contextmanager
def failure_recorded(
    table: str, pk: UUID | str, advice: str, on_failure: Callable[[], object] | None = None
) -> Iterator[None]:
    """Run an import's work; should it raise, the import becomes `failed` with `advice` (what the user can
    do) as its `failure` before the error goes on to the caller and the log. Batches committed before the
    error stay, and their counters with them; `on_failure` runs after the status is written."""
    _checked(table)
    try:
        yield
    except Exception:
        sql.execute(
            f"UPDATE {table} SET import_status = 'failed', import_progress = import_progress ||"
            " jsonb_build_object('failure', %s::text, 'completed_at', now())"
            " WHERE id = %s AND import_status = 'processing'",
            [advice, pk],
        )
        if on_failure:
            on_failure()
        raise
