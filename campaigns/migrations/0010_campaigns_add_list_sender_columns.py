"""Step 010: campaigns.list_id, sender_id, include_risky, recipient_count."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_create_campaign_recipients"),
        ("mining", "0007_create_mining_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="list",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="campaigns",
                to="legacy.list",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="sender",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="campaigns",
                to="campaigns.senderidentity",
            ),
        ),
        migrations.AddField(model_name="campaign", name="include_risky", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="campaign", name="recipient_count", field=models.IntegerField(default=0, null=True)
        ),
    ]
