"""Bulk work split into parts processed in parallel: processes on this machine, Celery tasks on many.

A bulk path describes its work as `Work(path, kwargs)`: the dotted name of a function
`f(part, progress, **kwargs) -> Outcome` that processes one part — a key range `(after, upto]` of
ids (`key_ranges`) or a range of row numbers `[start, stop)` (`row_ranges`) — calling `progress(n)` as
rows are done. `run_parts` runs the parts and adds their outcomes into one:

- `workers=1`, or when the caller is inside a transaction (which other processes could not see, e.g.
  a dry run): one after the other in this process, on its connection;
- `workers>1`: in that many forked processes, each opening its own database connection (Django's
  are closed before forking); their progress feeds the caller's one progress bar;
- when a broker and a result backend are configured (`distributed()`), as a group of Celery tasks
  routed to the workload's queue, so the parts spread over every worker machine that takes it; when no
  running worker takes that queue, in processes here instead (with a warning), never waiting for one.

Each part is idempotent and commits batch by batch, so a run killed at any point is completed by
running it again. A dry run is one transaction rolled back at the end: it stays in one process.
"""

import importlib
import logging
import os
import pickle
import queue
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from threading import Thread
from typing import Any
from uuid import UUID

from celery import group, shared_task

logger = logging.getLogger(__name__)
QUEUE_PROBE_SECONDS = 1.0
FIRST_ID = UUID(int=0)
LAST_ID = UUID(int=2**128 - 1)
Progress = Callable[[int], object]


@dataclass
class Outcome:
    """What parts report: counters added up, errors listed, and ids found (key → id) merged."""

    counts: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)
    ids: dict = field(default_factory=dict)

    def add(self, other: "Outcome") -> "Outcome":
        self.counts.update(other.counts)
        self.errors += other.errors
        self.ids.update(other.ids)
        return self

    def as_json(self) -> dict:
        return {"counts": dict(self.counts), "errors": self.errors, "ids": {k: str(v) for k, v in self.ids.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Outcome":
        return cls(Counter(data["counts"]), list(data["errors"]), dict(data["ids"]))

    @classmethod
    def merged(cls, outcomes: Iterable[dict]) -> "Outcome":
        """The outcomes of Celery parts (`as_json`), added up."""
        total = cls()
        for outcome in outcomes:
            total.add(cls.from_json(outcome))
        return total


@dataclass(frozen=True)
class Work:
    """A function by dotted name (`module.function`) and its JSON-able keyword arguments."""

    path: str
    kwargs: dict = field(default_factory=dict)

    def __call__(self, part: tuple, progress: Progress) -> Outcome:
        module, name = self.path.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)(tuple(part), progress, **self.kwargs)


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def key_ranges(table: str, parts: int, where: str = "TRUE", params: Iterable[Any] = ()) -> list[tuple[str, str]]:
    """`parts` ranges `(after, upto]` of `table`'s ids (the rows matching `where`), about equal in rows.

    The bounds are id percentiles of the matching rows (one scan of the id index), so time-ordered and
    random ids split alike. Fewer ranges come back when there are fewer distinct ids than parts.
    """
    if parts <= 1:
        return [(str(FIRST_ID), str(LAST_ID))]
    from liffy import sql

    fractions = [n / parts for n in range(1, parts)]
    found = sql.fetch_value(
        f"SELECT percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY id) FROM {table} WHERE {where}",
        [fractions, *params],
    )
    bounds = sorted({bound for bound in found or [] if bound is not None})
    edges = [FIRST_ID, *bounds, LAST_ID]
    return [(str(after), str(upto)) for after, upto in pairwise(edges)]


def row_ranges(total: int, parts: int) -> list[tuple[int, int]]:
    """`parts` ranges `[start, stop)` of row numbers 0…total-1, about equal (none empty)."""
    parts = max(1, min(parts, total))
    edges = [total * n // parts for n in range(parts + 1)]
    return [(start, stop) for start, stop in pairwise(edges)]


def distributed() -> bool:
    """True when parts go to Celery workers: a broker to send them and a result backend to collect them."""
    from django.conf import settings

    return bool(settings.CELERY_BROKER_URL and settings.CELERY_RESULT_BACKEND)


def workers_taking(workload: str) -> int:
    """How many running Celery workers take the workload's queue (those answering a broadcast within
    QUEUE_PROBE_SECONDS)."""
    from django.conf import settings

    from liffy.celery import app
    from liffy.queues import queue_name

    target = queue_name(settings.CELERY_TASK_DEFAULT_QUEUE, workload)
    # On a connection of its own, closed here: a pooled one would be left waiting on the reply queue, and a
    # process forked next (worker processes) would block closing its copy.
    with app.connection_for_write() as connection:
        replies = app.control.inspect(timeout=QUEUE_PROBE_SECONDS, connection=connection).active_queues() or {}
    return sum(any(queue["name"] == target for queue in queues) for queues in replies.values())


def _taken(workload: str) -> bool:
    if workers_taking(workload):
        return True
    logger.warning("No running Celery worker takes the %s queue: the parts run in processes here.", workload)
    return False


def part_tasks(work: Work, parts: list[tuple], workload: str) -> group:
    """The Celery group of `work` over `parts`, each task on the workload's queue."""
    from django.conf import settings

    from liffy.queues import queue_name

    target = queue_name(settings.CELERY_TASK_DEFAULT_QUEUE, workload)
    return group(run_part_task.s(work.path, list(part), work.kwargs).set(queue=target) for part in parts)


@shared_task(name="liffy.parallel.run_part_task", acks_late=True)
def run_part_task(path: str, part: list, kwargs: dict) -> dict:
    """One part of a bulk run, on whichever worker takes it (see `part_tasks`)."""
    return Work(path, kwargs)(tuple(part), _ignore).as_json()


def run_parts(
    work: Work | Callable[[tuple, Progress], Outcome],
    parts: list[tuple],
    *,
    workers: int = 1,
    progress: Progress | None = None,
    workload: str | None = None,
) -> Outcome:
    """Run `work` over every part and add up the outcomes (see the module docstring for where they run).

    A part that raises stops the run; in worker processes, the other parts run to their end first.
    """
    progress = progress or _ignore
    if usable_workers(workers) == 1:
        workload = None
    if workload and isinstance(work, Work) and len(parts) > 1 and distributed() and _taken(workload):
        outcome = Outcome()
        for result in part_tasks(work, parts, workload).apply_async().get(disable_sync_subtasks=False):
            part = Outcome.from_json(result)
            progress(part.counts.get("processed", 0))
            outcome.add(part)
        return outcome
    if usable_workers(workers) == 1 or len(parts) <= 1:
        outcome = Outcome()
        for part in parts:
            outcome.add(work(part, progress))
        return outcome
    return _in_processes(work, parts, min(workers, len(parts)), progress)


def usable_workers(workers: int) -> int:
    """`workers`, or 1 inside a transaction: other processes could not see what it has written (a test's,
    a dry run's)."""
    from django.db import connection

    return 1 if connection.in_atomic_block else max(1, workers)


def _in_processes(work, parts, workers, progress):
    """Forked processes take the next part from a shared counter; messages come back on a queue."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # every process opens its own
    context = multiprocessing.get_context("fork")
    taken, messages = context.Value("i", 0), context.Queue()  # parts handed out so far; what comes back
    processes = [
        context.Process(target=_worker, args=(work, parts, taken, messages), daemon=True) for _ in range(workers)
    ]
    for process in processes:
        process.start()
    outcome, finished, failures = Outcome(), 0, []
    try:
        while finished < len(parts):
            try:
                kind, value = messages.get(timeout=1 if any(process.is_alive() for process in processes) else 10)
            except queue.Empty:
                if any(process.is_alive() for process in processes):
                    continue
                codes = [process.exitcode for process in processes]
                raise RuntimeError(
                    f"The worker processes ended (exit codes {codes}) before every part was done; run again to finish."
                ) from None
            if kind == "progress":
                progress(value)
                continue
            finished += 1
            if kind == "failed":
                failures.append(value)
            else:
                outcome.add(value)
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    if failures:
        raise failures[0]
    return outcome


def _worker(work, parts, taken, messages):
    from django.db import connections

    def report(count):
        messages.put(("progress", count))

    try:
        while True:
            with taken.get_lock():
                index, taken.value = taken.value, taken.value + 1
            if index >= len(parts):
                return
            try:
                messages.put(("done", work(parts[index], report)))
            except Exception as error:  # noqa: BLE001 - raised in the parent once every part has ended
                messages.put(("failed", error if _picklable(error) else RuntimeError(str(error))))
    finally:
        connections.close_all()


def _picklable(value):
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 - any reason means no
        return False
    return True


def prefetched(items: Iterator, depth: int = 1) -> Iterator:
    """`items`, computed in a thread up to `depth` ahead of the consumer.

    For Python work (parsing, checking) feeding database writes: while the consumer waits on the
    server (the driver releases the interpreter lock), the next items are being made. `items` must not
    use the database (a thread has a connection of its own). Exceptions reach the consumer.
    """
    done = object()
    handoff = queue.Queue(maxsize=depth)

    def produce():
        try:
            for item in items:
                handoff.put((item, None))
        except BaseException as error:  # noqa: BLE001 - re-raised in the consumer
            handoff.put((None, error))
            return
        handoff.put((done, None))

    Thread(target=produce, daemon=True).start()
    while True:
        item, error = handoff.get()
        if error is not None:
            raise error
        if item is done:
            return
        yield item


def in_thread(function: Callable[[], Any]) -> Callable[[], Any]:
    """Start `function()` in a thread now; the returned callable waits for its result (or raises its error).
    Like `prefetched`, for Python work only (no database)."""
    box = {}

    def run():
        try:
            box["result"] = function()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller
            box["error"] = error

    thread = Thread(target=run, daemon=True)
    thread.start()

    def result():
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["result"]

    return result


def _ignore(_count):
    return None
