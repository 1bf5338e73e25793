"""The SendGrid client: retries with backoff for 429/5xx/timeouts, Retry-After, permanent 4xx, key checks."""

from unittest import mock

import pytest
import requests
import responses

from campaigns.sendgrid import SendGridClient, SendGridError

URL = "https://sendgrid.test/v3/mail/send"


@pytest.fixture(autouse=True)
def quick(settings):
    settings.SENDGRID_API_URL = "https://sendgrid.test"
    settings.SENDGRID_BACKOFF_SECONDS = 0.5
    settings.SENDGRID_MAX_RETRIES = 3
    with mock.patch("liffy.http.time.sleep") as sleep:
        yield sleep


@responses.activate
def test_accepted_message_returns_the_message_id_and_sends_the_key():
    responses.post(URL, status=202, headers={"X-Message-Id": "abc123"})
    assert SendGridClient("SG.key").send({"subject": "x"}) == "abc123"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer SG.key"


@responses.activate
def test_429_and_5xx_are_retried_with_exponential_backoff(quick):
    responses.post(URL, status=429)
    responses.post(URL, status=500)
    responses.post(URL, status=502)
    responses.post(URL, status=202, headers={"X-Message-Id": "late"})
    assert SendGridClient("k").send({}) == "late"
    assert [call.args[0] for call in quick.call_args_list] == [0.5, 1.0, 2.0]


@responses.activate
def test_retry_after_is_honoured_and_capped(quick):
    responses.post(URL, status=429, headers={"Retry-After": "7"})
    responses.post(URL, status=429, headers={"Retry-After": "3600"})
    responses.post(URL, status=202)
    SendGridClient("k").send({})
    assert [call.args[0] for call in quick.call_args_list] == [7, 60]


@responses.activate
def test_retries_run_out_into_an_error_naming_the_status():
    for _ in range(4):
        responses.post(URL, status=503, json={"errors": [{"message": "unavailable"}]})
    with pytest.raises(SendGridError, match="SendGrid 503: unavailable") as error:
        SendGridClient("k").send({})
    assert error.value.status == 503 and len(responses.calls) == 4


@responses.activate
def test_a_client_error_is_permanent_and_not_retried():
    responses.post(
        URL, status=400, json={"errors": [{"message": "Invalid from", "field": "from"}, {"message": "Bad subject"}]}
    )
    with pytest.raises(SendGridError, match="SendGrid 400: Invalid from; Bad subject"):
        SendGridClient("k").send({})
    assert len(responses.calls) == 1


@responses.activate
def test_timeouts_are_retried_then_reported():
    for _ in range(4):
        responses.post(URL, body=requests.Timeout("read timed out"))
    with pytest.raises(SendGridError, match="unreachable: Timeout"):
        SendGridClient("k").send({})
    assert len(responses.calls) == 4


@responses.activate
def test_check_api_key():
    responses.get("https://sendgrid.test/v3/scopes", status=200, json={"scopes": []})
    responses.get("https://sendgrid.test/v3/scopes", status=401)
    assert SendGridClient("good").check_api_key() is True
    assert SendGridClient("bad").check_api_key() is False
