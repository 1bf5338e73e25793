"""Celery tasks of the campaigns app: thin wrappers around sending and the lifecycle."""

from celery import shared_task

from campaigns import lifecycle, sending


@shared_task(acks_late=True)
def send_campaign_task(campaign_id):
    """Send for a while, then hand the rest of the campaign to a fresh task."""
    result = sending.send_campaign(campaign_id)
    if result == "more":
        send_campaign_task.delay(campaign_id)
    return result


@shared_task
def dispatch_campaigns_task():
    """Periodic: start due scheduled campaigns, recover dead workers' claims, finish or resume campaigns."""
    started = lifecycle.start_due_campaigns()
    returned = sending.return_stale_claims()
    completed = sending.complete_finished_campaigns()
    resumed = sending.campaigns_needing_a_worker()
    for campaign_id in resumed:
        send_campaign_task.delay(str(campaign_id))
    return {"started": started, "returned_to_pending": returned, "completed": completed, "resumed": len(resumed)}
