"""The CSV import (the bulk upsert of persons, affiliations and members, batch after batch) straight to a
PostgreSQL server and through a PgBouncer in transaction mode in front of the same server, interleaved
in one run, so the ratio shows what the pooler costs the bulk paths.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/liffy_bench \\
        .venv/bin/python bench/pooling.py --pooled-port 6432 [--rows 20000] [--rounds 3]

The pooled rounds use the settings of DATABASE_POOLER=pgbouncer (no server-side cursors, no prepared
statements). Rounds alternate which path goes first, so drift on a busy machine falls on both.
"""

import argparse
import os
import statistics
import sys

from _setup import measured, setup_django, truncate


def csv_rows(rows, offset):
    lines = ["Email;Full Name;Company;Job Title;Country"]
    lines += [
        f"contact{n}@exhibitor{n % 5000}.test;Anna Müller;Exhibitor {n % 5000} GmbH;Sales Manager;Germany"
        for n in range(offset, offset + rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def use(connection, port, pooled):
    """Point Django's connection at the server (`pooled` False) or at the pooler in front of it."""
    connection.close()
    connection.settings_dict["PORT"] = port
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = pooled
    connection.settings_dict.setdefault("OPTIONS", {})["prepare_threshold"] = None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pooled-port", default="6432")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("BENCH_DATABASE_URL"):
        sys.exit("Set BENCH_DATABASE_URL to the server that the PgBouncer on --pooled-port pools.")
    setup_django()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from legacy.csv_import import start_csv_import
    from liffy.models import Organizer

    settings.CSV_INLINE_ROWS = args.rows + 1
    settings.CSV_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    direct_port = connection.settings_dict["PORT"]
    paths = {"direct": (direct_port, False), "through PgBouncer": (args.pooled_port, True)}
    truncate("organizers")
    rates = {label: [] for label in paths}
    for round_number in range(args.rounds):
        order = list(paths) if round_number % 2 == 0 else list(reversed(paths))
        for label in order:
            use(connection, *paths[label])
            organizer = Organizer.objects.create(name=f"Bench pooling {label} {round_number}")
            upload = SimpleUploadedFile("bench.csv", csv_rows(args.rows, offset=round_number * 10 * args.rows))
            results = {}
            with measured(label, args.rows, results):
                _, progress, _ = start_csv_import(organizer, None, upload)
            assert progress["imported"] == args.rows, progress
            rates[label].append(results[label]["rows_per_s"])
            print(f"round {round_number + 1} {label:<18} {results[label]['rows_per_s']:>10,.0f} rows/s")
    use(connection, direct_port, False)
    truncate("organizers")
    print(f"\nCSV import of {args.rows:,} rows, median of {args.rounds} rounds")
    for label, values in rates.items():
        print(f"{label:<18} {statistics.median(values):>10,.0f} rows/s")
    ratio = statistics.median(rates["through PgBouncer"]) / statistics.median(rates["direct"])
    print(f"through PgBouncer / direct: {ratio:.2f}")


if __name__ == "__main__":
    main()
