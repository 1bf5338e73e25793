"""Celery tasks of persons: thin wrappers around the services."""

from celery import shared_task

from persons import verification


@shared_task
def verify_pending_task():
    """Periodic: recover dead workers' claims, then verify a batch per organizer."""
    returned = verification.return_stale_claims()
    return {"returned_to_pending": returned, **verification.verify_pending()}
