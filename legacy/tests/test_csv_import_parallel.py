"""A stored upload imported in row ranges (worker processes, Celery tasks) ends as a one-process import does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from legacy import csv_import
from legacy.csv_import import import_row_range, run_csv_import, start_csv_import
from legacy.models import List, ListUpload
from legacy.tasks import import_csv_task
from liffy.parallel import row_ranges
from liffy.tests.factories import OrganizerFactory
from persons.models import Affiliation, Person

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = (
    ["email,name,company"]
    + [f"p{n}@firm{n % 9}.de,Pat Doe{n},Firm {n % 9}" if n % 5 else f"broken{n},Nobody,Firm X" for n in range(1, 25)]
    + ["p3@firm3.de,Pat Again,Firm 3", "P1@FIRM1.DE,,"]
)  # two duplicates near the end, two ranges away from the first
TEXT = ("\n".join(ROWS) + "\n").encode()
COUNTERS = (
    "total",
    "imported",
    "skipped",
    "duplicates",
    "persons_upserted",
    "affiliations_upserted",
    "members_added",
    "errors",
    "verification_queued",
)


@pytest.fixture
def stored(settings, monkeypatch):
    """start_csv_import with the task held back: (list id, stored upload id) of a new organizer's list."""
    settings.CSV_INLINE_ROWS, settings.CSV_BATCH_SIZE = 5, 3
    monkeypatch.setattr(import_csv_task, "delay", lambda *args: None)

    def store():
        target, _progress, inline = start_csv_import(OrganizerFactory(), None, SimpleUploadedFile("fair.csv", TEXT))
        assert not inline
        return str(target.pk), str(ListUpload.objects.get(list=target).pk)

    return store


def _result(list_id):
    target = List.objects.get(pk=list_id)
    persons = sorted(
        Person.objects.filter(organizer=target.organizer_id).values_list("email", "first_name", "last_name")
    )
    affiliations = sorted(
        Affiliation.objects.filter(organizer=target.organizer_id).values_list("person__email", "company_name")
    )
    members = sorted(target.members.values_list("person__email", flat=True))
    return (
        {name: target.import_progress[name] for name in COUNTERS},
        target.import_status,
        persons,
        affiliations,
        members,
    )


def test_row_ranges_in_processes_and_in_celery_tasks_import_what_one_process_imports(stored, settings, monkeypatch):
    one = stored()
    run_csv_import(*one)
    expected = _result(one[0])
    assert expected[0]["duplicates"] == 2 and expected[0]["skipped"] == 4 and expected[1] == "completed"
    assert [error["row"] for error in expected[0]["errors"]] == [6, 11, 16, 21]

    two = stored()
    run_csv_import(*two, workers=3)
    assert _result(two[0]) == expected and not ListUpload.objects.filter(pk=two[1]).exists()

    tasks = stored()  # with a result backend, the task splits the upload over Celery tasks (run eagerly here)
    settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND = "memory://", "cache+memory://"
    monkeypatch.setattr(csv_import, "ROWS_PER_PART", 7)
    assert csv_import.parts_for(tasks[0]) == 4
    monkeypatch.setattr(csv_import, "run_csv_import", None)  # not in one go
    import_csv_task(*tasks)
    assert _result(tasks[0]) == expected and not ListUpload.objects.filter(pk=tasks[1]).exists()


def test_an_import_killed_after_some_ranges_is_finished_by_running_it_again(stored):
    one = stored()
    run_csv_import(*one)
    expected = _result(one[0])

    killed = stored()
    first, _second = row_ranges(len(ROWS) - 1, 2)
    import_row_range(first, lambda _count: None, list_id=killed[0], upload_id=killed[1])
    assert List.objects.get(pk=killed[0]).members.count() > 0
    run_csv_import(*killed, workers=2)
    result = _result(killed[0])
    assert result[1:] == expected[1:]  # the same rows; the counters of a range imported twice count it twice


@pytest.mark.parametrize("workers", [1, 2])
def test_an_import_that_raises_ends_failed_and_a_new_upload_imports_the_rest(stored, monkeypatch, workers):
    complete = stored()
    run_csv_import(*complete)
    expected_members = _result(complete[0])[4]

    failing = stored()
    real_import_batch, batches = csv_import.import_batch, []

    def third_batch_breaks(*args):
        batches.append(1)
        if len(batches) == 3:
            raise RuntimeError("the database went away")
        return real_import_batch(*args)

    monkeypatch.setattr(csv_import, "import_batch", third_batch_breaks)
    with pytest.raises(RuntimeError):
        run_csv_import(*failing, workers=workers)
    target = List.objects.get(pk=failing[0])
    assert target.import_status == "failed" and "upload the file again" in target.import_progress["failure"]
    assert target.import_progress["completed_at"] and not ListUpload.objects.filter(pk=failing[1]).exists()
    kept = target.members.count()
    assert 0 < kept < len(expected_members) and target.import_progress["members_added"] == kept

    monkeypatch.setattr(csv_import, "import_batch", real_import_batch)
    start_csv_import(target.organizer, None, SimpleUploadedFile("fair.csv", TEXT), target=target)
    run_csv_import(failing[0], str(ListUpload.objects.get(list_id=failing[0]).pk))
    assert _result(failing[0])[1:] == _result(complete[0])[1:]
