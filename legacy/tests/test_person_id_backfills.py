"""backfill_recipient_person_ids and backfill_list_member_person_ids: linking, creating, idempotence,
resuming after a kill, dry runs."""

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import CampaignRecipient
from campaigns.tests.factories import CampaignRecipientFactory
from legacy.backfills import link_members_batch, link_recipients_batch
from legacy.tests.factories import ListFactory
from legacy.tests.sql import sql
from liffy.backfills import FIRST_ID
from persons.models import Person
from persons.tests.factories import PersonFactory


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return json.loads(out.getvalue().split("\n}")[0] + "\n}")


@pytest.mark.django_db
def test_recipients_are_linked_to_the_person_of_their_address(organizer, other_organizer):
    person = PersonFactory(organizer=organizer, email="jane@client.test")
    PersonFactory(organizer=other_organizer, email="nobody@client.test")
    linked = CampaignRecipientFactory(campaign__organizer=organizer, email="JANE@client.test")
    orphan = CampaignRecipientFactory(campaign__organizer=organizer, email="nobody@client.test")
    already = CampaignRecipientFactory(
        campaign__organizer=organizer,
        email="x@client.test",
        person=PersonFactory(organizer=organizer, email="x@client.test"),
    )

    assert run("backfill_recipient_person_ids", "--dry-run")["linked"] == 1
    assert CampaignRecipient.objects.get(pk=linked.pk).person_id is None
    report = run("backfill_recipient_person_ids", "--batch-size", "1")
    assert report == {"recipients_processed": 2, "linked": 1, "no_person": 1, "errors": [], "dry_run": False}
    assert CampaignRecipient.objects.get(pk=linked.pk).person_id == person.pk
    assert CampaignRecipient.objects.get(pk=orphan.pk).person_id is None  # never across organizers
    assert CampaignRecipient.objects.get(pk=already.pk).person.email == "x@client.test"
    again = run("backfill_recipient_person_ids")
    assert (again["recipients_processed"], again["linked"]) == (1, 0)


@pytest.mark.django_db
def test_a_recipient_backfill_killed_after_one_batch_is_finished_by_running_again(organizer):
    for n in range(5):
        email = f"p{n}@client.test"
        CampaignRecipientFactory(campaign__organizer=organizer, email=email)
        PersonFactory(organizer=organizer, email=email)
    link_recipients_batch(FIRST_ID, 2)  # the first batch committed, then the process died
    report = run("backfill_recipient_person_ids")
    assert (report["recipients_processed"], report["linked"]) == (3, 3)
    assert not CampaignRecipient.objects.filter(person__isnull=True).exists()


@pytest.mark.slow
def test_list_members_get_persons_created_from_their_prospects(organizer, before_027):
    PersonFactory(organizer=organizer, email="known@client.test", first_name="Known", last_name=None)
    fair, other = ListFactory(organizer=organizer), ListFactory(organizer=organizer)
    prospects = {
        "jane": ("Jane@Client.test", "  Jane   Mary  Doe ", "valid"),
        "cher": ("cher@client.test", "Cher", "weird-status"),
        "blank": ("blank@client.test", "  ", None),
        "known": ("known@client.test", "Somebody Else", "invalid"),
        "noemail": (None, "No Email", None),
        "jane_again": ("JANE@client.test", "Jane Mary Doe", "valid"),  # the original let a list hold an address twice
    }
    ids = {}
    for key, (email, name, status) in prospects.items():
        ids[key] = uuid.uuid4()
        sql(
            "INSERT INTO prospects (id, organizer_id, email, name, verification_status, created_at)"
            " VALUES (%s, %s, %s, %s, %s, now() - interval '30 days')",
            [ids[key], organizer.pk, email, name, status],
        )
    memberships = [
        (fair, "jane"),
        (fair, "cher"),
        (fair, "blank"),
        (fair, "known"),
        (fair, "noemail"),
        (other, "jane"),
        (fair, "jane_again"),
    ]
    for target, key in memberships:
        sql(
            "INSERT INTO list_members (id, organizer_id, list_id, prospect_id, created_at)"
            " VALUES (%s, %s, %s, %s, now())",
            [uuid.uuid4(), organizer.pk, target.pk, ids[key]],
        )

    dry = run("backfill_list_member_person_ids", "--dry-run")
    assert (dry["persons_created"], dry["linked"], dry["duplicate_membership"]) == (3, 5, 1)
    assert sql("SELECT count(*) FROM list_members WHERE person_id IS NULL") == [(7,)]

    link_members_batch(FIRST_ID, 2)  # the first batch committed, then the run was killed
    report = run("backfill_list_member_person_ids")
    assert report["no_email"] == 1 and report["errors"] == []
    people = {p.email: p for p in Person.objects.filter(organizer=organizer)}
    assert (people["jane@client.test"].first_name, people["jane@client.test"].last_name) == ("Jane", "Mary Doe")
    assert people["jane@client.test"].verification_status == "valid"
    assert (people["cher@client.test"].first_name, people["cher@client.test"].last_name) == ("Cher", None)
    assert people["cher@client.test"].verification_status == "unknown"
    assert (people["blank@client.test"].first_name, people["blank@client.test"].last_name) == (None, None)
    assert (people["known@client.test"].first_name, people["known@client.test"].last_name) == ("Known", None)
    assert people["known@client.test"].verification_status != "invalid"  # existing persons never change
    assert sql("SELECT count(*) FROM list_members WHERE person_id IS NOT NULL") == [(5,)]
    assert sql("SELECT count(DISTINCT person_id) FROM list_members WHERE list_id = %s", [fair.pk]) == [(4,)]
    # one of jane's two memberships of the fair list is gone: the list holds her once
    assert sql(
        "SELECT count(*) FROM list_members WHERE list_id = %s AND prospect_id IN (%s, %s)",
        [fair.pk, ids["jane"], ids["jane_again"]],
    ) == [(1,)]

    again = run("backfill_list_member_person_ids")
    assert (again["members_processed"], again["persons_created"], again["linked"]) == (1, 0, 0)
    sql("DELETE FROM list_members WHERE person_id IS NULL")  # the member without an address


@pytest.mark.django_db
def test_the_member_backfill_explains_itself_after_027():
    with pytest.raises(CommandError, match="step 027 has archived"):
        run("backfill_list_member_person_ids")
