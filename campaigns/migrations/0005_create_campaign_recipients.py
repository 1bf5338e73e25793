"""Step 005: campaign_recipients."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from campaigns.models import RecipientStatus
from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_create_organizers_users_sender_identities"),
        ("legacy", "0004_create_organizers_users_sender_identities"),
    ]

    operations = [
        migrations.CreateModel(
            name="CampaignRecipient",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients",
                        to="campaigns.campaign",
                    ),
                ),
                ("email", models.CharField(max_length=320)),
                ("name", models.CharField(blank=True, max_length=255, null=True)),
                ("meta", models.JSONField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(choices=RecipientStatus.choices, db_index=True, default="pending", max_length=20),
                ),
                ("last_error", models.TextField(blank=True, null=True)),
                ("created_at", created_at_field()),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "db_table": "campaign_recipients",
                "ordering": ["created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("campaign"), Lower("email"), name="campaign_recipients_campaign_email_uniq"
                    )
                ],
                "indexes": [
                    models.Index(Lower("email"), name="campaign_recipients_email_idx"),
                    models.Index(models.F("sent_at").desc(nulls_last=True), name="campaign_recipients_sent_idx"),
                ],
            },
        ),
    ]
