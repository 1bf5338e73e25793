"""Shared pytest fixtures, loaded as a plugin from pytest.ini (`-p liffy.testing`).

Model imports stay inside the fixtures: this module is imported before Django is set up.
"""
import threading

import pytest


def at_once(*calls):
    """Run each callable in its own thread, released together, each with its own database connection.

    Returns their results in order; the first exception raised in a thread is raised here.
    """
    from django.db import connection

    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing costs ~0.3 s a password; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def organizer(db):
    from liffy.tests.factories import OrganizerFactory

    return OrganizerFactory()


@pytest.fixture
def other_organizer(db):
    from liffy.tests.factories import OrganizerFactory

    return OrganizerFactory(name="Other organizer")


def _user(organizer, role):
    from liffy.tests.factories import UserFactory

    return UserFactory(organizer=organizer, role=role)


@pytest.fixture
def owner(organizer):
    return _user(organizer, "owner")


@pytest.fixture
def org_admin(organizer):
    return _user(organizer, "admin")


@pytest.fixture
def member(organizer):
    """A user with the plain `user` role."""
    return _user(organizer, "user")


def _client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_client():
    """Unauthenticated API client."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def org_admin_client(org_admin):
    return _client_for(org_admin)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def staff_user(db):
    from liffy.models import User

    return User.objects.create_superuser("staff@liffy.test", "staff-password-123")
