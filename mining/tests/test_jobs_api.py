"""Mining jobs through the API: create, run, logs, cancel, retry, stale recovery, results push, import-all."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from legacy.models import List, ListMember
from legacy.tests.factories import ListFactory
from mining import jobs
from mining.models import MiningJob, MiningJobLog, MiningResult
from mining.tests.factories import MiningJobFactory, MiningResultFactory
from persons.models import Affiliation, Person

pytestmark = pytest.mark.django_db
FAST = {"page_delay": 0, "timeout": 5}


@pytest.fixture(autouse=True)
def persist(monkeypatch):
    monkeypatch.setenv("AGGREGATION_PERSIST", "true")


def test_url_job_runs_to_completion_with_logs_results_and_persons(owner_client, organizer, site, run_on_commit):
    response = run_on_commit(
        owner_client, "/api/mining/jobs", {"url": site.url + "/home", "name": "Acme", "config": FAST}, format="json"
    )
    assert response.status_code == 201, response.content
    job = MiningJob.objects.get(pk=response.json()["id"])
    assert job.status == "completed" and job.organizer == organizer
    assert job.total_found == 6 and job.stats["results_stored"] == 6
    assert job.stats["aggregation"]["persons_created"] == 6
    assert MiningResult.objects.filter(job=job).count() == 6
    assert Person.objects.filter(organizer=organizer).count() == 6
    assert Affiliation.objects.filter(mining_job=job).exists()

    detail = owner_client.get(f"/api/mining/jobs/{job.pk}").json()
    messages = [log["message"] for log in detail["logs"]]
    assert messages[:2] == ["Job created", "Job started"] and "Job completed" in messages
    assert "Aggregation finished" in messages and "Page mined" in messages


def test_csv_upload_job_and_a_bad_file(owner_client, run_on_commit):
    good = SimpleUploadedFile("list.csv", b"Email,Company\njane@acme.de,Acme GmbH\n", content_type="text/csv")
    response = run_on_commit(owner_client, "/api/mining/jobs", {"file": good}, format="multipart")
    assert response.status_code == 201
    assert response.json()["type"] == "csv"
    assert MiningJob.objects.get(pk=response.json()["id"]).status == "completed"
    assert Person.objects.filter(email="jane@acme.de").exists()

    bad = SimpleUploadedFile("list.csv", b"Name,Company\nJane,Acme\n", content_type="text/csv")
    response = run_on_commit(owner_client, "/api/mining/jobs", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file"] == ['No email column found. Columns in the first row: "Name", "Company".']
    assert MiningJob.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "url"),
        ({"url": "ftp://x.test"}, "url"),
        ({"url": "https://x.test", "config": {"max_pages": 0}}, "config.max_pages"),
        ({"url": "https://x.test", "config": {"depth": 3}}, "config"),
        ({"url": "https://x.test", "config": "nope"}, "config"),
    ],
)
def test_create_rejects_bad_input(owner_client, body, field):
    response = owner_client.post("/api/mining/jobs", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not MiningJob.objects.exists()


def test_create_rejects_unsupported_and_oversized_files(owner_client, settings):
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4")
    assert "file" in owner_client.post("/api/mining/jobs", {"file": pdf}, format="multipart").json()
    settings.UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("x.csv", b"Email\n" + b"a@b.de\n" * 10)
    response = owner_client.post("/api/mining/jobs", {"file": big}, format="multipart")
    assert response.status_code == 413 and "larger than 10 bytes" in response.json()["detail"]


def test_cancel_and_retry(owner_client, organizer):
    job = MiningJobFactory(organizer=organizer, status="pending")
    assert owner_client.post(f"/api/mining/jobs/{job.pk}/cancel").json()["status"] == "cancelled"
    again = owner_client.post(f"/api/mining/jobs/{job.pk}/cancel")
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    completed = MiningJobFactory(organizer=organizer, status="completed")
    assert owner_client.post(f"/api/mining/jobs/{completed.pk}/retry").status_code == 409
    assert jobs.run_mining_job(job.pk) is None  # a cancelled job is never claimed


def test_retry_runs_a_failed_job_again_without_duplicating_results(owner_client, organizer, site, run_on_commit):
    job = MiningJobFactory(organizer=organizer, input=site.url + "/vcard", config=FAST, status="pending")
    jobs.run_mining_job(job.pk)
    MiningJob.objects.filter(pk=job.pk).update(status="failed", error="network down")
    response = run_on_commit(owner_client, f"/api/mining/jobs/{job.pk}/retry")
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == "completed" and job.error is None
    assert MiningResult.objects.filter(job=job).count() == 1
    assert jobs.run_mining_job(job.pk) is None  # idempotent: a finished job is left alone


def test_stale_running_jobs_are_failed_with_a_reason(organizer):
    stale = MiningJobFactory(organizer=organizer, status="running", started_at=timezone.now() - timedelta(hours=2))
    fresh = MiningJobFactory(organizer=organizer, status="running", started_at=timezone.now())
    assert jobs.fail_stale_jobs() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == "failed" and "Stopped responding" in stale.error
    assert fresh.status == "running"
    assert MiningJobLog.objects.filter(job=stale, level="error", message__startswith="Stopped responding").exists()


def test_push_results_partial_acceptance_and_idempotent_repush(owner_client, organizer):
    job = MiningJobFactory(organizer=organizer, status="pending", input="external-miner")
    body = {
        "status": "running",
        "results": [
            {
                "email": "Jane.Doe@Acme.de",
                "contact_name": "Jane Doe",
                "company_name": "Acme GmbH",
                "country": "Germany",
                "job_title": "CEO",
                "source_url": "https://acme.de/team",
                "confidence": 0.8,
            },
            {"emails": ["a@globex.com", "b@globex.com"], "company_name": "Globex"},
            {"email": "not-an-email"},
            {"email": "x@acme.de", "confidence": 7},
            "garbage",
        ],
    }
    response = owner_client.post(f"/api/mining/jobs/{job.pk}/results", body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert (data["received"], data["accepted"], data["stored"], data["job_status"]) == (5, 2, 2, "running")
    assert [(r["index"], list(r["errors"])) for r in data["rejected"]] == [
        (2, ["email"]),
        (3, ["confidence"]),
        (4, ["row"]),
    ]
    assert data["aggregation"]["persons_created"] == 3
    jane = Person.objects.get(organizer=organizer, email="jane.doe@acme.de")
    assert (jane.first_name, jane.affiliations.get().country_code) == ("Jane", "DE")

    again = owner_client.post(
        f"/api/mining/jobs/{job.pk}/results", {**body, "status": "completed"}, format="json"
    ).json()
    assert (again["stored"], again["duplicates"], again["job_status"]) == (0, 2, "completed")
    job.refresh_from_db()
    assert job.total_found == 2 and MiningResult.objects.filter(job=job).count() == 2


def test_push_refuses_bad_bodies_and_cancelled_jobs(owner_client, organizer):
    job = MiningJobFactory(organizer=organizer)
    assert owner_client.post(f"/api/mining/jobs/{job.pk}/results", {"results": "x"}, format="json").status_code == 400
    assert (
        owner_client.post(
            f"/api/mining/jobs/{job.pk}/results", {"results": [], "status": "done"}, format="json"
        ).status_code
        == 400
    )
    job.status = "cancelled"
    job.save()
    assert owner_client.post(f"/api/mining/jobs/{job.pk}/results", {"results": []}, format="json").status_code == 409


def test_results_list_filters(owner_client, organizer, other_organizer):
    job = MiningJobFactory(organizer=organizer)
    MiningResultFactory(job=job, emails=["jane@acme.de"], country="DE", status="new")
    MiningResultFactory(job=job, emails=["joe@acme.de"], country="FR", status="imported")
    MiningResultFactory(job=MiningJobFactory(organizer=other_organizer), emails=["jane@acme.de"])
    assert owner_client.get("/api/mining/results").json()["count"] == 2
    assert owner_client.get("/api/mining/results", {"email": "JANE@acme.de"}).json()["count"] == 1
    assert owner_client.get("/api/mining/results", {"status": "imported", "job": str(job.pk)}).json()["count"] == 1
    assert owner_client.get("/api/mining/results", {"country": "DE"}).json()["count"] == 1


@pytest.mark.parametrize(
    "term, found",
    [
        ("jane", {"Acme GmbH"}),
        ("DOE JA", {"Acme GmbH"}),
        ("globex", {"Globex AG"}),
        ("expo", {"Acme GmbH", "Globex AG"}),  # words of the website or of the source address
        ("expo.test/exhib", {"Globex AG"}),
        ("acme.de", {"Acme GmbH"}),
        ("cme", set()),
        ("?!", set()),
    ],
)
def test_results_search_by_word_prefixes(owner_client, organizer, other_organizer, term, found):
    job = MiningJobFactory(organizer=organizer, input="https://expo.test/exhibitors")
    MiningResultFactory(
        job=job,
        contact_name="Jane Doe",
        company_name="Acme GmbH",
        website="https://expo.acme.de",
        source_url="https://fair.test/a",
    )
    MiningResultFactory(job=job, contact_name="Max", company_name="Globex AG")
    MiningResultFactory(
        job=MiningJobFactory(organizer=other_organizer), contact_name="Jane Doe", company_name="Foreign"
    )
    body = owner_client.get("/api/mining/results", {"search": term}).json()
    assert {row["company_name"] for row in body["results"]} == found


def test_import_all_into_a_new_list(owner_client, organizer, run_on_commit):
    job = MiningJobFactory(organizer=organizer, status="completed")
    MiningResultFactory(
        job=job, emails=["jane@acme.de"], contact_name="Jane Doe", company_name="Acme GmbH", country="Deutschland"
    )
    MiningResultFactory(job=job, emails=["JANE@acme.de"], company_name="Acme GmbH", job_title="CEO")
    MiningResultFactory(job=job, emails=["max@globex.ch"], company_name="Globex AG")
    no_email = MiningResultFactory(job=job, emails=[], company_name="Nobody Inc")
    bad_email = MiningResultFactory(job=job, emails=["noreply@acme.de"])

    response = run_on_commit(
        owner_client, f"/api/mining/jobs/{job.pk}/import-all", {"list_name": "Fair 2026"}, format="json"
    )
    assert response.status_code == 202
    target = List.objects.get(pk=response.json()["list_id"])
    assert target.organizer == organizer and target.type == "mined"
    progress = owner_client.get(response.json()["progress_url"]).json()
    assert progress["import_status"] == "completed"
    numbers = {
        k: progress["import_progress"][k] for k in ("total", "imported", "skipped", "duplicates", "persons_upserted")
    }
    assert numbers == {"total": 5, "imported": 3, "skipped": 2, "duplicates": 1, "persons_upserted": 2}
    assert progress["import_progress"]["started_at"] and progress["import_progress"]["completed_at"]
    assert set(ListMember.objects.filter(list=target).values_list("person__email", flat=True)) == {
        "jane@acme.de",
        "max@globex.ch",
    }
    jane = Person.objects.get(organizer=organizer, email="jane@acme.de")
    assert (jane.first_name, jane.affiliations.get().position, jane.affiliations.get().country_code) == (
        "Jane",
        "CEO",
        "DE",
    )
    assert set(MiningResult.objects.filter(pk__in=[no_email.pk, bad_email.pk]).values_list("status", flat=True)) == {
        "skipped"
    }

    second = run_on_commit(
        owner_client, f"/api/mining/jobs/{job.pk}/import-all", {"list_id": str(target.pk)}, format="json"
    )
    assert second.status_code == 202
    job.refresh_from_db()
    assert job.import_progress["imported"] == 0 and ListMember.objects.filter(list=target).count() == 2


def test_import_all_refuses_while_running_and_restarts_when_stale(owner_client, organizer):
    job = MiningJobFactory(
        organizer=organizer, import_status="processing", import_progress={"updated_at": timezone.now().isoformat()}
    )
    target = ListFactory(organizer=organizer)
    response = owner_client.post(f"/api/mining/jobs/{job.pk}/import-all", {"list_id": str(target.pk)}, format="json")
    assert response.status_code == 409
    job.import_progress = {"updated_at": (timezone.now() - timedelta(minutes=6)).isoformat()}
    job.save()
    assert (
        owner_client.post(
            f"/api/mining/jobs/{job.pk}/import-all", {"list_id": str(target.pk)}, format="json"
        ).status_code
        == 202
    )


def test_import_all_into_another_organizers_list_is_404(owner_client, organizer, other_organizer):
    job = MiningJobFactory(organizer=organizer)
    foreign = ListFactory(organizer=other_organizer)
    response = owner_client.post(f"/api/mining/jobs/{job.pk}/import-all", {"list_id": str(foreign.pk)}, format="json")
    assert response.status_code == 404
    assert owner_client.post(f"/api/mining/jobs/{job.pk}/import-all", {}, format="json").status_code == 400
