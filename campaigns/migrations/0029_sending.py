"""Step 029: claim timestamps on recipients (stale claims go back to pending) and the send throttle."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0028_campaign_events_immutable"),
        ("liffy", "0029_organizer_send_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="SendThrottle",
            fields=[
                (
                    "organizer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="liffy.organizer",
                    ),
                ),
                ("next_slot_at", models.DateTimeField()),
            ],
            options={
                "db_table": "send_throttles",
            },
        ),
        migrations.AddField(
            model_name="campaignrecipient",
            name="claimed_at",
            field=models.DateTimeField(
                blank=True, editable=False, help_text="When a send worker claimed the row (status sending).", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="campaignrecipient",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["campaign", "created_at"],
                name="campaign_recip_pending_idx",
            ),
        ),
    ]
