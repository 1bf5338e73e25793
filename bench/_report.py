"""What every bulk-path bench prints: each path timed as the median of 3 runs, next to the per-row baseline
and the floor (the same final rows written by the cheapest SQL), with the ratios on the last lines.

Every run happens in a forked child process, so the peak memory reported (its ru_maxrss above what it
started with) is that run's own and the timed code runs without tracemalloc's overhead. The work given
to `measure` runs in the child; `reset` runs in the bench's process before each run (outside the clock)
and puts the database back as the run expects to find it.
"""

import multiprocessing
import os
import resource
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RUNS = 3


@dataclass
class Measured:
    label: str
    rows: int
    seconds: float  # median of the runs
    peak_mb: float  # the largest peak memory growth of the runs
    result: Any = None  # what the last run returned

    @property
    def per_row(self):
        return self.seconds / self.rows

    @property
    def rate(self):
        return self.rows / self.seconds


def _rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def _child(work, sender):
    from django.db import connections

    try:
        start = _rss_mb()
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start
        sender.send((seconds, max(peak, 0.0), result, None))
    except BaseException:  # noqa: BLE001 (any failure is sent to the parent, which raises it)
        sender.send((0.0, 0.0, None, traceback.format_exc()))
    finally:
        connections.close_all()


def run_once(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """(seconds, peak MB above the start, result) of `work()` run in a forked child."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(work, sender))
    child.start()
    seconds, peak, result, failure = receiver.recv()
    child.join()
    if failure:
        raise RuntimeError(f"the measured run failed in its child process:\n{failure}")
    return seconds, peak, result


def measure(
    label: str, rows: int, work: Callable[[], Any], reset: Callable[[], None] | None = None, runs: int = RUNS
) -> Measured:
    """Median time of `runs` runs of `work` (each after `reset`), the largest peak memory, the last result."""
    times, peaks, result = [], [], None
    for _ in range(runs):
        if reset:
            reset()
        seconds, peak, result = run_once(work)
        times.append(seconds)
        peaks.append(peak)
    measured = Measured(label, rows, statistics.median(times), max(peaks), result)
    print(f"  {label}: {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
    return measured


def all_cores() -> int:
    return os.cpu_count() or 1


def all_cores_run(
    label: str, rows: int, work: Callable[[int], Any], reset: Callable[[], None] | None = None
) -> Measured:
    """The real path with one worker per core: `work(workers)`."""
    return measure(f"{label} ({all_cores()} workers)", rows, lambda: work(all_cores()), reset)


def report(
    title: str,
    real: Measured,
    floor: Measured,
    baseline: Measured,
    *,
    all_cores: Measured | None = None,
    context: tuple[Measured, ...] = (),
    floor_goal: float | None = None,
    baseline_goal: float = 20.0,
) -> dict[str, float]:
    """The table, then the ratios (per row, so a baseline measured on a sample compares) on the last lines."""
    print(f"\n{title} (median of {RUNS} runs; peak MB: a run's memory above what its process started with)")
    print(f"{'path':<58}{'rows':>10}{'seconds':>9}{'rows/s':>11}{'peak MB':>9}")
    for m in (real, *([all_cores] if all_cores else []), *context, floor, baseline):
        print(f"{m.label:<58}{m.rows:>10,}{m.seconds:>9.2f}{m.rate:>11,.0f}{m.peak_mb:>9.1f}")
    ratios = {"real/floor": real.per_row / floor.per_row, "baseline/real": baseline.per_row / real.per_row}
    goal = f" (goal ≤ {floor_goal}x)" if floor_goal else ""
    if all_cores:
        ratios["all cores/floor"] = all_cores.per_row / floor.per_row
        print(f"all cores / floor: {ratios['all cores/floor']:.2f}x (goal ≤ 0.8x)")
    print(f"real / floor: {ratios['real/floor']:.2f}x{goal}")
    print(f"real / baseline: {ratios['baseline/real']:.0f}x faster per row (goal ≥ {baseline_goal:.0f}x)")
    return ratios


class Floor:
    """The same final rows the real path wrote, written again by the cheapest SQL: per batch and table, a
    binary COPY into a staging table and one INSERT … SELECT (or UPDATE … FROM) into the table.

    `inserted` is {table: condition} for the rows the real path added (in the order they can be written),
    `updated` is {table: (condition, columns)} for rows it changed; `links` is {table: column} where a row
    must be written in the batch of the row (written before) its column points at, as its foreign key
    wants. `capture()` reads the rows after a real
    run; `undo()` removes (or, through the bench's own reset, restores) them; `write(batches)` writes them
    again in that many transactions, single process.
    """

    def __init__(
        self,
        inserted: dict[str, str],
        updated: dict[str, tuple[str, list[str]]] | None = None,
        links: dict[str, str] | None = None,
    ):
        self.inserted, self.updated, self.links = inserted, updated or {}, links or {}
        self.rows: dict[str, list[tuple]] = {}
        self.columns: dict[str, list[tuple[str, str]]] = {}

    def capture(self, params: dict) -> dict[str, int]:
        from liffy import sql

        for table, condition in self.inserted.items():
            self.columns[table] = _columns_of(table)
            self.rows[table] = sql.fetch_all(f"SELECT * FROM {table} WHERE {condition}", params)
        for table, (condition, columns) in self.updated.items():
            types = dict(_columns_of(table))
            self.columns[table] = [(name, types[name]) for name in ("id", *columns)]
            self.rows[table] = sql.fetch_all(
                f"SELECT {', '.join(name for name, _ in self.columns[table])} FROM {table} WHERE {condition}", params
            )
        return {table: len(rows) for table, rows in self.rows.items()}

    def undo(self, params: dict) -> None:
        from liffy import sql

        for table, condition in reversed(self.inserted.items()):
            sql.execute(f"DELETE FROM {table} WHERE {condition}", params)

    def write(self, batches: int = 1) -> int:
        from django.db import transaction

        from liffy import sql

        written, parts = 0, self._parts(batches)
        for batch in range(batches):
            with transaction.atomic(), sql.cursor() as cursor:
                for table in self.rows:
                    part = parts[table][batch]
                    if not part:
                        continue
                    columns = self.columns[table]
                    sql.stage(cursor, f"floor_{table}", columns, part)
                    names = [name for name, _ in columns]
                    if table in self.updated:
                        sets = ", ".join(f"{name} = s.{name}" for name in names[1:])
                        cursor.execute(f"UPDATE {table} t SET {sets} FROM floor_{table} s WHERE t.id = s.id")
                    else:
                        cursor.execute(
                            f"INSERT INTO {table} SELECT {', '.join(names)} FROM floor_{table} ON CONFLICT DO NOTHING"
                        )
                    written += cursor.rowcount
        return written

    def _parts(self, batches):
        parts, batch_of = {}, {}
        for table, rows in self.rows.items():
            parts[table] = [[] for _ in range(batches)]
            link = self.links.get(table)
            at = [name for name, _ in self.columns[table]].index(link) if link else None
            for n, row in enumerate(rows):
                batch = batch_of[row[at]] if link else n * batches // len(rows)
                parts[table][batch].append(row)
                batch_of[row[0]] = batch
        return parts


def _columns_of(table):
    from liffy import sql

    return sql.fetch_all(
        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    )
