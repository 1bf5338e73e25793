"""Unsubscribe links: tokens (tampering, expiry, replay), the confirmation page, POST and one-click."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from rest_framework.throttling import ScopedRateThrottle

from campaigns.models import CampaignEvent, Unsubscribe
from campaigns.tests.factories import CampaignRecipientFactory
from campaigns.unsubscribe import InvalidLink, UnsubscribeRequest, make_token, read_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipient(organizer):
    return CampaignRecipientFactory(campaign__organizer=organizer, email="Jane@Client.test")


def token_for(recipient, **changes):
    fields = {
        "organizer_id": recipient.organizer_id,
        "email": recipient.email,
        "campaign_id": recipient.campaign_id,
        "recipient_id": recipient.pk,
    } | changes
    return make_token(UnsubscribeRequest(**fields))


def test_a_token_round_trips_and_a_tampered_one_is_refused(recipient):
    token = token_for(recipient)
    assert read_token(token).email == "Jane@Client.test"
    payload, signature = token.rsplit(":", 1)
    with pytest.raises(InvalidLink, match="not valid"):
        read_token(payload + ":" + signature[::-1])
    forged = signing.dumps(
        {"o": str(recipient.organizer_id), "e": "x@y.test", "c": "c", "r": "r"},
        key="another secret",
        salt="liffy.campaigns.unsubscribe",
        compress=True,
    )
    with pytest.raises(InvalidLink):
        read_token(forged)


def test_tokens_expire_after_the_configured_days(recipient):
    token = token_for(recipient)
    in_89_days = time.time() + timedelta(days=89).total_seconds()
    in_91_days = time.time() + timedelta(days=91).total_seconds()
    with mock.patch("time.time", return_value=in_89_days):
        assert read_token(token).email == "Jane@Client.test"
    with mock.patch("time.time", return_value=in_91_days), pytest.raises(InvalidLink, match="expired"):
        read_token(token)


def test_get_shows_a_confirmation_and_writes_nothing(api_client, recipient):
    response = api_client.get(f"/unsubscribe/{token_for(recipient)}")
    assert response.status_code == 200 and b"Stop all emails" in response.content
    assert b'<form method="post">' in response.content
    assert not Unsubscribe.objects.exists() and not CampaignEvent.objects.exists()


def test_post_unsubscribes_once_however_often_replayed(api_client, recipient):
    url = f"/unsubscribe/{token_for(recipient)}"
    for _ in range(3):
        response = api_client.post(url)
        assert response.status_code == 200 and b"You are unsubscribed" in response.content
    suppression = Unsubscribe.objects.get()
    assert suppression.email == "jane@client.test" and suppression.source == "user_request"
    assert suppression.organizer_id == recipient.organizer_id
    event = CampaignEvent.objects.get()
    assert (event.event_type, event.recipient_id, event.campaign_id) == (
        "unsubscribe",
        recipient.pk,
        recipient.campaign_id,
    )


def test_rfc8058_one_click_post(api_client, recipient):
    response = api_client.post(
        f"/unsubscribe/{token_for(recipient)}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and Unsubscribe.objects.count() == 1


def test_an_invalid_link_gets_a_clear_page_and_stores_nothing(api_client, recipient):
    response = api_client.post("/unsubscribe/not-a-token")
    assert response.status_code == 400 and b"not valid" in response.content
    assert not Unsubscribe.objects.exists()


def test_a_recipient_of_another_organizer_in_the_token_gets_no_event(api_client, recipient, other_organizer):
    api_client.post(f"/unsubscribe/{token_for(recipient, organizer_id=other_organizer.pk)}")
    assert Unsubscribe.objects.get().organizer_id == other_organizer.pk
    assert not CampaignEvent.objects.exists()


def test_pages_escape_what_they_show(api_client, recipient):
    type(recipient.organizer).objects.filter(pk=recipient.organizer_id).update(name="<script>alert(1)</script>")
    response = api_client.get(f"/unsubscribe/{token_for(recipient, email='<b>x</b>@client.test')}")
    assert b"<script>alert" not in response.content and b"&lt;script&gt;" in response.content
    assert b"&lt;b&gt;x&lt;/b&gt;" in response.content


def test_the_pages_are_throttled(api_client, recipient):
    url = f"/unsubscribe/{token_for(recipient)}"
    with mock.patch.object(ScopedRateThrottle, "THROTTLE_RATES", {"unsubscribe": "3/min"}):
        codes = [api_client.get(url).status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[3:] == [429, 429]
