"""Step 011: campaign_recipients.prospect_id."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0010_campaigns_add_list_sender_columns")]

    operations = [
        migrations.AddField(
            model_name="campaignrecipient",
            name="prospect",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="legacy.prospect",
            ),
        ),
    ]
