"""Step 005 (the second one): mining_job_logs, and mining_results as the original used it.

mining_results was created outside the numbered files in the original; it is created whole here.
job_id columns stay plain until step 007 creates mining_jobs.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

from liffy.fields import created_at_field, uuid_primary_key
from mining.models import LogLevel


class Migration(migrations.Migration):
    initial = True
    dependencies = [("campaigns", "0005_create_campaign_recipients")]

    operations = [
        migrations.CreateModel(
            name="MiningResult",
            fields=[
                ("id", uuid_primary_key()),
                ("job", models.UUIDField(db_column="job_id", db_index=True)),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                ("source_url", models.TextField()),
                ("company_name", models.TextField(blank=True, null=True)),
                ("contact_name", models.TextField(blank=True, null=True)),
                ("job_title", models.TextField(blank=True, null=True)),
                ("phone", models.TextField(blank=True, null=True)),
                ("country", models.TextField(blank=True, null=True)),
                ("website", models.TextField(blank=True, null=True)),
                ("city", models.TextField(blank=True, null=True)),
                ("address", models.TextField(blank=True, null=True)),
                (
                    "emails",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), blank=True, null=True, size=None
                    ),
                ),
                ("raw", models.JSONField(blank=True, null=True)),
                ("confidence_score", models.DecimalField(blank=True, decimal_places=4, max_digits=7, null=True)),
                ("verification_status", models.TextField(blank=True, db_index=True, null=True)),
                ("status", models.TextField(blank=True, db_index=True, default="new", null=True)),
                ("created_at", created_at_field()),
                ("updated_at", created_at_field()),
            ],
            options={
                "db_table": "mining_results",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["job", "created_at"], name="mining_results_job_created_idx")],
            },
        ),
        migrations.CreateModel(
            name="MiningJobLog",
            fields=[
                ("id", uuid_primary_key()),
                ("job", models.UUIDField(db_column="job_id")),
                ("timestamp", created_at_field(editable=True)),
                ("level", models.TextField(choices=LogLevel.choices, default="info")),
                ("message", models.TextField()),
                ("details", models.JSONField(blank=True, null=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "mining_job_logs",
                "ordering": ["timestamp"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(level__in=["debug", "info", "warn", "error", "success"]),
                        name="mining_job_logs_level_check",
                    )
                ],
                "indexes": [models.Index(fields=["job", "timestamp"], name="mining_job_logs_job_time_idx")],
            },
        ),
    ]
