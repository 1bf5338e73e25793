import pytest

from campaigns.tests.fake_sendgrid import FakeSendGrid


@pytest.fixture
def fake_sendgrid(settings):
    server = FakeSendGrid()
    settings.SENDGRID_API_URL = server.url
    settings.SENDGRID_TIMEOUT_SECONDS = 0.5
    settings.SENDGRID_BACKOFF_SECONDS = 0.01
    settings.SENDGRID_MAX_RETRIES = 2
    yield server
    server.close()
