"""Step 007: mining_jobs, and the foreign keys from results and logs to it."""

import django.db.models.deletion
from django.db import migrations, models

from liffy.fields import created_at_field, uuid_primary_key
from mining.models import MiningJob


class Migration(migrations.Migration):
    dependencies = [
        ("mining", "0005b_mining_logs_and_results_updates"),
        ("legacy", "0006_create_prospects_and_lists"),
    ]

    operations = [
        migrations.CreateModel(
            name="MiningJob",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                ("type", models.CharField(choices=MiningJob.Type.choices, max_length=20)),
                ("input", models.TextField(help_text="URL or uploaded file name.")),
                ("status", models.CharField(choices=MiningJob.Status.choices, default="pending", max_length=20)),
                ("total_found", models.IntegerField(default=0)),
                ("total_prospects_created", models.IntegerField(default=0)),
                ("total_emails_raw", models.IntegerField(default=0)),
                ("stats", models.JSONField(blank=True, null=True)),
                ("error", models.TextField(blank=True, null=True)),
                ("created_at", created_at_field()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                ("name", models.CharField(blank=True, max_length=255, null=True)),
                ("strategy", models.CharField(blank=True, max_length=50, null=True)),
                ("site_profile", models.TextField(blank=True, null=True)),
                ("file_data", models.BinaryField(blank=True, null=True)),
                ("progress", models.IntegerField(default=0)),
                ("manual_required", models.BooleanField(default=False)),
                ("manual_reason", models.TextField(blank=True, null=True)),
            ],
            options={"db_table": "mining_jobs", "ordering": ["-created_at"]},
        ),
        migrations.AlterField(
            model_name="miningresult",
            name="job",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="results", to="mining.miningjob"
            ),
        ),
        migrations.AlterField(
            model_name="miningjoblog",
            name="job",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="logs",
                to="mining.miningjob",
            ),
        ),
    ]
