"""Celery tasks of the mining app: thin wrappers around the services."""

from celery import chord, shared_task

from liffy.parallel import distributed, part_tasks
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
    """Import the job's results into the list: in one go, or, with a result backend, as Celery tasks over id
    ranges of RESULTS_PER_PART results (on every imports worker) and then its end."""
    parts = imports.parts_for(job_id) if distributed() else 1
    if parts <= 1:
        return imports.run_import_all(job_id, list_id)
    work, ranges = imports.import_all_parts(job_id, list_id, parts)
    chord(part_tasks(work, ranges, "imports"))(finish_import_all_task.si(job_id))
    return None


@shared_task(acks_late=True)
def finish_import_all_task(job_id):
    return imports.finish_import_all(job_id)
