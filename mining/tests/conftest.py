import pytest

from mining.tests.sites import FixtureSite


@pytest.fixture
def site():
    with FixtureSite() as fixture:
        yield fixture
