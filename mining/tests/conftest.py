import pytest

from mining.tests.sites import FixtureSite


@pytest.fixture
def site(settings):
    """The fixture site on 127.0.0.1: mining it needs MINING_ALLOW_PRIVATE_ADDRESSES."""
    settings.MINING_ALLOW_PRIVATE_ADDRESSES = True
    with FixtureSite() as fixture:
        yield fixture


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Celery runs eagerly without a broker; the job is queued on commit, so run the callbacks."""

    def post(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)

    return post
