"""The migration sequence: original order, reversible end to end, and in step with the models."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

OUR_APPS = ("liffy", "persons", "campaigns", "mining", "legacy")
EXPECTED_STEPS = [
    "001",
    "002",
    "003",
    "004",
    "005",
    "005b",
    "006",
    "007",
    "010",
    "011",
    "012",
    "013",
    "014",
    "015",
    "016",
    "017",
    "018",
    "019",
    "020",
    "021",
    "022",
    "023",
    "024",
    "025",
    "026",
    "027",
    "028",
    "029",
    "030",
    "031",
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "040",
]


def applied_steps():
    """Step numbers in the order the migrations were applied, one entry per step across apps."""
    names = MigrationRecorder.Migration.objects.filter(app__in=OUR_APPS).order_by("id").values_list("name", flat=True)
    steps = []
    for name in names:
        step = re.match(r"0(\d{3}b?)_", name).group(1)
        if not steps or steps[-1] != step:
            steps.append(step)
    return steps


def test_fresh_migrate_applies_the_original_steps_in_order(db):
    assert applied_steps() == EXPECTED_STEPS


def test_every_step_is_named_after_the_original_file(db):
    names = set(MigrationRecorder.Migration.objects.filter(app__in=OUR_APPS).values_list("name", flat=True))
    expected = {"0001_create_email_templates", "0005b_mining_logs_and_results_updates", "0027_archive_legacy_tables"}
    assert expected <= names


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.slow
def test_migrate_back_before_001_and_forward_again(transactional_db):
    call_command("migrate", "campaigns", "zero", verbosity=0)
    assert not {"persons", "email_templates", "organizers", "campaign_events"} & tables()
    assert not MigrationRecorder.Migration.objects.filter(app__in=OUR_APPS).exists()

    call_command("migrate", verbosity=0)
    assert {"persons", "email_templates", "prospects_archive", "campaign_events"} <= tables()
    assert "email_logs" not in tables()
    assert applied_steps()[-len(EXPECTED_STEPS) :] == EXPECTED_STEPS
