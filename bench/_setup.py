"""Shared set-up of the benchmarks: Django on a dedicated benchmark database, timing and memory.

The benchmarks use the embedded server's `liffy_bench` database (or BENCH_DATABASE_URL), never the
app's own data, and empty the tables they fill before they start. They never change the server's
configuration: the embedded server is shared with development and tests.
"""

import os
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database: str = "liffy_bench"):
    """Django on the embedded server's `database` (or BENCH_DATABASE_URL), migrated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liffy.settings")
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["EMBEDDED_PG_DB"] = database
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain http
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def truncate(*tables):
    from liffy import sql

    sql.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


@contextmanager
def measured(label, rows, results):
    """Time a block and record rows/s, the RSS it added and the process's peak RSS under `label`.

    (Memory is read from the OS, not tracemalloc, which would slow the timed code down several times.)
    """
    before = current_rss_mb()
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    results[label] = {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds if seconds else 0,
        "rss_growth_mb": max(current_rss_mb() - before, 0),
        "rss_peak_mb": peak_rss_mb(),
    }


def report(title, results, real, naive):
    print(f"\n{title}")
    print(f"{'path':<28}{'rows':>10}{'seconds':>10}{'rows/s':>12}{'RSS growth MB':>15}{'RSS peak MB':>13}")
    for label, r in results.items():
        print(
            f"{label:<28}{r['rows']:>10}{r['seconds']:>10.2f}{r['rows_per_s']:>12,.0f}"
            f"{r['rss_growth_mb']:>15.1f}{r['rss_peak_mb']:>13.0f}"
        )
    speedup = results[real]["rows_per_s"] / results[naive]["rows_per_s"]
    print(f"speed-up of the real path over the per-row baseline: {speedup:.1f}x")
    return speedup
