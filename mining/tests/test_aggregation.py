"""The aggregation trigger: flags, merge rules, counters, error isolation and concurrent runs."""

from decimal import Decimal

import pytest

from liffy.testing import at_once
from liffy.tests.factories import OrganizerFactory
from mining.aggregation import aggregate
from mining.models import MiningJobLog
from mining.tests.factories import MiningJobFactory
from persons.candidates import AffiliationData, Candidate
from persons.models import Affiliation, Person
from persons.tests.factories import AffiliationFactory, PersonFactory


@pytest.fixture
def persist(monkeypatch):
    monkeypatch.setenv("AGGREGATION_PERSIST", "true")
    monkeypatch.delenv("DISABLE_SHADOW_MODE", raising=False)


def candidate(email, first=None, last=None, **affiliation):
    return Candidate(email, first, last, [AffiliationData(**affiliation)], {"source_url": "https://fair.test/a"})


@pytest.mark.django_db
def test_disabled_does_nothing(monkeypatch, organizer):
    monkeypatch.setenv("DISABLE_SHADOW_MODE", "true")
    monkeypatch.setenv("AGGREGATION_PERSIST", "true")
    job = MiningJobFactory(organizer=organizer)
    assert aggregate(organizer.pk, [candidate("a@acme.de")], job=job) == {"mode": "disabled", "candidates": 1}
    assert not Person.objects.exists() and not MiningJobLog.objects.filter(job=job).exists()


@pytest.mark.django_db
def test_shadow_mode_is_the_default_and_writes_nothing_but_the_log(monkeypatch, organizer):
    monkeypatch.delenv("AGGREGATION_PERSIST", raising=False)
    job = MiningJobFactory(organizer=organizer)
    result = aggregate(organizer.pk, [candidate(f"p{i}@acme.de") for i in range(12)], job=job)
    assert result["mode"] == "shadow" and result["candidates"] == 12 and result["persons_created"] == 0
    assert not Person.objects.exists()
    log = MiningJobLog.objects.get(job=job)
    assert len(log.details["logged"]) == 3  # more than 10: a sample of 3


@pytest.mark.django_db
def test_shadow_verbose_logs_every_candidate(monkeypatch, organizer):
    monkeypatch.delenv("AGGREGATION_PERSIST", raising=False)
    monkeypatch.setenv("SHADOW_MODE_VERBOSE", "1")
    job = MiningJobFactory(organizer=organizer)
    aggregate(organizer.pk, [candidate(f"p{i}@acme.de") for i in range(12)], job=job)
    assert len(MiningJobLog.objects.get(job=job).details["logged"]) == 12


@pytest.mark.django_db
def test_persist_creates_persons_and_affiliations_with_source(persist, organizer):
    job = MiningJobFactory(organizer=organizer)
    result = aggregate(
        organizer.pk,
        [
            candidate("Jane@Acme.de", "Jane", "Doe", company_name="Acme GmbH", position="CEO", confidence=0.7),
            candidate("info@acme.de", company_name="Acme GmbH"),
        ],
        job=job,
    )
    assert {
        k: result[k] for k in ("persons_created", "persons_updated", "affiliations_created", "affiliations_enriched")
    } == {"persons_created": 2, "persons_updated": 0, "affiliations_created": 2, "affiliations_enriched": 0}
    jane = Person.objects.get(organizer=organizer, email="jane@acme.de")
    affiliation = jane.affiliations.get()
    assert (affiliation.source_type, affiliation.source_ref, affiliation.mining_job_id) == (
        "mining",
        "https://fair.test/a",
        job.pk,
    )
    assert affiliation.confidence == Decimal("0.70")
    assert MiningJobLog.objects.filter(job=job, message="Aggregation finished", level="success").exists()


@pytest.mark.django_db
def test_known_data_is_never_replaced_only_blanks_are_filled(persist, organizer):
    person = PersonFactory(organizer=organizer, email="jane@acme.de", first_name="Janet", last_name=None)
    AffiliationFactory(
        person=person,
        organizer=organizer,
        company_name="Acme GmbH",
        position="CEO",
        country_code=None,
        confidence=Decimal("0.90"),
    )
    result = aggregate(
        organizer.pk,
        [
            candidate(
                "JANE@acme.de",
                "Jane",
                "Doe",
                company_name="ACME GMBH",
                position="Intern",
                country_code="DE",
                confidence=0.4,
            ),
        ],
    )
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Janet", "Doe")
    affiliation = person.affiliations.get()
    assert (affiliation.company_name, affiliation.position, affiliation.country_code) == ("Acme GmbH", "CEO", "DE")
    assert affiliation.confidence == Decimal("0.90")
    assert (result["persons_updated"], result["affiliations_enriched"], result["affiliations_created"]) == (1, 1, 0)


@pytest.mark.django_db
def test_greater_confidence_wins(persist, organizer):
    aggregate(organizer.pk, [candidate("a@acme.de", company_name="Acme", confidence=0.3)])
    result = aggregate(organizer.pk, [candidate("a@acme.de", company_name="Acme", confidence=0.8)])
    assert Affiliation.objects.get().confidence == Decimal("0.80")
    assert result["affiliations_enriched"] == 1


@pytest.mark.django_db
def test_rerun_adds_nothing_including_companyless_affiliations(persist, organizer):
    batch = [
        candidate("a@acme.de", "Ann", "Lee", position="Buyer", country_code="DE"),
        candidate("b@acme.de", company_name="Acme", website="https://acme.de"),
    ]
    aggregate(organizer.pk, batch)
    again = aggregate(organizer.pk, batch)
    assert Person.objects.count() == 2 and Affiliation.objects.count() == 2
    assert (
        again["persons_created"],
        again["persons_updated"],
        again["affiliations_created"],
        again["affiliations_enriched"],
    ) == (0, 0, 0, 0)


@pytest.mark.django_db
def test_new_company_adds_an_affiliation_and_organizers_stay_apart(persist, organizer, other_organizer):
    aggregate(organizer.pk, [candidate("a@acme.de", company_name="Acme")])
    aggregate(organizer.pk, [candidate("a@acme.de", company_name="Globex")])
    aggregate(other_organizer.pk, [candidate("a@acme.de", company_name="Acme")])
    assert Person.objects.filter(email="a@acme.de").count() == 2
    assert set(Affiliation.objects.filter(organizer=organizer).values_list("company_name", flat=True)) == {
        "Acme",
        "Globex",
    }


@pytest.mark.django_db
def test_a_failing_batch_is_reported_and_the_others_are_written(persist, organizer):
    job = MiningJobFactory(organizer=organizer)
    bad = candidate("bad@acme.de", company_name="Acme", country_code="DEU")  # too long for the column
    result = aggregate(organizer.pk, [candidate("good@acme.de"), bad, candidate("fine@acme.de")], job=job, batch_size=1)
    assert len(result["errors"]) == 1 and "batch 2" in result["errors"][0]
    assert set(Person.objects.values_list("email", flat=True)) == {"good@acme.de", "fine@acme.de"}
    assert MiningJobLog.objects.filter(job=job, level="error").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_aggregations_make_no_duplicates_and_lose_no_enrichment(persist):
    organizer = OrganizerFactory()
    shared = [f"shared{i}@fair.test" for i in range(300)]
    first = [candidate(email, "First", None, company_name="Acme", position="Buyer") for email in shared] + [
        candidate(f"only1-{i}@fair.test", position="Owner") for i in range(100)
    ]
    second = [
        candidate(email, None, "Second", company_name="ACME", country_code="DE", confidence=0.9)
        for email in reversed(shared)
    ] + [candidate(email, position="Owner") for email in shared[:50]]
    at_once(
        lambda: aggregate(organizer.pk, first, batch_size=100), lambda: aggregate(organizer.pk, second, batch_size=100)
    )

    assert Person.objects.filter(organizer=organizer).count() == 400
    persons = Person.objects.filter(organizer=organizer, email__in=shared)
    assert set(persons.values_list("first_name", "last_name")) == {("First", "Second")}
    acme = Affiliation.objects.filter(organizer=organizer, company_name__iexact="acme")
    assert acme.count() == 300
    assert set(acme.values_list("position", "country_code", "confidence")) == {("Buyer", "DE", Decimal("0.90"))}
    assert Affiliation.objects.filter(organizer=organizer, company_name__isnull=True, position="Owner").count() == 150


@pytest.mark.django_db(transaction=True)
def test_worker_processes_write_what_one_process_writes(persist):
    def run(workers):
        organizer = OrganizerFactory()
        candidates = [
            candidate(
                f"p{i % 30}@fair.test",
                f"Pat{i}",
                None,
                company_name=f"Firm {i % 4}",
                position="Buyer" if i % 2 else None,
            )
            for i in range(60)
        ]
        result = aggregate(organizer.pk, candidates, batch_size=100, workers=workers)
        rows = sorted(
            Affiliation.objects.filter(organizer=organizer).values_list(
                "person__email", "person__first_name", "company_name", "position"
            ),
            key=str,
        )
        return {key: value for key, value in result.items() if key != "person_ids"}, sorted(result["person_ids"]), rows

    one = run(1)
    assert one[0]["persons_created"] == 30 and not one[0]["errors"]
    assert run(2) == one
