"""Provider keys at rest: readable across a change of keys, rotated by a command, refused clearly when no key fits."""

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command

from liffy import sql
from liffy.encryption import UnreadableSecret
from liffy.models import Organizer
from liffy.tests.factories import OrganizerFactory

OLD, NEW, STRANGER = (Fernet.generate_key().decode() for _ in range(3))
SENDGRID_KEY = "SG.rotation-test-key-0123456789"


def stored_value(organizer):
    return sql.fetch_value("SELECT sendgrid_api_key FROM organizers WHERE id = %s", [organizer.pk])


def read_back(organizer):
    return Organizer.objects.get(pk=organizer.pk).sendgrid_api_key


def rotate(*options):
    """(exit status, report of the sendgrid_api_key column) of `manage.py rotate_encryption_keys`."""
    out = io.StringIO()
    try:
        call_command("rotate_encryption_keys", *options, stdout=out, stderr=io.StringIO())
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, json.loads(out.getvalue())["organizers.sendgrid_api_key"]


@pytest.fixture
def keys(settings):
    """Sets FIELD_ENCRYPTION_KEY's keys, first one encrypting."""

    def use(*field_keys):
        settings.FIELD_ENCRYPTION_KEYS = list(field_keys)

    return use


def test_values_written_before_a_field_key_was_set_stay_readable_after(db, keys):
    keys()  # derived from DJANGO_SECRET_KEY
    organizer = OrganizerFactory(sendgrid_api_key=SENDGRID_KEY)
    keys(NEW)
    assert read_back(organizer) == SENDGRID_KEY


def test_values_written_under_an_earlier_secret_key_are_read_through_its_fallback(db, keys, settings):
    keys()
    organizer = OrganizerFactory(sendgrid_api_key=SENDGRID_KEY)
    old_secret, settings.SECRET_KEY = settings.SECRET_KEY, "a-new-secret-key-" + "x" * 40
    with pytest.raises(UnreadableSecret):
        read_back(organizer)
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert read_back(organizer) == SENDGRID_KEY


def test_rotation_moves_every_value_to_the_first_key_so_the_old_one_can_go(db, keys):
    keys(OLD)
    organizer = OrganizerFactory(sendgrid_api_key=SENDGRID_KEY)
    untouched = OrganizerFactory(sendgrid_api_key="")
    before = stored_value(organizer)

    keys(NEW, OLD)
    assert read_back(organizer) == SENDGRID_KEY
    assert rotate("--dry-run") == (0, {"current": 0, "reencrypted": 1, "encrypted": 0, "unreadable": 0})
    assert stored_value(organizer) == before

    assert rotate()[1]["reencrypted"] == 1
    assert Fernet(NEW).decrypt(stored_value(organizer).removeprefix("enc:").encode()).decode() == SENDGRID_KEY
    assert rotate() == (0, {"current": 1, "reencrypted": 0, "encrypted": 0, "unreadable": 0})  # idempotent
    keys(NEW)
    assert read_back(organizer) == SENDGRID_KEY and read_back(untouched) == ""


def test_plaintext_values_are_encrypted_by_the_rotation(db, keys):
    keys(NEW)
    organizer = OrganizerFactory()
    sql.execute("UPDATE organizers SET sendgrid_api_key = %s WHERE id = %s", [SENDGRID_KEY, organizer.pk])
    assert rotate()[1]["encrypted"] == 1
    assert stored_value(organizer).startswith("enc:") and read_back(organizer) == SENDGRID_KEY


def test_a_value_no_key_can_read_is_reported_and_left_as_it_is(db, keys):
    keys(STRANGER)
    organizer = OrganizerFactory(sendgrid_api_key=SENDGRID_KEY)
    before = stored_value(organizer)
    keys(NEW)
    with pytest.raises(UnreadableSecret, match="FIELD_ENCRYPTION_KEY"):
        read_back(organizer)
    status, report = rotate()
    assert status == 1 and report["unreadable"] == 1 and stored_value(organizer) == before


def test_a_field_key_that_is_not_a_fernet_key_fails_the_system_checks(keys):
    keys(NEW, "not-a-key")
    assert [issue.id for issue in run_checks() if issue.id == "liffy.E002"] == ["liffy.E002"]
    keys(NEW, OLD)
    assert not [issue for issue in run_checks() if issue.id == "liffy.E002"]
