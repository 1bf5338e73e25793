"""Step 012: unsubscribes, one per (organizer, lower(email))."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0011_campaign_recipients_add_prospect_id")]

    operations = [
        migrations.CreateModel(
            name="Unsubscribe",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                ("email", models.CharField(max_length=320)),
                ("reason", models.CharField(blank=True, max_length=100, null=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "unsubscribes",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("organizer"), Lower("email"), name="unsubscribes_organizer_email_uniq"
                    )
                ],
            },
        ),
    ]
