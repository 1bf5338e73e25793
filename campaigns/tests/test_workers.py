"""Sending through a real broker: two Celery worker processes share one campaign; a sending worker is
not held up by an import on another queue; workers stopped mid-campaign (SIGTERM, SIGKILL) and
another one finishing it.

The start goes through the API; its task, the follow-up tasks a worker hands on when its time slice
ends, and a duplicate delivery of the first task all travel through Redis to separate processes.
"""

import os
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns import sending
from campaigns.models import Campaign, CampaignEvent, CampaignRecipient
from campaigns.tasks import dispatch_campaigns_task, send_campaign_task
from campaigns.tests.factories import ready_campaign, sendable_organizer
from legacy.models import List, ListMember
from liffy.celery import app as celery_app
from liffy.queues import queue_name
from liffy.testing import wait_until
from liffy.tests.factories import UserFactory

ACCEPTED = (
    [f"ok{n}" for n in range(30)]
    + [f"rate{n}" for n in range(4)]
    + [f"boom{n}" for n in range(4)]
    + [f"slow{n}" for n in range(4)]
)
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
    logs = celery_workers(
        2,
        SENDGRID_API_URL=fake_sendgrid.url,
        SENDGRID_TIMEOUT_SECONDS=0.5,
        SENDGRID_BACKOFF_SECONDS=0.01,
        SENDGRID_MAX_RETRIES=2,
        SEND_TASK_SECONDS=0,
    )
    wait_until(
        lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", what="the campaign to complete", logs=logs
    )
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    outcome = {r.email.split("@")[0]: (r.status, r.last_error) for r in recipients}
    assert {local for local, (status, _) in outcome.items() if status == "sent"} == set(ACCEPTED)
    assert all(outcome[local][0] == "failed" and "valid address" in outcome[local][1] for local in REFUSED)
    assert len(fake_sendgrid.accepted) == len(ACCEPTED) and set(fake_sendgrid.accepted.values()) == {1}
    sent_events = CampaignEvent.objects.filter(campaign=campaign, event_type="sent")
    assert sorted(str(e.recipient_id) for e in sent_events) == sorted(fake_sendgrid.accepted)


def test_a_long_import_does_not_hold_up_a_campaign_s_sending(celery_workers, fake_sendgrid, settings):
    """One worker per queue, as `WORKER_QUEUES` deploys them: the import's worker is busy (the import waits
    on a lock the test holds, as long as the test wants) while the sending worker sends the whole campaign."""
    settings.CSV_INLINE_ROWS = 5
    organizer = sendable_organizer(send_batch_size=10)
    campaign = ready_campaign([f"ok{n}" for n in range(20)], organizer=organizer)
    client = APIClient()
    client.force_authenticate(UserFactory(organizer=organizer, role="user"))
    rows = "".join(f"p{n}@firm{n}.de;Pat Doe{n};Firm {n} GmbH\n" for n in range(50))
    upload = client.post(
        "/api/lists/upload-csv",
        {"file": SimpleUploadedFile("fair.csv", f"email;name;company\n{rows}".encode())},
        format="multipart",
    )
    assert upload.status_code == 202
    assert client.post(f"/api/campaigns/{campaign.pk}/start").status_code == 202
    prefix = celery_app.amqp.default_queue.name
    broker = redis.Redis.from_url(celery_app.conf.broker_url)
    assert [broker.llen(queue_name(prefix, workload)) for workload in ("imports", "sending")] == [1, 1]

    with psycopg.connect(**connection.get_connection_params()) as blocker:
        blocker.execute("SELECT 1 FROM lists WHERE id = %s FOR UPDATE", [upload.json()["id"]])
        importing = celery_workers(1, queues=["imports"], CSV_BATCH_SIZE=10)
        wait_until(lambda: _waiting_on_a_lock(blocker), what="the import to start and wait", logs=importing)
        sending_logs = celery_workers(1, queues=["sending"], SENDGRID_API_URL=fake_sendgrid.url)
        wait_until(
            lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", what="the campaign", logs=sending_logs
        )
        assert List.objects.get(pk=upload.json()["id"]).import_status == "processing"
        assert _waiting_on_a_lock(blocker)  # the import is still running, in its own worker
    wait_until(
        lambda: List.objects.get(pk=upload.json()["id"]).import_status == "completed", what="the import", logs=importing
    )
    assert len(fake_sendgrid.accepted) == 20
    assert ListMember.objects.filter(list_id=upload.json()["id"]).count() == 50


def _waiting_on_a_lock(conn):
    return conn.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
        " WHERE NOT l.granted AND a.datname = current_database()"
    ).fetchone()[0]


# --- Workers stopped mid-campaign --------------------------------------------------------------------
# 30 recipients in batches of 10, one message at a time; the 11th (`held10`, first of the second batch)
# gets no answer from SendGrid until the test releases it, so the worker is stopped at a known point:
# batch 1 recorded, batch 2 claimed with its first message in flight.
STOPPED_MID_CAMPAIGN = [f"ok{n}" for n in range(10)] + ["held10"] + [f"ok{n}" for n in range(11, 30)]
SLOW_ENOUGH_TO_STOP = {"SENDGRID_TIMEOUT_SECONDS": 30, "SEND_CONCURRENCY": 1}


def _sending_through_a_worker(celery_workers, fake_sendgrid, **worker):
    organizer = sendable_organizer(send_batch_size=10)
    campaign = ready_campaign(STOPPED_MID_CAMPAIGN, organizer=organizer)
    client = APIClient()
    client.force_authenticate(UserFactory(organizer=organizer, role="user"))
    assert client.post(f"/api/campaigns/{campaign.pk}/start").status_code == 202
    logs = celery_workers(1, SENDGRID_API_URL=fake_sendgrid.url, **SLOW_ENOUGH_TO_STOP, **worker)
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    held = recipients.get(email="held10@client.test")
    wait_until(lambda: fake_sendgrid.attempts[str(held.pk)], what="the second batch's first message", logs=logs)
    return campaign, recipients, held, logs


def _statuses(recipients):
    return Counter(recipients.values_list("status", flat=True))


@pytest.mark.parametrize("signalled", ["worker", "process group"])
def test_sigterm_finishes_the_message_in_flight_and_returns_the_rest_of_the_batch(
    celery_workers, fake_sendgrid, signalled
):
    """SIGTERM to the worker (as Kubernetes sends it) or to its process group (honcho, systemd), prefork pool."""
    campaign, recipients, held, logs = _sending_through_a_worker(
        celery_workers, fake_sendgrid, pool="prefork", WORKER_CONCURRENCY=1
    )
    first = celery_workers.processes[0]
    signalled_at = time.monotonic()
    if signalled == "worker":
        first.send_signal(signal.SIGTERM)
    else:
        os.killpg(first.pid, signal.SIGTERM)
    wait_until(lambda: "Warm shutdown" in Path(logs[0]).read_text(), what="the warm shutdown", logs=logs)
    fake_sendgrid.release.set()  # the message in flight is answered: the worker records it and stops
    assert first.wait(timeout=10) == 0
    assert time.monotonic() - signalled_at < 5  # within honcho's grace period, before a SIGKILL

    assert _statuses(recipients) == {"sent": 11, "pending": 19}  # batch 2 but its first message went back
    assert fake_sendgrid.accepted[str(held.pk)] == 1 and recipients.get(pk=held.pk).status == "sent"
    assert Campaign.objects.get(pk=campaign.pk).status == "sending"

    second = celery_workers(1, SENDGRID_API_URL=fake_sendgrid.url)  # takes the task the first handed on
    wait_until(
        lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", what="the second worker", logs=second
    )
    assert _statuses(recipients) == {"sent": 30}
    assert len(fake_sendgrid.accepted) == 30 and set(fake_sendgrid.accepted.values()) == {1}
    assert CampaignEvent.objects.filter(campaign=campaign, event_type="sent").count() == 30


def test_a_killed_worker_s_claims_return_after_the_claim_timeout(celery_workers, fake_sendgrid, settings):
    """SIGKILL leaves the batch claimed; only after the claim timeout does the maintenance task hand it on.
    The message that was in flight was accepted by SendGrid but never recorded: it is sent again."""
    campaign, recipients, held, _logs = _sending_through_a_worker(celery_workers, fake_sendgrid)
    os.killpg(celery_workers.processes[0].pid, signal.SIGKILL)
    celery_workers.processes[0].wait(timeout=10)
    fake_sendgrid.release.set()
    wait_until(lambda: fake_sendgrid.accepted[str(held.pk)], what="SendGrid to accept the message in flight")
    assert _statuses(recipients) == {"sent": 10, "sending": 10, "pending": 10}
    assert sending.return_stale_claims() == 0  # a slow worker's claims are not taken from it

    claimed_long_ago = timezone.now() - timedelta(minutes=settings.SEND_CLAIM_TIMEOUT_MINUTES + 1)
    recipients.filter(status="sending").update(claimed_at=claimed_long_ago)
    second = celery_workers(1, SENDGRID_API_URL=fake_sendgrid.url)
    dispatch_campaigns_task.delay()  # what beat queues every 30 s
    wait_until(
        lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", what="the second worker", logs=second
    )
    assert _statuses(recipients) == {"sent": 30}
    assert len(fake_sendgrid.accepted) == 30
    assert {key for key, count in fake_sendgrid.accepted.items() if count > 1} == {str(held.pk)}
    assert CampaignEvent.objects.filter(campaign=campaign, event_type="sent").count() == 30
