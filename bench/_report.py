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


def measure(label: str, rows: int, work: Callable[[], Any], reset: Callable[[], None] | None = None,
            runs: int = RUNS) -> Measured:
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


def report(title: str, real: Measured, floor: Measured, baseline: Measured, *, others: tuple[Measured, ...] = (),
           floor_goal: float | None = None, baseline_goal: float = 20.0) -> dict[str, float]:
    """The table, then the ratios (per row, so a baseline measured on a sample compares) on the last lines."""
    print(f"\n{title} (median of {RUNS} runs)")
    print(f"{'path':<46}{'rows':>10}{'seconds':>9}{'rows/s':>11}{'peak MB':>9}")
    for m in (real, *others, floor, baseline):
        print(f"{m.label:<46}{m.rows:>10,}{m.seconds:>9.2f}{m.rate:>11,.0f}{m.peak_mb:>9.1f}")
    ratios = {"real/floor": real.per_row / floor.per_row, "baseline/real": baseline.per_row / real.per_row}
    for m in others:
        ratios[f"{m.label}/floor"] = m.per_row / floor.per_row
    for m in others:
        print(f"{m.label} / floor: {ratios[f'{m.label}/floor']:.2f}x")
    goal = f" (goal ≤ {floor_goal}x)" if floor_goal else ""
    print(f"real / floor: {ratios['real/floor']:.2f}x{goal}")
    print(f"real / baseline: {ratios['baseline/real']:.0f}x faster per row (goal ≥ {baseline_goal:.0f}x)")
    return ratios
