"""Aggregation benchmark: 50,000 candidates (half already known) through the real aggregation trigger, next
to a naive per-row ORM baseline and the floor (the new persons and affiliations written again by staged
binary COPY and one INSERT per table and batch), all measured in the same run.

Two cases for the known half: seen again with the same data (nothing to write for them: the real path
the ratios are about), and seen again with more data than stored (every one enriched: the most expensive
case, shown for context).

    .venv/bin/python bench/aggregation.py [--candidates 50000] [--baseline 2000]

Goals: ≤ 1.3x the floor and ≥ 20x the baseline per row.
"""

import argparse
import os
import random

from _report import Floor, all_cores_run, measure, report
from _setup import setup_django, truncate

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Felix",
    "Greta",
    "Hakan",
    "Ines",
    "Jonas",
    "Kerem",
    "Lena",
    "Marco",
    "Nora",
    "Oskar",
    "Paula",
    "Rui",
    "Sofia",
    "Tom",
    "Yusuf",
]
LAST = [
    "Müller",
    "Schmidt",
    "Yılmaz",
    "García",
    "Rossi",
    "Dubois",
    "Novak",
    "Berg",
    "Kaya",
    "Smith",
    "Jansen",
    "Costa",
    "Weber",
    "Nowak",
    "Öztürk",
    "Fischer",
]
COUNTRIES = ["DE", "TR", "ES", "IT", "FR", "CZ", "SE", "GB", "NL", "PL", None]
TITLES = ["CEO", "Sales Manager", "Head of Marketing", "Geschäftsführer", "Satış Müdürü", None, None]


def make_candidates(count, seed, sparse=False):
    """Realistic candidates; `sparse` ones lack the last name and position and are less confident, so that
    meeting them again enriches them (the expensive case)."""
    from persons.candidates import AffiliationData, Candidate

    rng = random.Random(seed)
    candidates = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"Exhibitor {n % 7000} GmbH" if n % 5 else None
        position, confidence = rng.choice(TITLES), round(rng.random(), 2)
        candidates.append(
            Candidate(
                email=f"{first.lower()}.{n}@exhibitor{n % 7000}.de",
                first_name=first if n % 3 else None,
                last_name=None if sparse else last,
                affiliations=[
                    AffiliationData(
                        company_name=company,
                        position=None if sparse else position,
                        country_code=rng.choice(COUNTRIES),
                        website=f"https://exhibitor{n % 7000}.de",
                        confidence=confidence / 2 if sparse else confidence,
                    )
                ],
                extraction_meta={"miner_name": "bench", "source_url": f"https://fair.test/list?page={n // 50}"},
            )
        )
    return candidates


def naive_aggregate(organizer, candidates):
    """What the trigger would be with one ORM round trip per row: get_or_create and save."""
    from persons.models import Affiliation, Person

    for candidate in candidates:
        person, created = Person.objects.get_or_create(
            organizer=organizer,
            email=candidate.email,
            defaults={"first_name": candidate.first_name, "last_name": candidate.last_name},
        )
        if not created and (not person.first_name or not person.last_name):
            person.first_name = person.first_name or candidate.first_name
            person.last_name = person.last_name or candidate.last_name
            person.save()
        for data in candidate.affiliations:
            affiliation = (
                Affiliation.objects.filter(
                    organizer=organizer, person=person, company_name__iexact=data.company_name
                ).first()
                if data.company_name
                else None
            )
            if affiliation is None:
                Affiliation.objects.create(
                    organizer=organizer,
                    person=person,
                    company_name=data.company_name,
                    position=data.position,
                    country_code=data.country_code,
                    website=data.website,
                    confidence=data.confidence,
                    source_type="mining",
                )
            else:
                affiliation.position = affiliation.position or data.position
                affiliation.save()


def reset(organizer_id, known=()):
    """The organizer with only its known candidates (written outside the clock)."""
    from django.db import transaction

    from liffy import sql
    from persons.bulk import upsert_candidates

    sql.execute("DELETE FROM affiliations WHERE organizer_id = %s", [organizer_id])
    sql.execute("DELETE FROM persons WHERE organizer_id = %s", [organizer_id])
    sql.execute("VACUUM ANALYZE persons, affiliations")
    if known:
        with transaction.atomic():
            upsert_candidates(organizer_id, known, source_type="mining")
    return sql.fetch_value("SELECT clock_timestamp()")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=50_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    args = parser.parse_args()
    setup_django()
    os.environ["AGGREGATION_PERSIST"] = "true"
    from django.db import transaction

    from liffy.models import Organizer
    from mining.aggregation import BATCH_SIZE, aggregate

    truncate("persons", "organizers")
    organizer = Organizer.objects.create(name="Bench")
    candidates = make_candidates(args.candidates, seed=1)
    known = make_candidates(args.candidates // 2, seed=1)
    sparse = make_candidates(args.candidates // 2, seed=1, sparse=True)
    seeded = {}

    def reset_known():
        seeded["at"] = reset(organizer.pk, known)

    def run(workers=1):
        counters = aggregate(organizer.pk, candidates, workers=workers)
        assert counters["errors"] == [] and counters["persons_created"] == len(candidates) - len(known), counters
        return {k: v for k, v in counters.items() if k not in ("person_ids", "errors")}

    real = measure("aggregate, known re-seen", len(candidates), run, reset_known)
    print("counters:", real.result)
    floor = Floor(
        {
            "persons": "organizer_id = %(organizer)s AND created_at > %(since)s",
            "affiliations": "organizer_id = %(organizer)s AND created_at > %(since)s",
        },
        links={"affiliations": "person_id"},
    )
    print("final rows:", floor.capture({"organizer": organizer.pk, "since": seeded["at"]}))
    cores = all_cores_run("aggregate, known re-seen, all cores", len(candidates), run, reset_known)
    enriched = measure("aggregate, known enriched (context)", len(candidates), run, lambda: reset(organizer.pk, sparse))
    batches = -(-len(candidates) // BATCH_SIZE)
    least = measure(
        f"floor: staged COPY + 1 INSERT per table, {batches} batches",
        len(candidates),
        lambda: floor.write(batches),
        reset_known,
    )

    naive_org = Organizer.objects.create(name="Bench naive")
    sample = make_candidates(args.baseline, seed=1)

    def naive_run():
        with transaction.atomic():
            naive_aggregate(naive_org, sample)

    def naive_reset():
        reset(naive_org.pk)
        with transaction.atomic():
            naive_aggregate(naive_org, make_candidates(args.baseline // 2, seed=1, sparse=True))

    baseline = measure("per-row ORM baseline", len(sample), naive_run, naive_reset)
    report(
        f"Aggregation of {args.candidates:,} candidates, half already known",
        real,
        least,
        baseline,
        all_cores=cores,
        context=(enriched,),
        floor_goal=1.3,
    )


def cleanup():
    """Leave no benchmark rows behind on the shared embedded server."""
    truncate("persons", "organizers")


if __name__ == "__main__":
    main()
    cleanup()
