"""backfill_persons benchmark: 200,000 stored mining results turned into persons + affiliations by the real
command code (one worker, then one per core), next to a naive per-row ORM baseline and the floor (the same
persons and affiliations written again by staged binary COPY and one INSERT per table and batch), all
measured in the same run.

    .venv/bin/python bench/backfill_persons.py [--results 200000] [--baseline 3000] [--batch-size 5000]

Goals: ≥ 20x the baseline per row, all cores ≤ 0.8x the single-process floor, peak memory flat in --results.
"""

import argparse
import os

from _report import Floor, all_cores_run, measure, report
from _setup import peak_rss_mb, setup_django, truncate

GENERATE = """
INSERT INTO mining_results (id, job_id, organizer_id, source_url, company_name, contact_name, job_title,
                            phone, country, city, website, emails, confidence_score, status, created_at, updated_at)
SELECT gen_random_uuid(), %(job)s, %(organizer)s,
       'https://fair.test/exhibitors?page=' || (n / 40),
       CASE WHEN n %% 6 = 0 THEN NULL ELSE 'Exhibitor ' || (n %% 40000)
            || (ARRAY[' GmbH',' Ltd',' A.Ş.',' S.L.',' Inc'])[1 + n %% 5] END,
       CASE WHEN n %% 4 = 0 THEN NULL ELSE
            (ARRAY['Dr. ','','Mr ','','Frau ',''])[1 + n %% 6]
            || (ARRAY['Anna','Ben','Clara','Elif','Hakan','José Luis','Marco','Nora','Yusuf','Zoë'])[1 + n %% 10] || ' '
            || (ARRAY['Müller','Yılmaz','García','van der Berg',
                      'Rossi','Dubois','Öztürk','Smith'])[1 + (n / 10) %% 8] END,
       (ARRAY['CEO','Sales Manager','Head of Marketing','Geschäftsführer',NULL,NULL])[1 + n %% 6],
       CASE WHEN n %% 3 = 0 THEN '+49 30 ' || n ELSE NULL END,
       (ARRAY['Germany','Deutschland','TR','Türkiye','Spain','ES','Italia','United Kingdom',NULL,
              'Narnia'])[1 + n %% 10],
       (ARRAY['Berlin','Istanbul','Madrid',NULL])[1 + n %% 4],
       'https://exhibitor' || (n %% 40000) || '.test',
       CASE WHEN n %% 20 = 0 THEN NULL ELSE ARRAY['contact' || n || '@exhibitor' || (n %% 40000) || '.test'] END,
       round((random())::numeric, 2), 'new', now(), now()
FROM generate_series(%(start)s, %(stop)s) AS n
"""


def generate(job, count, start=0):
    from django.db import connection

    with connection.cursor() as cursor:
        for chunk in range(start, start + count, 100_000):
            cursor.execute(
                GENERATE,
                {
                    "job": job.pk,
                    "organizer": job.organizer_id,
                    "start": chunk,
                    "stop": min(chunk + 100_000, start + count) - 1,
                },
            )


def naive_backfill(results):
    """One query (or more) per result: parse, get_or_create the person, look up and write the affiliation."""
    from mining.normalize.countries import to_iso2
    from mining.normalize.names import parse_name
    from persons.models import Affiliation, Person

    for result in results:
        if not result.emails:
            continue
        first, last = parse_name(result.contact_name, allow_single=True)
        person, _created = Person.objects.get_or_create(
            organizer_id=result.organizer_id,
            email=result.emails[0].lower(),
            defaults={"first_name": first, "last_name": last},
        )
        affiliation = (
            Affiliation.objects.filter(person=person, company_name__iexact=result.company_name).first()
            if result.company_name
            else None
        )
        if affiliation is None:
            Affiliation.objects.create(
                organizer_id=result.organizer_id,
                person=person,
                company_name=result.company_name,
                position=result.job_title,
                country_code=to_iso2(result.country),
                source_type="backfill",
            )


def reset(organizer_id):
    from liffy import sql

    sql.execute("DELETE FROM affiliations WHERE organizer_id = %s", [organizer_id])
    sql.execute("DELETE FROM persons WHERE organizer_id = %s", [organizer_id])
    sql.execute("VACUUM ANALYZE persons, affiliations")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=3_000)
    parser.add_argument("--batch-size", type=int, default=5_000)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    from liffy import sql
    from liffy.models import Organizer
    from mining.backfill import backfill_persons
    from mining.models import MiningJob, MiningResult

    truncate("persons", "mining_results", "mining_jobs", "organizers")
    organizer, naive_organizer = Organizer.objects.create(name="Bench"), Organizer.objects.create(name="Naive")
    job = MiningJob.objects.create(organizer=organizer, type="url", input="https://fair.test")
    naive_job = MiningJob.objects.create(organizer=naive_organizer, type="url", input="https://fair.test")
    generate(job, args.results)
    generate(naive_job, args.baseline)
    sql.execute("ANALYZE mining_results")  # as autovacuum would have by now
    print(f"generated {args.results:,} + {args.baseline:,} mining results; RSS so far {peak_rss_mb():.0f} MB")

    def real_run(workers=1):
        report = backfill_persons(organizer_id=organizer.pk, batch_size=args.batch_size, workers=workers)
        return {k: v for k, v in report.as_dict().items() if k != "errors"}

    real = measure("backfill_persons (1 process)", args.results, real_run, lambda: reset(organizer.pk))
    print("report:", real.result)
    cores = all_cores_run("backfill_persons, all cores", args.results, real_run, lambda: reset(organizer.pk))
    floor = Floor(
        {"persons": "organizer_id = %(organizer)s", "affiliations": "organizer_id = %(organizer)s"},
        links={"affiliations": "person_id"},
    )
    print("final rows:", floor.capture({"organizer": organizer.pk}))
    batches = -(-args.results // args.batch_size)
    least = measure(
        f"floor: staged COPY + 1 INSERT per table, {batches} batches",
        args.results,
        lambda: floor.write(batches),
        lambda: reset(organizer.pk),
    )

    def naive_run():
        with transaction.atomic():
            naive_backfill(MiningResult.objects.filter(job=naive_job).iterator(chunk_size=1000))

    baseline = measure("per-row ORM baseline", args.baseline, naive_run, lambda: reset(naive_organizer.pk))
    report(f"backfill_persons over {args.results:,} mining results", real, least, baseline, all_cores=cores)


def cleanup():
    """Leave no benchmark rows behind on the shared embedded server."""
    truncate("persons", "mining_results", "mining_jobs", "organizers")


if __name__ == "__main__":
    os.environ.setdefault("AGGREGATION_PERSIST", "true")
    main()
    cleanup()
