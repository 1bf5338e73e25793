"""Sending against a local fake SendGrid: start/pause/resume, compliance, failures and retries, two workers,
a dead worker's claims, the rate limit, the scheduler."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import lifecycle, sending
from campaigns.models import Campaign, CampaignEvent, CampaignRecipient
from campaigns.sending import CannotSend
from campaigns.tasks import dispatch_campaigns_task
from campaigns.tests.factories import UnsubscribeFactory, ready_campaign, sendable_organizer
from campaigns.tests.fake_sendgrid import VALID_KEY
from liffy.testing import at_once

MIXED = ["ok1", "ok2", "rate1", "boom1", "slow1", "hang1", "down1", "bad1", "ok3", "rate2"]


def statuses(campaign):
    return dict(CampaignRecipient.objects.filter(campaign=campaign).values_list("email", "status"))


def start(campaign):
    lifecycle.start_campaign(campaign)
    return sending.send_campaign(campaign.pk)


@pytest.mark.django_db
def test_start_sends_every_recipient_once_and_completes(
    fake_sendgrid, member_client, organizer, django_capture_on_commit_callbacks
):
    organizer.sendgrid_api_key, organizer.send_rate_per_second = VALID_KEY, 1000
    organizer.save()
    campaign = ready_campaign([f"ok{i}" for i in range(9)], organizer=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(f"/api/campaigns/{campaign.pk}/start")
    assert response.status_code == 202 and response.json()["status"] == "sending"
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.started_at and campaign.completed_at
    assert set(statuses(campaign).values()) == {"sent"}
    assert all(count == 1 for count in fake_sendgrid.accepted.values()) and len(fake_sendgrid.accepted) == 9
    events = CampaignEvent.objects.filter(campaign=campaign, event_type="sent")
    assert events.count() == 9
    assert all(event.provider_response["message_id"] for event in events)
    assert {str(e.recipient_id) for e in events} == set(fake_sendgrid.accepted)
    assert not CampaignRecipient.objects.filter(campaign=campaign, sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_message_carries_compliance_footer_headers_and_custom_args(fake_sendgrid):
    campaign = ready_campaign(["ok1"])
    campaign.template.body_html = "<html><body><p>Hi {{first_name}} of {{company}}</p></body></html>"
    campaign.template.body_text = "Hi {{first_name}}"
    campaign.template.save()
    start(campaign)
    message = fake_sendgrid.messages[0]
    recipient = CampaignRecipient.objects.get(campaign=campaign)
    assert message["personalizations"][0]["custom_args"] == {
        "organizer_id": str(campaign.organizer_id),
        "campaign_id": str(campaign.pk),
        "recipient_id": str(recipient.pk),
    }
    assert message["from"] == {"email": "events@fair.test", "name": "Events Team"}
    assert message["reply_to"] == {"email": "team@fair.test"}
    text, body = message["content"]
    assert text["type"] == "text/plain" and body["type"] == "text/html"
    assert "Hi Ok1 of Client &amp; Co" in body["value"]
    assert body["value"].index("Messe Allee 1<br>04356 Leipzig") < body["value"].index("</body>")
    assert "Unsubscribe</a>" in body["value"] and "Messe Allee 1\n04356 Leipzig" in text["value"]
    headers = message["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].split(">")[0][1:]
    assert url.startswith("http://localhost:8000/unsubscribe/") and url in text["value"]
    assert "<mailto:team@fair.test?subject=unsubscribe>" in headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_a_template_with_its_own_unsubscribe_link_gets_no_second_one(fake_sendgrid):
    campaign = ready_campaign(["ok1"])
    campaign.template.body_html = '<p>Bye: <a href="{{unsubscribe_url}}">here</a></p>'
    campaign.template.save()
    start(campaign)
    body = fake_sendgrid.messages[0]["content"][0]["value"]
    assert "Unsubscribe</a>" not in body and "/unsubscribe/" in body and "Messe Allee 1" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "missing, field",
    [
        ({"physical_address": "  "}, "physical_address"),
        ({"sendgrid_api_key": ""}, "sendgrid_api_key"),
    ],
)
def test_start_is_refused_without_what_every_message_needs(member_client, organizer, fake_sendgrid, missing, field):
    organizer.sendgrid_api_key = VALID_KEY
    organizer.save()
    campaign = ready_campaign(["ok1"], organizer=organizer)
    type(organizer).objects.filter(pk=organizer.pk).update(**missing)
    answer = member_client.post(f"/api/campaigns/{campaign.pk}/start")
    assert answer.status_code == 400 and field in answer.json()
    assert Campaign.objects.get(pk=campaign.pk).status == "ready" and not fake_sendgrid.attempts


@pytest.mark.django_db
def test_start_without_any_sender_is_refused(fake_sendgrid):
    campaign = ready_campaign(["ok1"])
    campaign.sender.is_active = False
    campaign.sender.save()
    with pytest.raises(CannotSend) as refused:
        lifecycle.start_campaign(campaign)
    assert "sender" in refused.value.errors


@pytest.mark.django_db
def test_a_campaign_that_lost_its_address_fails_before_sending_anything(fake_sendgrid):
    campaign = ready_campaign(["ok1", "ok2"], status="sending")
    type(campaign.organizer).objects.filter(pk=campaign.organizer_id).update(physical_address="")
    assert sending.send_campaign(campaign.pk) == "stopped"
    campaign.refresh_from_db()
    assert campaign.status == "failed" and "physical address" in campaign.error
    assert set(statuses(campaign).values()) == {"pending"} and not fake_sendgrid.attempts


@pytest.mark.django_db
def test_retryable_errors_are_retried_and_permanent_ones_fail_with_the_error(fake_sendgrid):
    campaign = ready_campaign(MIXED)
    assert start(campaign) == "done"
    result = statuses(campaign)
    assert {email for email, status in result.items() if status == "failed"} == {
        "down1@client.test",
        "bad1@client.test",
    }
    errors = dict(CampaignRecipient.objects.filter(status="failed").values_list("email", "last_error"))
    assert "400" in errors["bad1@client.test"] and "valid address" in errors["bad1@client.test"]
    assert "503" in errors["down1@client.test"]
    assert fake_sendgrid.attempts[str(CampaignRecipient.objects.get(email="down1@client.test").pk)] == 3
    assert fake_sendgrid.attempts[str(CampaignRecipient.objects.get(email="bad1@client.test").pk)] == 1
    assert all(count == 1 for count in fake_sendgrid.accepted.values()) and len(fake_sendgrid.accepted) == 8
    assert CampaignEvent.objects.filter(campaign=campaign, event_type="sent").count() == 8
    assert Campaign.objects.get(pk=campaign.pk).status == "completed"


@pytest.mark.django_db
def test_recipients_unsubscribed_after_resolve_are_skipped(fake_sendgrid):
    campaign = ready_campaign(["ok1", "ok2", "ok3"])
    UnsubscribeFactory(organizer=campaign.organizer, email="OK2@client.test")
    start(campaign)
    assert statuses(campaign)["ok2@client.test"] == "skipped"
    assert len(fake_sendgrid.accepted) == 2


@pytest.mark.django_db
def test_pause_stops_workers_and_resume_continues(fake_sendgrid, django_capture_on_commit_callbacks):
    campaign = ready_campaign([f"ok{i}" for i in range(6)])
    lifecycle.start_campaign(campaign)
    lifecycle.pause_campaign(campaign)
    assert sending.send_campaign(campaign.pk) == "stopped" and not fake_sendgrid.attempts
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.resume_campaign(campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == "completed" and len(fake_sendgrid.accepted) == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, status",
    [
        ("start", "draft"),
        ("start", "sending"),
        ("start", "completed"),
        ("pause", "ready"),
        ("pause", "paused"),
        ("resume", "sending"),
        ("resume", "ready"),
        ("cancel", "sending"),
        ("cancel", "completed"),
    ],
)
def test_wrong_state_transitions_get_409_with_the_current_status(member_client, organizer, action, status):
    organizer.sendgrid_api_key = VALID_KEY
    organizer.save()
    campaign = ready_campaign(["ok1"], organizer=organizer, status=status)
    response = member_client.post(f"/api/campaigns/{campaign.pk}/{action}")
    assert response.status_code == 409 and status in response.json()["detail"]
    assert Campaign.objects.get(pk=campaign.pk).status == status


@pytest.mark.django_db
def test_pause_and_resume_through_the_api(member_client, organizer, fake_sendgrid):
    organizer.sendgrid_api_key = VALID_KEY
    organizer.save()
    campaign = ready_campaign(["ok1"], organizer=organizer, status="sending")
    assert member_client.post(f"/api/campaigns/{campaign.pk}/pause").json()["status"] == "paused"
    resumed = member_client.post(f"/api/campaigns/{campaign.pk}/resume")
    assert resumed.status_code == 202 and resumed.json()["status"] == "sending"


@pytest.mark.django_db
def test_outcomes_never_overwrite_a_row_claimed_again_since(fake_sendgrid):
    campaign = ready_campaign(["ok1"], status="sending")
    first_claim, [recipient] = sending.claim_batch(campaign.pk, 10)
    assert sending.return_stale_claims(timeout_minutes=-1) == 1
    second_claim, [_again] = sending.claim_batch(campaign.pk, 10)
    outcome = sending.Outcome(recipient.id, "failed", error="late")
    assert sending.record_outcomes(first_claim, [outcome]) == 0
    row = CampaignRecipient.objects.get(pk=recipient.id)
    assert row.status == "sending" and row.last_error is None and row.claimed_at == second_claim


@pytest.mark.django_db
def test_a_worker_killed_mid_batch_is_recovered(fake_sendgrid):
    campaign = ready_campaign([f"ok{i}" for i in range(10)], status="sending")
    sending.claim_batch(campaign.pk, 4)  # claimed by a worker that then died
    assert sending.send_campaign(campaign.pk) == "done"
    assert list(statuses(campaign).values()).count("sending") == 4
    assert Campaign.objects.get(pk=campaign.pk).status == "sending"
    assert dispatch_campaigns_task()["returned_to_pending"] == 0  # not stale yet
    CampaignRecipient.objects.filter(status="sending").update(claimed_at=timezone.now() - timedelta(hours=1))
    report = dispatch_campaigns_task()
    assert report["returned_to_pending"] == 4 and report["resumed"] == 1
    assert set(statuses(campaign).values()) == {"sent"}
    assert Campaign.objects.get(pk=campaign.pk).status == "completed"
    assert sorted(fake_sendgrid.accepted.values()) == [1] * 10


@pytest.mark.django_db
def test_the_scheduler_starts_due_campaigns_and_fails_those_that_cannot_send(fake_sendgrid):
    due = ready_campaign(["ok1"], status="scheduled")
    later = ready_campaign(["ok2"], status="scheduled")
    broken = ready_campaign(["ok3"], organizer=sendable_organizer(), status="scheduled")
    Campaign.objects.filter(pk__in=[due.pk, broken.pk]).update(scheduled_at=timezone.now() - timedelta(minutes=1))
    Campaign.objects.filter(pk=later.pk).update(scheduled_at=timezone.now() + timedelta(hours=1))
    type(broken.organizer).objects.filter(pk=broken.organizer_id).update(physical_address=None)
    assert dispatch_campaigns_task()["started"] == 1
    assert Campaign.objects.get(pk=due.pk).status == "completed"
    assert Campaign.objects.get(pk=later.pk).status == "scheduled"
    failed = Campaign.objects.get(pk=broken.pk)
    assert failed.status == "failed" and "physical address" in failed.error


@pytest.mark.django_db
def test_the_organizer_rate_limit_paces_sending(fake_sendgrid):
    organizer = sendable_organizer()
    organizer.send_rate_per_second, organizer.send_batch_size = 20, 5
    organizer.save()
    campaign = ready_campaign([f"ok{i}" for i in range(10)], organizer=organizer)
    began = time.monotonic()
    start(campaign)
    assert time.monotonic() - began >= 9 / 20 - 0.02
    assert len(fake_sendgrid.accepted) == 10


@pytest.mark.django_db
def test_send_slots_of_two_workers_do_not_overlap(organizer):
    first = sending.reserve_send_slots(organizer.pk, 10, 10)
    second = sending.reserve_send_slots(organizer.pk, 10, 10)
    assert first == pytest.approx(0, abs=0.05) and second == pytest.approx(1.0, abs=0.05)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_recipient_exactly_once(fake_sendgrid):
    campaign = ready_campaign(
        [f"{local}x{n}" for n in range(4) for local in MIXED] + [f"ok{i}" for i in range(40)], status="sending"
    )
    results = at_once(lambda: sending.send_campaign(campaign.pk), lambda: sending.send_campaign(campaign.pk))
    assert "done" in results and set(results) <= {"done", "stopped"}  # stopped: the other one completed it
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    sent = rows.filter(status="sent").count()
    assert rows.filter(status="failed").count() == 8 and sent == rows.count() - 8
    assert len(fake_sendgrid.accepted) == sent and set(fake_sendgrid.accepted.values()) == {1}
    assert CampaignEvent.objects.filter(campaign=campaign, event_type="sent").count() == sent
    assert Campaign.objects.get(pk=campaign.pk).status == "completed"


@pytest.mark.django_db
def test_admin_actions_run_the_lifecycle_and_report_refusals(
    fake_sendgrid, staff_user, client, django_capture_on_commit_callbacks
):
    ready = ready_campaign(["ok1"])
    draft = ready_campaign(["ok2"], status="draft")
    client.force_login(staff_user)
    selection = {"action": "start", "_selected_action": [ready.pk, draft.pk]}
    confirmation = client.post("/admin/campaigns/campaign/", selection)
    assert "are you sure" in confirmation.content.decode()
    assert Campaign.objects.get(pk=ready.pk).status == "ready"  # nothing happens before the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/campaigns/campaign/", {**selection, "confirmed": "yes"}, follow=True)
    shown = [str(message) for message in response.context["messages"]]
    assert "1 campaign started." in shown
    assert any(draft.name in line and "draft" in line for line in shown)
    assert Campaign.objects.get(pk=ready.pk).status == "completed"
    assert Campaign.objects.get(pk=draft.pk).status == "draft"
