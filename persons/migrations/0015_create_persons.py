"""Step 015: persons, the identity layer: one row per (organizer, lower(email))."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    initial = True
    dependencies = [("liffy", "0014_add_physical_address")]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="persons", to="liffy.organizer"
                    ),
                ),
                ("email", models.CharField(max_length=320)),
                ("first_name", models.CharField(blank=True, max_length=255, null=True)),
                ("last_name", models.CharField(blank=True, max_length=255, null=True)),
                ("created_at", created_at_field()),
                ("updated_at", created_at_field()),
            ],
            options={
                "db_table": "persons",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(models.F("organizer"), Lower("email"), name="persons_organizer_email_uniq")
                ],
                "indexes": [models.Index(Lower("email"), name="persons_email_lower_idx")],
            },
        ),
    ]
