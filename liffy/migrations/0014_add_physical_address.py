"""Step 014: organizers.physical_address (campaign sending is refused while it is blank)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("liffy", "0004_create_organizers_users_sender_identities"),
        ("campaigns", "0013_add_webhook_tracking_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="organizer", name="physical_address", field=models.TextField(blank=True, null=True)
        ),
    ]
