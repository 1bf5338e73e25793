"""Celery tasks of lists: thin wrappers around the services."""
from celery import shared_task

from legacy.csv_import import run_csv_import


@shared_task(acks_late=True)
def import_csv_task(list_id, upload_id):
    """Import the stored upload `upload_id` (a `list_uploads` row) into the list."""
    return run_csv_import(list_id, upload_id)
