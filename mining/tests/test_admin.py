"""Mining jobs in the admin: created and queued through the API's service, outcome in words, actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mining.models import MiningJob
from mining.tests.factories import MiningJobFactory, MiningJobLogFactory, MiningResultFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/mining/miningjob/add/"


@pytest.fixture(autouse=True)
def persist(monkeypatch):
    monkeypatch.setenv("AGGREGATION_PERSIST", "true")


def shown(response):
    return [str(message) for message in response.context["messages"]]


def test_a_new_job_is_queued_not_run_in_the_request(
    platform_admin, organizer, site, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = platform_admin.post(
            ADD,
            {
                "organizer": organizer.pk,
                "name": "From admin",
                "url": site.url + "/vcard",
                "config": '{"page_delay": 0}',
            },
            follow=True,
        )
    job = MiningJob.objects.get(name="From admin")
    assert job.status == "pending" and len(queued) == 1  # the task is handed over when the page's data commits
    assert response.redirect_chain[-1][0] == reverse("admin:mining_miningjob_change", args=[job.pk])
    assert any("was queued: it runs in the background" in line for line in shown(response))
    assert "Queued: waiting for a worker" in response.content.decode()
    queued[0]()  # the worker's turn (eager here)
    page = platform_admin.get(reverse("admin:mining_miningjob_change", args=[job.pk])).content.decode()
    assert "Completed: 1 contacts found, 1 results stored." in page and "1 results" in page


def test_the_add_form_shows_what_the_service_refuses(platform_admin, organizer):
    response = platform_admin.post(ADD, {"organizer": organizer.pk, "config": "{}"})
    assert response.status_code == 200 and "Give either a URL or a file." in response.content.decode()
    response = platform_admin.post(
        ADD, {"organizer": organizer.pk, "url": "https://fair.test", "config": '{"max_pages": 999}'}
    )
    form = response.context["adminform"].form
    assert response.status_code == 200 and form.errors["config"] == ["config.max_pages: must be a number from 1 to 200"]
    response = platform_admin.post(
        ADD, {"organizer": organizer.pk, "upload": SimpleUploadedFile("x.pdf", b"%PDF"), "config": "{}"}
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["upload"] == [
        "must be a .csv or .xlsx file"
    ]
    assert not MiningJob.objects.exists()


def test_organizer_staff_create_jobs_for_their_own_organizer(
    organizer_staff, organizer, django_capture_on_commit_callbacks
):
    from liffy.testing import admin_client_for

    client = admin_client_for(organizer_staff())
    with django_capture_on_commit_callbacks():
        response = client.post(ADD, {"name": "Mine", "url": "https://fair.test/list", "config": "{}"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MiningJob.objects.get(name="Mine").organizer == organizer


def test_job_page_says_why_it_failed_and_links_results_and_log(platform_admin, organizer):
    job = MiningJobFactory(organizer=organizer, status="failed", error="No miner can read this input.")
    MiningJobLogFactory(job=job, message="Job started")
    MiningResultFactory(job=job)
    page = platform_admin.get(reverse("admin:mining_miningjob_change", args=[job.pk])).content.decode()
    assert "Failed: No miner can read this input." in page
    assert f"?job__id__exact={job.pk}" in page and "Job started" in page
    results = platform_admin.get(reverse("admin:mining_miningresult_changelist"), {"job__id__exact": job.pk})
    assert results.context["cl"].result_count == 1


def test_retry_and_cancel_go_through_the_service_with_a_confirmation(
    platform_admin, organizer, site, django_capture_on_commit_callbacks
):
    job = MiningJobFactory(organizer=organizer, status="failed", input=site.url + "/vcard", config={"page_delay": 0})
    retry = reverse("admin:mining_miningjob_service_action", args=[job.pk, "retry"])
    assert "are you sure" in platform_admin.get(retry).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_admin.post(retry, {"confirmed": "yes"}, follow=True)
    job.refresh_from_db()
    assert job.status == "completed" and "1 mining job queued again." in shown(response)
    response = platform_admin.post(
        "/admin/mining/miningjob/", {"action": "cancel", "_selected_action": [job.pk], "confirmed": "yes"}, follow=True
    )
    assert any("A completed job cannot be cancelled." in line for line in shown(response))
