"""Sending through a real broker: two Celery worker processes share one campaign.

The start goes through the API; its task, the follow-up tasks a worker hands on when its time slice
ends, and a duplicate delivery of the first task all travel through Redis to separate processes.
"""
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignEvent, CampaignRecipient
from campaigns.tasks import send_campaign_task
from campaigns.tests.factories import ready_campaign, sendable_organizer
from liffy.testing import wait_until
from liffy.tests.factories import UserFactory

ACCEPTED = [f"ok{n}" for n in range(30)] + [f"rate{n}" for n in range(4)] + [f"boom{n}" for n in range(4)] \
    + [f"slow{n}" for n in range(4)]
REFUSED = [f"bad{n}" for n in range(3)]


def test_two_worker_processes_send_every_recipient_exactly_once(celery_workers, fake_sendgrid):
    organizer = sendable_organizer(send_batch_size=3)
    campaign = ready_campaign(ACCEPTED + REFUSED, organizer=organizer)
    client = APIClient()
    client.force_authenticate(UserFactory(organizer=organizer, role="user"))
    response = client.post(f"/api/campaigns/{campaign.pk}/start")
    assert response.status_code == 202 and response.json()["status"] == "sending"
    send_campaign_task.delay(str(campaign.pk))  # delivered twice: both workers claim from one campaign
    assert not fake_sendgrid.attempts  # queued in the broker: nothing is sent before a worker is there

    fake_sendgrid.latency_seconds = 0.02  # slow enough for both workers to be busy at once
    # SEND_TASK_SECONDS=0: each task sends one batch and hands the rest on through the broker
    logs = celery_workers(2, SENDGRID_API_URL=fake_sendgrid.url, SENDGRID_TIMEOUT_SECONDS=0.5,
                          SENDGRID_BACKOFF_SECONDS=0.01, SENDGRID_MAX_RETRIES=2, SEND_TASK_SECONDS=0)
    wait_until(lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", what="the campaign to complete",
               logs=logs)
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    outcome = {r.email.split("@")[0]: (r.status, r.last_error) for r in recipients}
    assert {local for local, (status, _) in outcome.items() if status == "sent"} == set(ACCEPTED)
    assert all(outcome[local][0] == "failed" and "valid address" in outcome[local][1] for local in REFUSED)
    assert len(fake_sendgrid.accepted) == len(ACCEPTED) and set(fake_sendgrid.accepted.values()) == {1}
    sent_events = CampaignEvent.objects.filter(campaign=campaign, event_type="sent")
    assert sorted(str(e.recipient_id) for e in sent_events) == sorted(fake_sendgrid.accepted)
