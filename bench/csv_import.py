"""CSV import benchmark: a 100,000-row CSV imported into a list through the real upload service
(parse, row checks, person/affiliation upserts, members, in batches), next to a per-row ORM baseline.

    .venv/bin/python bench/csv_import.py [--rows 100000] [--baseline 3000]

Target: at least 5,000 rows/s with flat memory.
"""
import argparse
import io

from _setup import measured, report, setup_django, truncate

FIRST = ["Anna", "Ben", "Elif", "José", "Nora", "Jürgen", "Ayşe", "Kenji"]
LAST = ["Müller", "Yılmaz", "García", "Smith", "Rossi", "Dubois"]
COUNTRIES = ["Germany", "Türkiye", "Spain", "DE", "France", "Italy"]


def make_csv(rows, offset=0):
    lines = ["Email;Full Name;Company;Job Title;Country;Phone;Website"]
    for n in range(offset, offset + rows):
        lines.append(f"contact{n}@exhibitor{n % 20000}.test;{FIRST[n % 8]} {LAST[n % 6]};Exhibitor {n % 20000} GmbH;"
                     f"Sales Manager;{COUNTRIES[n % 6]};+49 30 {n:07d};https://exhibitor{n % 20000}.test")
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
        person, _ = Person.objects.get_or_create(organizer=organizer, email=email.lower(),
                                                 defaults={"first_name": first, "last_name": last})
        Affiliation.objects.get_or_create(organizer=organizer, person=person, company_name=company, defaults={
            "position": title, "country_code": to_iso2(country), "phone": phone, "website": website,
            "source_type": "import"})
        ListMember.objects.get_or_create(organizer=organizer, list=target, person=person)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=3_000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import transaction

    from legacy.csv_import import start_csv_import
    from legacy.models import List
    from liffy.models import Organizer

    settings.CSV_INLINE_ROWS = args.rows + 1  # the service's import, in this process
    settings.UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # 100,000 realistic rows are ~13 MB
    truncate("organizers")
    organizer = Organizer.objects.create(name="Bench CSV")
    data = make_csv(args.rows)
    print(f"file: {len(data) / 1e6:.1f} MB, {args.rows:,} rows")
    results = {}
    with measured("upload-csv service", args.rows, results):
        _target, progress, _ = start_csv_import(organizer, None, Upload(data, "bench.csv"))
    print({key: progress[key] for key in ("imported", "skipped", "duplicates", "persons_upserted", "members_added")})
    naive_list = List.objects.create(organizer=organizer, name="naive")
    with measured("per-row ORM baseline", args.baseline, results), transaction.atomic():
        naive_import(organizer, naive_list, make_csv(args.baseline, offset=10_000_000))
    report(f"CSV import of {args.rows:,} rows", results, "upload-csv service", "per-row ORM baseline")
    rate = results["upload-csv service"]["rows_per_s"]
    print(f"target: 5,000 rows/s — {rate:,.0f} /s, {'met' if rate >= 5000 else 'NOT met'}")
    truncate("organizers")


if __name__ == "__main__":
    main()
