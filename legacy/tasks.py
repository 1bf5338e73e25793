"""Celery tasks of lists: thin wrappers around the services."""
from celery import shared_task

from legacy.csv_import import run_csv_import


@shared_task(acks_late=True)
def import_csv_task(list_id, encoded_file):
    return run_csv_import(list_id, encoded_file)
