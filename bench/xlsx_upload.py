"""XLSX upload benchmark: a 164 KB workbook (1,000 rows × 30 columns, as in issue 13) read by the table
miner and mined as a job inside the request (eager tasks, the quickstart's shape), next to a naive
baseline (openpyxl loading the whole workbook) and the floor (openpyxl streaming the header's columns
and doing nothing with them).

    .venv/bin/python bench/xlsx_upload.py [--rows 1000] [--columns 30] [--naive-everywhere]

The same data in three shapes: as written; declaring the whole sheet as its size (A1:XFD1048576, as
files saved after formatting whole rows do); and with a formatted empty cell at column XFD in every
row. Each path runs in a fresh process, so the peak memory printed is its own. The naive baseline is
left out of the last shape unless asked for: it takes 100 s and 4 GB there.
"""

import argparse
import io
import json
import random
import re
import subprocess
import sys
import time
import zipfile

from _setup import ROOT, current_rss_mb, peak_rss_mb, setup_django, truncate

SHAPES = ("as written", "declared A1:XFD1048576", "a cell at XFD in every row")
PATHS = ("mining job in the request", "table miner", "naive: openpyxl full load", "floor: read-only stream")


def make_workbook(rows, columns, shape):
    from openpyxl import Workbook

    rnd = random.Random(1)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Email", "Company", "Name", "Country", "Phone"] + [f"Field {c}" for c in range(columns - 5)])
    for r in range(rows):
        sheet.append(
            [f"contact{r}@firm{r % 500}.test", f"Firm {r % 500} GmbH", f"Anna Muster{r}", "Germany", f"+49 30 {r:07d}"]
            + [rnd.randint(0, 999) if c % 2 else f"v{rnd.randint(0, 99)}" for c in range(columns - 5)]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return reshape(buffer.getvalue(), shape)


def reshape(data, shape):
    if shape == SHAPES[0]:
        return data
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            body = source.read(part)
            if part.filename.startswith("xl/worksheets/"):
                if shape == SHAPES[1]:
                    body = body.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
                else:
                    body = re.sub(
                        rb'<row r="(\d+)"(.*?)</row>', rb'<row r="\1"\2<c r="XFD\1" s="0"/></row>', body, flags=re.S
                    )
            target.writestr(part, body)
    return out.getvalue()


def run_path(path, data):
    """One path over the workbook, in this process; returns what it found."""
    if path == PATHS[0]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from liffy.models import Organizer
        from mining.jobs import create_mining_job

        truncate("organizers")
        job = create_mining_job(Organizer.objects.create(name="Bench XLSX"), file=SimpleUploadedFile("x.xlsx", data))
        job.refresh_from_db()
        return f"{job.status}, {job.total_found} contacts"
    if path == PATHS[1]:
        from mining.miners import MinerInput
        from mining.miners.table import TableFileMiner

        output = TableFileMiner().mine(MinerInput(file_name="x.xlsx", file_data=data))
        return f"{output.status}, {len(output.blocks)} rows"
    from openpyxl import load_workbook

    if path == PATHS[2]:
        book = load_workbook(io.BytesIO(data))
        return f"{sum(1 for _ in book.worksheets[0].values)} rows"
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    width = len(next(sheet.iter_rows(max_row=1, values_only=True)))
    return f"{sum(1 for _ in sheet.iter_rows(max_col=width, values_only=True))} rows"


def child(args):
    setup_django()
    data = make_workbook(args.rows, args.columns, args.shape)
    before = current_rss_mb()
    started = time.perf_counter()
    found = run_path(args.path, data)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "bytes": len(data),
                "seconds": seconds,
                "found": found,
                "growth": peak_rss_mb() - before,
                "peak": peak_rss_mb(),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--path")
    parser.add_argument("--shape")
    parser.add_argument("--naive-everywhere", action="store_true")
    args = parser.parse_args()
    if args.path:
        return child(args)
    print(f"XLSX of {args.rows:,} rows × {args.columns} columns")
    print(f"{'shape':<28}{'path':<28}{'size KB':>9}{'seconds':>9}{'peak MB':>9}{'growth MB':>11}  found")
    for shape in SHAPES:
        for path in PATHS:
            if path == PATHS[2] and shape == SHAPES[2] and not args.naive_everywhere:
                print(f"{shape:<28}{path:<28} skipped (about 100 s and 4 GB; --naive-everywhere runs it)")
                continue
            run = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--rows",
                    str(args.rows),
                    "--columns",
                    str(args.columns),
                    "--path",
                    path,
                    "--shape",
                    shape,
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if run.returncode:
                print(f"{shape:<28}{path:<28} failed: {run.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(run.stdout.strip().splitlines()[-1])
            print(
                f"{shape:<28}{path:<28}{r['bytes'] / 1024:>9.0f}{r['seconds']:>9.2f}{r['peak']:>9.0f}"
                f"{r['growth']:>11.0f}  {r['found']}"
            )


if __name__ == "__main__":
    main()
