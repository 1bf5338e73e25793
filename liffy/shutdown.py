"""A worker's request to stop, seen by the long tasks it is running so they end at a safe point.

Celery's warm shutdown (SIGTERM) waits for the running task, and process managers follow with SIGKILL
after a grace period (honcho 5 s, Kubernetes 30 s by default): a task that works for minutes must
notice and stop early. `liffy.celery` raises the flag when the worker starts shutting down (its main
process) and when a prefork pool process is sent SIGTERM itself (a signal to the whole process group,
as honcho and systemd send). The flag lives in shared memory created before the pool forks, so the
main process's request reaches prefork pool processes too; thread and solo pools share it anyway.
"""

import multiprocessing
import signal

_requested = multiprocessing.RawValue("b", 0)


def requested() -> bool:
    return bool(_requested.value)


def request() -> None:
    _requested.value = 1


def clear() -> None:
    _requested.value = 0


def stop_on_first_sigterm() -> None:
    """In a prefork pool process: the first SIGTERM asks for a stop at the next safe point, instead of
    billiard's immediate exit; a second one gets billiard's handler back and ends the process. Idempotent."""
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "stops_at_a_safe_point", False):
        return

    def on_sigterm(signum, frame):
        request()
        signal.signal(signal.SIGTERM, previous if callable(previous) else signal.SIG_DFL)

    on_sigterm.stops_at_a_safe_point = True
    signal.signal(signal.SIGTERM, on_sigterm)
