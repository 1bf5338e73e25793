"""The background work the API queues, run by a real Celery worker process through Redis.

Task arguments travel as JSON through the broker and the worker has its own settings and database
connection, which eager tasks in the other tests never exercise. Sending with two workers is in
`campaigns/tests/test_workers.py`.
"""

import io
import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from legacy.models import List, ListMember
from liffy.parallel import workers_taking
from liffy.testing import wait_until
from mining.models import MiningJob
from persons.models import Person

CONTACTS = (
    "email;name;company\n"
    + "".join(f"p{n}@firm{n}.de;Pat Doe{n};Firm {n} GmbH\n" for n in range(9))
    + "broken;Nobody;Firm X\n"
)
EXHIBITORS = b"Email,Company\njane@acme.de,Acme GmbH\nmax@globex.ch,Globex AG\n"


def test_a_worker_runs_the_csv_import_the_mining_job_and_import_all(celery_workers, member_client, organizer, settings):
    settings.CSV_INLINE_ROWS = 5
    contacts = SimpleUploadedFile("fair.csv", CONTACTS.encode())
    upload = member_client.post("/api/lists/upload-csv", {"file": contacts}, format="multipart")
    assert upload.status_code == 202 and upload.json()["import_status"] == "processing"
    exhibitors = SimpleUploadedFile("exhibitors.csv", EXHIBITORS)
    mining = member_client.post(
        "/api/mining/jobs", {"file": exhibitors}, format="multipart", HTTP_X_REQUEST_ID="mining-req-1"
    )
    assert mining.status_code == 201 and mining.json()["status"] == "pending"
    assert not ListMember.objects.exists()  # queued in the broker: nothing runs before a worker is there

    logs = celery_workers(1, CSV_BATCH_SIZE=4, AGGREGATION_PERSIST="true", LOG_FORMAT="json", LOG_LEVEL="INFO")
    imported = wait_until(
        lambda: List.objects.filter(pk=upload.json()["id"], import_status="completed").first(),
        what="the CSV import",
        logs=logs,
    )
    assert (imported.import_progress["imported"], imported.import_progress["skipped"]) == (9, 1)
    assert imported.import_progress["errors"][0]["row"] == 11
    assert ListMember.objects.filter(list=imported).count() == 9
    job = wait_until(
        lambda: MiningJob.objects.filter(pk=mining.json()["id"], status="completed").first(),
        what="the mining job",
        logs=logs,
    )
    assert job.total_found == 2 and Person.objects.filter(organizer=organizer, email="jane@acme.de").exists()
    # the task's log lines name the request that queued it, its organizer and the task
    [started] = [line for line in _json_lines(logs[0]) if line["message"].endswith(": Job started")]
    assert (started["request_id"], started["organizer_id"]) == ("mining-req-1", str(organizer.pk))
    assert started["task_id"]

    import_all = member_client.post(f"/api/mining/jobs/{job.pk}/import-all", {"list_name": "Exhibitors"}, format="json")
    assert import_all.status_code == 202
    wait_until(lambda: MiningJob.objects.get(pk=job.pk).import_status == "completed", what="import-all", logs=logs)
    members = ListMember.objects.filter(list_id=import_all.json()["list_id"])
    assert set(members.values_list("person__email", flat=True)) == {"jane@acme.de", "max@globex.ch"}


def _json_lines(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.startswith("{")]


def test_the_parts_of_a_bulk_run_spread_over_real_workers(celery_workers, organizer, settings):
    from django.core.management import call_command

    from liffy.celery import app
    from mining.tests.factories import MiningResultFactory

    for number in range(12):
        MiningResultFactory(
            job__organizer=organizer,
            emails=[f"p{number}@firm{number}.test"],
            contact_name=f"Pat Doe{number}",
            company_name=f"Firm {number} GmbH",
        )
    url = app.conf.broker_url
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    app.conf.result_backend = url
    vars(app._local).pop("backend", None)  # built for the settings before: rebuilt for the result backend
    logs = celery_workers(2, queues=["mining"], CELERY_RESULT_BACKEND=url, LOG_LEVEL="INFO")
    wait_until(lambda: workers_taking("mining") == 2, what="the workers", logs=logs)

    out = io.StringIO()
    call_command("backfill_persons", "--workers", "2", "--batch-size", "4", stdout=out)

    report = json.loads(out.getvalue()[: out.getvalue().rindex("}") + 1])
    assert (report["results_scanned"], report["persons_created"], report["errors"]) == (12, 12, [])
    assert Person.objects.filter(organizer=organizer).count() == 12
    worked = [path for path in logs if "run_part_task" in Path(path).read_text()]
    assert worked, "no worker logged a part"


def test_parts_meant_for_workers_run_here_when_no_worker_takes_their_queue(celery_workers, organizer, settings, caplog):
    """A result backend configured but no mining worker running: the backfill neither waits for one nor fails."""
    from django.core.management import call_command

    from liffy.celery import app
    from mining.tests.factories import MiningResultFactory

    for number in range(6):
        MiningResultFactory(job__organizer=organizer, emails=[f"p{number}@firm{number}.test"], company_name="Firm")
    url = app.conf.broker_url
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = url
    app.conf.result_backend = url
    vars(app._local).pop("backend", None)
    logs = celery_workers(1, queues=["sending"])  # a worker, but not of the mining queue
    wait_until(lambda: workers_taking("sending") == 1, what="the sending worker", logs=logs)
    assert workers_taking("mining") == 0

    out = io.StringIO()
    call_command("backfill_persons", "--workers", "2", "--batch-size", "2", stdout=out)
    report = json.loads(out.getvalue()[: out.getvalue().rindex("}") + 1])
    assert (report["results_scanned"], report["persons_created"]) == (6, 6)
    assert "No running Celery worker takes the mining queue" in caplog.text
