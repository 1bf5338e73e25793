"""Step 004 (legacy part): the foreign key from email_logs to organizers."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("legacy", "0003_create_email_logs"),
        ("campaigns", "0004_create_organizers_users_sender_identities"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emaillog",
            name="organizer",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
            ),
        ),
    ]
