"""Step 032: a webhook public key belongs to one organizer.

Existing keys are stored in their canonical spelling with their fingerprint. Where organizers already
share a key, the first by name (the one whose events it verified so far) keeps it and the others'
copies are cleared, with a warning naming them; they receive no events through it either way.
"""

import logging

from django.db import migrations, models

import liffy.webhook_keys

log = logging.getLogger(__name__)


def fingerprint_keys(apps, schema_editor):
    from liffy.webhook_keys import canonical_spelling, fingerprint

    Organizer = apps.get_model("liffy", "Organizer")
    owners = {}
    for organizer in (
        Organizer.objects.exclude(sendgrid_webhook_public_key=None)
        .exclude(sendgrid_webhook_public_key="")
        .order_by("name", "id")
    ):
        key_fingerprint = fingerprint(organizer.sendgrid_webhook_public_key)
        if key_fingerprint is None:
            continue
        if key_fingerprint in owners:
            log.warning(
                "Organizer %s (%s) shared its SendGrid webhook key with %s: cleared, it must register its own.",
                organizer.pk,
                organizer.name,
                owners[key_fingerprint],
            )
            organizer.sendgrid_webhook_public_key = None
            organizer.save(update_fields=["sendgrid_webhook_public_key"])
            continue
        owners[key_fingerprint] = organizer.pk
        organizer.sendgrid_webhook_public_key = canonical_spelling(organizer.sendgrid_webhook_public_key)
        organizer.sendgrid_webhook_key_fingerprint = key_fingerprint
        organizer.save(update_fields=["sendgrid_webhook_public_key", "sendgrid_webhook_key_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("liffy", "0031_drop_plain_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="organizer",
            name="sendgrid_webhook_key_fingerprint",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="SHA-256 of the webhook key's canonical DER: one organizer per key.",
                max_length=64,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="organizer",
            name="sendgrid_webhook_public_key",
            field=models.TextField(
                blank=True,
                help_text="Base64 DER public key of the organizer's SendGrid signed event webhook.",
                null=True,
                validators=[liffy.webhook_keys.validate_webhook_public_key],
            ),
        ),
        migrations.RunPython(fingerprint_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="organizer",
            constraint=models.UniqueConstraint(
                fields=("sendgrid_webhook_key_fingerprint",), name="organizers_webhook_key_one_owner"
            ),
        ),
    ]
