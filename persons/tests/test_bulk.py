"""upsert_candidates writes the same rows whether a batch reaches the database staged by COPY or as arrays."""

from decimal import Decimal

import pytest

from liffy.tests.factories import OrganizerFactory
from mining.tests.factories import MiningJobFactory
from persons import bulk
from persons.candidates import AffiliationData, Candidate
from persons.models import Affiliation, Person
from persons.tests.factories import AffiliationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["staged", "arrays"])
def staging(request, monkeypatch):
    monkeypatch.setattr(bulk, "STAGE_FROM", 0 if request.param == "staged" else 10**9)


def candidate(email, first=None, last=None, meta=None, **affiliation):
    return Candidate(
        email, first, last, [AffiliationData(**affiliation)], meta or {"source_url": "https://fair.test/a"}
    )


def snapshot(organizer):
    persons = sorted(Person.objects.filter(organizer=organizer).values_list("email", "first_name", "last_name"))
    affiliations = sorted(
        Affiliation.objects.filter(organizer=organizer).values_list(
            "person__email", "company_name", "position", "country_code", "website", "confidence", "raw", "mining_job_id"
        ),
        key=str,
    )
    return persons, affiliations


def test_new_known_and_repeated_rows(staging):
    organizer = OrganizerFactory()
    job = MiningJobFactory(organizer=organizer)
    known = PersonFactory(organizer=organizer, email="known@acme.test", first_name="", last_name="Known")
    AffiliationFactory(person=known, company_name="Acme GmbH", position="", country_code=None, confidence=None)
    meta = {"source_url": "https://fair.test/b", "miner_name": "html", "mining_job_id": str(job.pk)}
    counters = bulk.upsert_candidates(
        organizer.pk,
        [
            candidate(
                "New@Acme.test", "Ada", "Lovelace", meta, company_name="Acme GmbH", position="CEO", confidence=0.9
            ),
            candidate("known@acme.test", "Kim", "Other", company_name="ACME GMBH", position="CTO", country_code="DE"),
            candidate("known@acme.test", company_name=None, position="Advisor", website="https://acme.test"),
            candidate("quiet@acme.test"),
        ],
        source_type="mining",
    )

    assert counters.as_dict() == {
        "persons_created": 2,
        "persons_updated": 1,
        "affiliations_created": 2,
        "affiliations_enriched": 1,
    }
    persons, affiliations = snapshot(organizer)
    assert persons == [
        ("known@acme.test", "Kim", "Known"),
        ("new@acme.test", "Ada", "Lovelace"),
        ("quiet@acme.test", None, None),
    ]
    new = next(a for a in affiliations if a[0] == "new@acme.test")
    assert new[1:6] == ("Acme GmbH", "CEO", None, None, Decimal("0.90"))
    assert new[6] == {
        "extraction_meta": {"source_url": "https://fair.test/b", "miner_name": "html", "mining_job_id": str(job.pk)}
    }
    assert new[7] == job.pk
    known_rows = sorted(((a[1], a[2], a[3], a[4]) for a in affiliations if a[0] == "known@acme.test"), key=str)
    assert known_rows == [("Acme GmbH", "CTO", "DE", None), (None, "Advisor", None, "https://acme.test")]

    again = bulk.upsert_candidates(
        organizer.pk,
        [
            candidate("known@acme.test", company_name=None, position="Advisor", website="https://acme.test"),
            candidate("new@acme.test", "Ada", "Lovelace", company_name="acme gmbh", position="CEO", confidence=0.5),
        ],
        source_type="mining",
    )
    assert again.as_dict() == {
        "persons_created": 0,
        "persons_updated": 0,
        "affiliations_created": 0,
        "affiliations_enriched": 0,
    }
    assert snapshot(organizer) == (persons, affiliations)


def test_two_batches_in_one_transaction_each_write_their_own_rows(staging):
    organizer = OrganizerFactory()
    bulk.upsert_candidates(organizer.pk, [candidate("a@acme.test", company_name="A AG")], source_type="import")
    bulk.upsert_candidates(organizer.pk, [candidate("b@acme.test", company_name="B AG")], source_type="import")

    assert snapshot(organizer)[0] == [("a@acme.test", None, None), ("b@acme.test", None, None)]
    assert sorted(Affiliation.objects.values_list("person__email", "company_name")) == [
        ("a@acme.test", "A AG"),
        ("b@acme.test", "B AG"),
    ]
