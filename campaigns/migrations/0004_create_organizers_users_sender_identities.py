"""Step 004 (campaigns part): sender_identities; foreign keys from templates and campaigns to organizers."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from liffy.fields import created_at_field, uuid_primary_key


def organizer_fk():
    return models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer")


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_create_campaigns"),
        ("liffy", "0004_create_organizers_users_sender_identities"),
    ]

    operations = [
        migrations.CreateModel(
            name="SenderIdentity",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", organizer_fk()),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("label", models.CharField(blank=True, max_length=100, null=True)),
                ("from_name", models.CharField(max_length=255)),
                ("from_email", models.CharField(max_length=255)),
                ("reply_to", models.CharField(blank=True, max_length=255, null=True)),
                ("is_default", models.BooleanField(default=False)),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "sender_identities",
                "ordering": ["from_email"],
                "verbose_name_plural": "sender identities",
            },
        ),
        migrations.AlterField(model_name="emailtemplate", name="organizer", field=organizer_fk()),
        migrations.AlterField(model_name="campaign", name="organizer", field=organizer_fk()),
    ]
