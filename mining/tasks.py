"""Celery tasks of the mining app: thin wrappers around the services."""
from celery import shared_task

from mining import imports, jobs


@shared_task(acks_late=True)
def run_mining_job_task(job_id):
    job = jobs.run_mining_job(job_id)
    return job.status if job else "skipped"


@shared_task
def fail_stale_mining_jobs_task():
    return jobs.fail_stale_jobs()


@shared_task(acks_late=True)
def import_all_task(job_id, list_id):
    return imports.run_import_all(job_id, list_id)
