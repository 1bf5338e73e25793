"""Step 019 (persons part): persons.verification_status/verified_at and verification_queue."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from liffy.fields import created_at_field, uuid_primary_key
from persons.models import QueueStatus, VerificationStatus


class Migration(migrations.Migration):
    dependencies = [("persons", "0017_create_prospect_intents"), ("liffy", "0019_add_verification_columns")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="verification_status",
            field=models.CharField(choices=VerificationStatus.choices, default="unknown", max_length=20, null=True),
        ),
        migrations.AddField(model_name="person", name="verified_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.CreateModel(
            name="VerificationQueue",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                ("email", models.CharField(max_length=320)),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="persons.person",
                    ),
                ),
                (
                    "prospect",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="legacy.prospect",
                    ),
                ),
                ("status", models.CharField(choices=QueueStatus.choices, default="pending", max_length=20)),
                ("result", models.JSONField(blank=True, null=True)),
                ("created_at", created_at_field()),
                ("processed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "db_table": "verification_queue",
                "ordering": ["created_at"],
                "verbose_name": "verification queue row",
                "constraints": [
                    models.UniqueConstraint(
                        models.F("organizer"),
                        Lower("email"),
                        condition=models.Q(status__in=["pending", "processing"]),
                        name="verification_queue_open_email_uniq",
                    )
                ],
                "indexes": [
                    models.Index(
                        fields=["organizer", "status", "created_at"],
                        condition=models.Q(status="pending"),
                        name="verification_queue_pending_idx",
                    )
                ],
            },
        ),
    ]
