"""Step 002: campaigns. Deleting a template used by a campaign is refused (PROTECT), unlike the original cascade."""

import django.db.models.deletion
from django.db import migrations, models

from campaigns.models import CampaignStatus
from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_create_email_templates")]

    operations = [
        migrations.CreateModel(
            name="Campaign",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", models.UUIDField(db_column="organizer_id", db_index=True)),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="campaigns",
                        to="campaigns.emailtemplate",
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("status", models.CharField(choices=CampaignStatus.choices, default="draft", max_length=50)),
                ("scheduled_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", created_at_field()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                ("error", models.TextField(blank=True, null=True)),
            ],
            options={"db_table": "campaigns", "ordering": ["-created_at"]},
        ),
    ]
