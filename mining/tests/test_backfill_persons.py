"""manage.py backfill_persons: report, idempotency, dry run, filters, resuming after a kill."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from liffy.backfills import batch_range
from liffy.parallel import key_ranges
from mining.backfill import backfill_batch, backfill_persons
from mining.tests.factories import MiningJobFactory, MiningResultFactory
from persons.models import Affiliation, Person

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("backfill_persons", *args, stdout=out)
    text = out.getvalue()
    return json.loads(text[: text.rindex("}") + 1])


@pytest.fixture
def results(organizer, other_organizer):
    job = MiningJobFactory(organizer=organizer)
    MiningResultFactory(
        job=job,
        emails=["jane.doe@acme.de"],
        contact_name="Dr. Jane Doe",
        company_name="Acme GmbH",
        country="Deutschland",
        job_title="CEO",
    )
    MiningResultFactory(job=job, emails=["JANE.DOE@acme.de"], company_name="Acme GmbH", city="Berlin")
    MiningResultFactory(job=job, emails=["info@globex.ch", "sales@globex.ch"], company_name="Globex AG", country="CH")
    MiningResultFactory(job=job, emails=[], company_name="No Mail Ltd")
    MiningResultFactory(job=job, emails=["noreply@acme.de"])
    other = MiningJobFactory(organizer=other_organizer)
    MiningResultFactory(job=other, emails=["jane.doe@acme.de"], company_name="Acme GmbH")
    return job, other


def test_backfill_creates_persons_and_affiliations_then_nothing(results, organizer):
    job, _ = results
    report = run()
    assert report == {
        "results_scanned": 6,
        "persons_created": 4,
        "persons_updated": 0,
        "affiliations_created": 4,
        "affiliations_enriched": 0,
        "skipped_no_email": 2,
        "errors": [],
    }
    jane = Person.objects.get(organizer=organizer, email="jane.doe@acme.de")
    assert (jane.first_name, jane.last_name) == ("Jane", "Doe")
    affiliation = jane.affiliations.get()
    assert (
        affiliation.country_code,
        affiliation.city,
        affiliation.position,
        affiliation.source_type,
        affiliation.mining_job_id,
    ) == ("DE", "Berlin", "CEO", "backfill", job.pk)
    assert set(Person.objects.filter(organizer=organizer).values_list("email", flat=True)) == {
        "jane.doe@acme.de",
        "info@globex.ch",
        "sales@globex.ch",
    }

    again = run()
    assert (
        again["persons_created"],
        again["affiliations_created"],
        again["persons_updated"],
        again["affiliations_enriched"],
    ) == (0, 0, 0, 0)


def test_dry_run_reports_the_same_and_writes_nothing(results):
    dry = run("--dry-run")
    assert not Person.objects.exists() and not Affiliation.objects.exists()
    assert dry == run()


def test_organizer_and_job_filters(results, other_organizer):
    _, other = results
    assert run("--organizer", str(other_organizer.pk))["persons_created"] == 1
    assert run("--job", str(other.pk))["persons_created"] == 0
    assert Person.objects.count() == 1


def test_killed_run_resumes_to_the_same_state(results):
    class Killed(Exception):
        pass

    def die_after_first_batch_that_wrote(count):
        # Result ids are random UUIDs, so the first batch may hold only results without an email.
        if Person.objects.exists():
            raise Killed

    with pytest.raises(Killed):
        backfill_persons(batch_size=2, progress=die_after_first_batch_that_wrote)
    assert 0 < Person.objects.count() < 4
    backfill_persons(batch_size=2)
    state = sorted(Affiliation.objects.values_list("person__email", "person__organizer", "company_name", "city"))
    Person.objects.all().delete()
    backfill_persons(batch_size=1000)
    assert (
        sorted(Affiliation.objects.values_list("person__email", "person__organizer", "company_name", "city")) == state
    )


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError, match="No organizer"):
        call_command("backfill_persons", "--organizer", "00000000-0000-0000-0000-000000000000", stdout=StringIO())
    with pytest.raises(CommandError, match="must be an id"):
        call_command("backfill_persons", "--job", "42", stdout=StringIO())
    with pytest.raises(CommandError, match="at least 1"):
        call_command("backfill_persons", "--batch-size", "0", stdout=StringIO())


def _state():
    persons = sorted(Person.objects.values_list("organizer_id", "email", "first_name", "last_name"))
    affiliations = sorted(
        Affiliation.objects.values_list(
            "person__email", "company_name", "country_code", "city", "position", "source_type"
        ),
        key=str,
    )
    return persons, affiliations


@pytest.fixture
def many_results(organizer, other_organizer):
    """Results of distinct addresses (the report then does not depend on where batches begin)."""
    for number in range(24):
        MiningResultFactory(
            job__organizer=organizer if number % 3 else other_organizer,
            emails=[] if number % 7 == 0 else [f"p{number}@firm{number}.test"],
            contact_name=f"Pat Doe{number}",
            country="Deutschland",
        )


@pytest.mark.django_db(transaction=True)
def test_worker_processes_and_celery_tasks_write_what_one_process_writes(many_results, settings):
    one = run("--workers", "1", "--batch-size", "3")
    state = _state()
    Person.objects.all().delete()
    assert len(key_ranges("mining_results", 2)) == 2
    assert run("--workers", "2", "--batch-size", "3") == one
    assert _state() == state
    assert run("--workers", "2")["persons_created"] == 0  # idempotent

    Person.objects.all().delete()  # parts as Celery tasks (run eagerly here) when a result backend is set
    settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND = "memory://", "cache+memory://"
    assert run("--workers", "3", "--batch-size", "2") == one
    assert _state() == state


@pytest.mark.django_db(transaction=True)
def test_a_parallel_run_killed_after_some_ranges_is_finished_by_running_again(many_results):
    run("--workers", "1")
    state = _state()
    Person.objects.all().delete()
    first, _second, _third = key_ranges("mining_results", 3)
    batch_range(first, lambda _count: None, batch=backfill_batch, batch_size=2)  # one range done, then killed
    assert 0 < Person.objects.count() < len(state[0])
    run("--workers", "2")
    assert _state() == state
