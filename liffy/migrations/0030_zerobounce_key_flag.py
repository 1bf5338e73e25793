"""Step 030: when ZeroBounce refused the organizer's key (verification pauses until a new key is saved)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("liffy", "0029_organizer_send_limits"),
        ("campaigns", "0029_sending"),
    ]

    operations = [
        migrations.AddField(
            model_name="organizer",
            name="zerobounce_key_rejected_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When ZeroBounce last refused the key; cleared when a new key is saved.",
                null=True,
            ),
        ),
    ]
