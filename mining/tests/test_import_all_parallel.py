"""Import-all split into id ranges (worker processes, Celery tasks) ends as a one-process import does."""

import pytest

from legacy.models import ListMember
from liffy.parallel import key_ranges
from liffy.tests.factories import OrganizerFactory
from mining import imports
from mining.models import MiningJob, MiningResult
from mining.tasks import import_all_task
from mining.tests.factories import MiningJobFactory, MiningResultFactory

pytestmark = pytest.mark.django_db(transaction=True)
COUNTERS = ("total", "imported", "skipped", "duplicates", "persons_upserted", "affiliations_upserted", "errors")


@pytest.fixture
def started(monkeypatch):
    """A new organizer's job with results, its import-all started with the task held back: (job id, list id)."""
    monkeypatch.setattr(import_all_task, "delay", lambda *args: None)

    def start():
        job = MiningJobFactory(organizer=OrganizerFactory(), status="completed")
        for number in range(14):
            emails = [] if number % 6 == 0 else [f"p{number % 11}@firm{number % 11}.de"]  # p2 twice
            MiningResultFactory(job=job, emails=emails, contact_name=f"Pat Doe{number}", company_name="Firm")
        target = imports.start_import_all(job, user=None, list_name="Fair")
        return str(job.pk), str(target.pk)

    return start


def _result(job_id, list_id):
    progress = MiningJob.objects.get(pk=job_id).import_progress
    members = sorted(ListMember.objects.filter(list_id=list_id).values_list("person__email", flat=True))
    statuses = sorted(MiningResult.objects.filter(job_id=job_id).values_list("status", flat=True))
    return {name: progress[name] for name in COUNTERS}, bool(progress["completed_at"]), members, statuses


def test_id_ranges_in_processes_and_in_celery_tasks_import_what_one_process_imports(started, settings, monkeypatch):
    one = started()
    imports.run_import_all(*one, batch_size=1)  # batches of one: the counters do not depend on where ranges begin
    expected = _result(*one)
    assert expected[0]["imported"] == 11 and expected[0]["skipped"] == 3 and expected[0]["duplicates"] == 1

    two = started()
    assert len(key_ranges("mining_results", 3, "job_id = %s", [two[0]])) == 3
    imports.run_import_all(*two, batch_size=1, workers=3)
    assert _result(*two) == expected

    tasks = started()  # with a result backend, the task splits the results over Celery tasks (run eagerly here)
    settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND = "memory://", "cache+memory://"
    monkeypatch.setattr(imports, "RESULTS_PER_PART", 4)
    monkeypatch.setattr(imports, "BATCH_SIZE", 1)
    monkeypatch.setattr(imports, "run_import_all", None)  # not in one go
    import_all_task(*tasks)
    assert _result(*tasks) == expected


def test_an_import_killed_after_some_ranges_is_finished_by_running_it_again(started):
    one = started()
    imports.run_import_all(*one, batch_size=1)
    expected = _result(*one)

    killed = started()
    first, _second = key_ranges("mining_results", 2, "job_id = %s", [killed[0]])
    imports.import_result_range(first, lambda _count: None, job_id=killed[0], list_id=killed[1], batch_size=1)
    imports.run_import_all(*killed, batch_size=1, workers=2)
    assert _result(*killed) == expected


def test_an_import_that_raises_ends_failed_and_starting_it_again_imports_the_rest(started, monkeypatch):
    one = started()
    imports.run_import_all(*one, batch_size=1)
    expected = _result(*one)

    failing = started()
    real_import_batch, batches = imports._import_batch, []

    def fourth_batch_breaks(*args):
        batches.append(1)
        if len(batches) == 4:
            raise RuntimeError("the database went away")
        return real_import_batch(*args)

    monkeypatch.setattr(imports, "_import_batch", fourth_batch_breaks)
    with pytest.raises(RuntimeError):
        imports.run_import_all(*failing, batch_size=1)
    job = MiningJob.objects.get(pk=failing[0])
    assert job.import_status == "failed" and "start the import again" in job.import_progress["failure"]
    assert job.import_progress["imported"] + job.import_progress["skipped"] == 3
    assert job.logs.filter(level="error", message="Import into a list failed").exists()

    monkeypatch.setattr(imports, "_import_batch", real_import_batch)
    restarted = imports.start_import_all(job, user=None, list_id=failing[1])
    imports.run_import_all(failing[0], str(restarted.pk), batch_size=1)
    _progress, completed, members, statuses = _result(*failing)
    assert (completed, members, statuses) == expected[1:]
