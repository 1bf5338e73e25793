"""Step 038: drop the indexes no query needs that another index already covers, and index what the send worker's reaper reads.

- campaign_recipients(campaign_id): the leading column of campaign_recipients_campaign_email_uniq.
- campaign_recipients(status) and its `varchar_pattern_ops` twin: nothing matches a status with LIKE, and the
  one query on status alone (return_stale_claims: recipients being sent, claimed too long ago) gets a
  partial index of just those rows, which the inserts of resolve (all pending) never touch.
- campaign_events(organizer_id): the leading column of four composite indexes of campaign_events.
- unsubscribes(organizer_id): the leading column of unsubscribes_organizer_email_uniq.

Each is dropped by turning off the field's `db_index`, so the models say what the database has.
"""

import django.db.models.deletion
from django.db import migrations, models

# every app's step 037 first, so the steps apply in order
STEP_037 = [
    ("liffy", "0037_uuid7"),
    ("persons", "0037_uuid7"),
    ("campaigns", "0037_uuid7"),
    ("mining", "0037_uuid7"),
    ("legacy", "0037_uuid7"),
]


class Migration(migrations.Migration):
    dependencies = STEP_037

    operations = [
        migrations.AlterField(
            model_name="campaignrecipient",
            name="campaign",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recipients",
                to="campaigns.campaign",
            ),
        ),
        migrations.AlterField(
            model_name="campaignevent",
            name="organizer",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
            ),
        ),
        migrations.AlterField(
            model_name="unsubscribe",
            name="organizer",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
            ),
        ),
        migrations.AlterField(
            model_name="campaignrecipient",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("delivered", "Delivered"),
                    ("opened", "Opened"),
                    ("clicked", "Clicked"),
                    ("bounced", "Bounced"),
                    ("dropped", "Dropped"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                ],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="campaignrecipient",
            index=models.Index(
                condition=models.Q(("status", "sending")), fields=["claimed_at"], name="campaign_recip_claimed_idx"
            ),
        ),
    ]
