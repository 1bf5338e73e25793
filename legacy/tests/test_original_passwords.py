"""Users adopted from the original system keep their passwords: its bcrypt hashes ($2a$ from bcryptjs, $2b$ from
node bcrypt, made here by the `bcrypt` library), given Django's prefix by adoption, log in through the API and are
re-hashed with the preferred hasher; a long password reads as the original's libraries read it, never as a 5xx."""

import importlib
import os

import bcrypt
import pytest

from legacy.adoption_data import prefix_bcrypt_hashes
from liffy.models import User
from liffy.tests.factories import UserFactory

LONG = "correct horse battery staple " * 4  # 116 bytes: bcrypt reads the first 72


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).PASSWORD_HASHERS


def adopted_user(organizer, password, prefix):
    user = UserFactory(organizer=organizer)
    original = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4, prefix=prefix)).decode()
    User.objects.filter(pk=user.pk).update(password=original)  # as the original stored it
    assert prefix_bcrypt_hashes()  # as adoption stores it
    return user


def log_in(api_client, user, password):
    return api_client.post("/api/auth/token", {"email": user.email, "password": password}, format="json")


@pytest.mark.parametrize("prefix", [b"2a", b"2b"])
def test_an_original_password_logs_in_and_is_upgraded(api_client, organizer, project_hashers, prefix):
    user = adopted_user(organizer, "fair-2025!", prefix)
    assert User.objects.get(pk=user.pk).password.startswith("bcrypt$$" + prefix.decode() + "$")
    assert log_in(api_client, user, "fair-2024!").status_code == 400
    assert User.objects.get(pk=user.pk).password.startswith("bcrypt$")  # a wrong password changes nothing

    response = log_in(api_client, user, "fair-2025!")
    assert response.status_code == 200 and response.json()["token"]
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$")
    assert log_in(api_client, user, "fair-2025!").status_code == 200


def test_a_long_password_reads_as_the_original_read_it(api_client, organizer, project_hashers):
    user = adopted_user(organizer, LONG, b"2b")
    assert log_in(api_client, user, LONG[:60] + "x" * 56).status_code == 400  # wrong, and never a 500
    assert log_in(api_client, user, LONG).status_code == 200
