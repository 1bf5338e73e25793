"""Step 019 (core part): organizers.zerobounce_api_key."""

from django.db import migrations

from liffy.fields import EncryptedTextField


class Migration(migrations.Migration):
    dependencies = [("liffy", "0014_add_physical_address"), ("campaigns", "0018_create_campaign_events")]

    operations = [
        migrations.AddField(
            model_name="organizer", name="zerobounce_api_key", field=EncryptedTextField(blank=True, null=True)
        ),
    ]
