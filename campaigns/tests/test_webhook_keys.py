"""A Signed Event Webhook key belongs to one organizer: another organizer (or the deployment's shared key)
cannot register it under any spelling, so no organizer's events are taken by another's key."""

import base64
import textwrap

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import CampaignEvent
from campaigns.tests.factories import CampaignFactory, CampaignRecipientFactory
from campaigns.tests.test_webhook import Signer, event, post
from liffy.models import Organizer
from liffy.tests.factories import UserFactory
from liffy.webhook_keys import KEY_TAKEN, SHARED_KEY

pytestmark = pytest.mark.django_db
FIELD = "sendgrid_webhook_public_key"


def owner_of(organizer):
    client = APIClient()
    client.force_authenticate(UserFactory(organizer=organizer, role="owner"))
    return client


def set_key(organizer, key):
    return owner_of(organizer).patch("/api/organizer/settings", {FIELD: key})


def spellings(signer):
    """The same public key written four ways: as SendGrid shows it, wrapped, PEM, and with a compressed point;
    plus a bare X9.62 point, which is no SubjectPublicKeyInfo at all."""
    public = signer.private.public_key()
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    algorithm = bytes.fromhex("301306072a8648ce3d020106082a8648ce3d030107")  # id-ecPublicKey, prime256v1
    body = algorithm + b"\x03" + bytes([len(point) + 1]) + b"\x00" + point
    compressed_spki = base64.b64encode(b"\x30" + bytes([len(body)]) + body).decode()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return {
        "as shown": signer.public,
        "wrapped": "\n".join(textwrap.wrap(signer.public, 40)) + "\n",
        "pem": pem,
        "compressed point": compressed_spki,
        "x962": base64.b64encode(point).decode(),
    }


@pytest.fixture
def signer(organizer):
    signer = Signer()
    assert set_key(organizer, signer.public).status_code == 200
    return signer


@pytest.mark.parametrize("spelling", ["as shown", "wrapped", "pem", "compressed point"])
def test_another_organizer_cannot_register_a_key_in_any_spelling(signer, other_organizer, spelling):
    response = set_key(other_organizer, spellings(signer)[spelling])
    assert response.status_code == 400
    assert response.json() == {FIELD: [KEY_TAKEN]}
    other_organizer.refresh_from_db()
    assert other_organizer.sendgrid_webhook_public_key is None


def test_a_key_that_is_no_p256_public_key_is_refused(owner_client):
    x962_point = spellings(Signer())["x962"]  # a bare point, not a SubjectPublicKeyInfo
    response = owner_client.patch("/api/organizer/settings", {FIELD: x962_point})
    assert response.status_code == 400 and "Paste the key SendGrid shows" in response.json()[FIELD][0]


def test_the_owner_may_save_its_own_key_again_and_it_is_kept_as_sendgrid_shows_it(signer, organizer):
    assert set_key(organizer, spellings(signer)["pem"]).status_code == 200
    organizer.refresh_from_db()
    assert organizer.sendgrid_webhook_public_key == signer.public
    assert owner_of(organizer).get("/api/organizer/settings").json()[FIELD] == signer.public


def test_a_released_key_can_be_registered_by_another_organizer(signer, organizer, other_organizer):
    assert set_key(organizer, "").status_code == 200
    assert set_key(other_organizer, signer.public).status_code == 200


def test_the_deployments_shared_key_is_refused_as_an_organizer_key(owner_client, settings):
    shared = Signer()
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = shared.public
    for spelling in ("as shown", "pem"):
        response = owner_client.patch("/api/organizer/settings", {FIELD: spellings(shared)[spelling]})
        assert response.status_code == 400 and response.json() == {FIELD: [SHARED_KEY]}


def test_each_organizers_key_carries_its_own_events(api_client, signer, organizer, other_organizer):
    other_signer = Signer()
    assert set_key(other_organizer, spellings(signer)["wrapped"]).status_code == 400
    assert set_key(other_organizer, other_signer.public).status_code == 200
    ours, theirs = (
        CampaignRecipientFactory(
            campaign=CampaignFactory(organizer=org, status="sending"), status="sent", sent_at=timezone.now()
        )
        for org in (organizer, other_organizer)
    )

    assert post(api_client, signer, [event(ours, "delivered")]).json()["stored"] == 1
    assert post(api_client, other_signer, [event(theirs, "delivered")]).json()["stored"] == 1
    # a key never carries another organizer's events
    assert post(api_client, signer, [event(theirs, "open")]).json()["unknown_recipient"] == 1
    assert sorted(CampaignEvent.objects.values_list("organizer_id", "event_type")) == sorted(
        [(organizer.pk, "delivered"), (other_organizer.pk, "delivered")]
    )


def test_the_database_holds_one_owner_per_key_whatever_the_path(signer, organizer, other_organizer):
    other_organizer.sendgrid_webhook_public_key = spellings(signer)["compressed point"]
    with pytest.raises(ValidationError) as refused:
        other_organizer.full_clean()  # what the admin's form runs
    assert refused.value.message_dict[FIELD] == [KEY_TAKEN]
    with pytest.raises(IntegrityError), transaction.atomic():
        other_organizer.save()
    assert Organizer.objects.filter(sendgrid_webhook_key_fingerprint__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_step_032_leaves_a_shared_key_with_the_organizer_whose_events_it_verified():
    before = ("liffy", "0030_zerobounce_key_flag")
    call_command("migrate", *before, verbosity=0)
    old_organizer = MigrationExecutor(connection).loader.project_state(before).apps.get_model("liffy", "Organizer")
    signer = Signer()
    for name, key in [
        ("Beta", spellings(signer)["wrapped"]),
        ("Acme", spellings(signer)["pem"]),
        ("Zeta", signer.public),
        ("Solo", Signer().public),
        ("Broken", "not a key"),
    ]:
        old_organizer.objects.create(name=name, sendgrid_webhook_public_key=key)

    call_command("migrate", verbosity=0)
    keys = dict(Organizer.objects.values_list("name", "sendgrid_webhook_public_key"))
    assert keys["Acme"] == signer.public  # first by name: the organizer the key verified events for until now
    assert keys["Beta"] is None and keys["Zeta"] is None
    assert keys["Solo"] and keys["Broken"] == "not a key"
    assert Organizer.objects.filter(sendgrid_webhook_key_fingerprint__isnull=False).count() == 2
