"""CSV import benchmark: a 100,000-row CSV imported into a list through the real upload service (parse, row
checks, person/affiliation upserts, members, in batches of CSV_BATCH_SIZE), next to a per-row ORM baseline
and the floor (the same persons, affiliations and members written again by staged binary COPY and one
INSERT per table, in batches of the same size), all measured in the same run.

    .venv/bin/python bench/csv_import.py [--rows 100000] [--baseline 2000]

Goals: ≤ 1.3x the floor at the same batch size, ≥ 20x the baseline per row, flat memory.
"""

import argparse
import io
from unittest import mock

from _report import Floor, all_cores_run, measure, report
from _setup import setup_django, truncate

FIRST = ["Anna", "Ben", "Elif", "José", "Nora", "Jürgen", "Ayşe", "Kenji"]
LAST = ["Müller", "Yılmaz", "García", "Smith", "Rossi", "Dubois"]
COUNTRIES = ["Germany", "Türkiye", "Spain", "DE", "France", "Italy"]


def make_csv(rows, offset=0):
    lines = ["Email;Full Name;Company;Job Title;Country;Phone;Website"]
    for n in range(offset, offset + rows):
        lines.append(
            f"contact{n}@exhibitor{n % 20000}.test;{FIRST[n % 8]} {LAST[n % 6]};Exhibitor {n % 20000} GmbH;"
            f"Sales Manager;{COUNTRIES[n % 6]};+49 30 {n:07d};https://exhibitor{n % 20000}.test"
        )
    return ("\n".join(lines) + "\n").encode()


class Upload(io.BytesIO):
    def __init__(self, data, name):
        super().__init__(data)
        self.size, self.name = len(data), name


def naive_import(organizer, target, data):
    """Per row: look the person up, create or fill it, the same for the affiliation, then the member."""
    from legacy.models import ListMember
    from mining.normalize.countries import to_iso2
    from persons.models import Affiliation, Person

    for line in data.decode().splitlines()[1:]:
        email, name, company, title, country, phone, website = line.split(";")
        first, _, last = name.partition(" ")
        person, _ = Person.objects.get_or_create(
            organizer=organizer, email=email.lower(), defaults={"first_name": first, "last_name": last}
        )
        Affiliation.objects.get_or_create(
            organizer=organizer,
            person=person,
            company_name=company,
            defaults={
                "position": title,
                "country_code": to_iso2(country),
                "phone": phone,
                "website": website,
                "source_type": "import",
            },
        )
        ListMember.objects.get_or_create(organizer=organizer, list=target, person=person)


def reset(organizer_id, keep_list=None):
    """The organizer without persons, members or lists (but `keep_list`, which the floor writes into)."""
    from liffy import sql

    sql.execute("DELETE FROM list_members WHERE organizer_id = %s", [organizer_id])
    sql.execute("DELETE FROM list_uploads WHERE organizer_id = %s", [organizer_id])
    sql.execute("DELETE FROM lists WHERE organizer_id = %s AND id IS DISTINCT FROM %s", [organizer_id, keep_list])
    sql.execute("DELETE FROM affiliations WHERE organizer_id = %s", [organizer_id])
    sql.execute("DELETE FROM persons WHERE organizer_id = %s", [organizer_id])
    sql.execute("VACUUM ANALYZE persons, affiliations, list_members")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import transaction

    from legacy.csv_import import run_csv_import, start_csv_import
    from legacy.models import List
    from liffy.models import Organizer

    settings.CSV_INLINE_ROWS = args.rows + 1  # the service's import, in this process
    settings.UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # 100,000 realistic rows are ~13 MB
    truncate("organizers")
    organizer = Organizer.objects.create(name="Bench CSV")
    data = make_csv(args.rows)
    print(f"file: {len(data) / 1e6:.1f} MB, {args.rows:,} rows, batches of {settings.CSV_BATCH_SIZE}")

    def run(workers=1):
        if workers == 1:  # the upload service imports in the request
            target, progress, _ = start_csv_import(organizer, None, Upload(data, "bench.csv"))
        else:  # the stored upload, as the background task gets it, over `workers` processes
            settings.CSV_INLINE_ROWS = 0
            with mock.patch("legacy.tasks.import_csv_task.delay") as queued:
                target, _, _ = start_csv_import(organizer, None, Upload(data, "bench.csv"))
            settings.CSV_INLINE_ROWS = args.rows + 1
            progress = run_csv_import(*queued.call_args.args, workers=workers)
        return target.pk, {key: progress[key] for key in ("imported", "skipped", "duplicates", "members_added")}

    real = measure("upload-csv service (1 process)", args.rows, run, lambda: reset(organizer.pk))
    target, counts = real.result
    print(counts)
    floor = Floor(
        {table: "organizer_id = %(organizer)s" for table in ("persons", "affiliations", "list_members")},
        links={"affiliations": "person_id", "list_members": "person_id"},
    )
    print("final rows:", floor.capture({"organizer": organizer.pk}))
    batches = -(-args.rows // settings.CSV_BATCH_SIZE)
    least = measure(
        f"floor: staged COPY + 1 INSERT per table, {batches} batches",
        args.rows,
        lambda: floor.write(batches),
        lambda: reset(organizer.pk, keep_list=target),
    )
    cores = all_cores_run("stored upload, all cores", args.rows, run, lambda: reset(organizer.pk))

    naive_list = List.objects.create(organizer=organizer, name="naive")
    sample = make_csv(args.baseline, offset=10_000_000)

    def naive_run():
        with transaction.atomic():
            naive_import(organizer, naive_list, sample)

    baseline = measure(
        "per-row ORM baseline", args.baseline, naive_run, lambda: reset(organizer.pk, keep_list=naive_list.pk)
    )
    report(f"CSV import of {args.rows:,} rows", real, least, baseline, all_cores=cores, floor_goal=1.3)
    truncate("organizers")


if __name__ == "__main__":
    main()
