"""Step 024 (Phase 4 step 0): campaign_recipients.person_id."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0023_add_campaign_verification_mode")]

    operations = [
        migrations.AddField(
            model_name="campaignrecipient",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="campaign_recipients",
                to="persons.person",
            ),
        ),
    ]
