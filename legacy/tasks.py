"""Celery tasks of lists: thin wrappers around the services."""

from celery import chord, shared_task

from legacy import csv_import
from liffy.parallel import Outcome, distributed, part_tasks


@shared_task(acks_late=True)
def import_csv_task(list_id, upload_id):
    """Import the stored upload `upload_id` (a `list_uploads` row) into the list: in one go, or, with a result
    backend, as Celery tasks over row ranges of ROWS_PER_PART (on every imports worker) and then its end."""
    parts = csv_import.parts_for(list_id) if distributed() else 1
    if parts <= 1:
        return csv_import.run_csv_import(list_id, upload_id)
    work, ranges = csv_import.csv_import_parts(list_id, upload_id, parts)
    chord(part_tasks(work, ranges, "imports"))(finish_csv_import_task.s(list_id, upload_id))
    return None


@shared_task(acks_late=True)
def finish_csv_import_task(outcomes, list_id, upload_id):
    """The end of an import split over tasks: their outcomes added up, the list completed."""
    return csv_import.finish_csv_import(list_id, upload_id, Outcome.merged(outcomes))
