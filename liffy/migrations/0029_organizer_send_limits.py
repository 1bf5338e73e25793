"""Step 029: per-organizer send rate and batch size (empty: the SEND_* settings)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("liffy", "0028_user_auth_columns"),
        ("campaigns", "0028_campaign_events_immutable"),
        ("persons", "0028_person_email_immutable"),
        ("mining", "0028_mining_job_config"),
    ]

    operations = [
        migrations.AddField(
            model_name="organizer",
            name="send_batch_size",
            field=models.PositiveIntegerField(
                blank=True, help_text="Recipients claimed per send batch. Empty: SEND_BATCH_SIZE.", null=True
            ),
        ),
        migrations.AddField(
            model_name="organizer",
            name="send_rate_per_second",
            field=models.PositiveIntegerField(
                blank=True, help_text="Messages per second across all workers. Empty: SEND_RATE_PER_SECOND.", null=True
            ),
        ),
    ]
