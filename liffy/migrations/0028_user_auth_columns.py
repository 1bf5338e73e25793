"""Step 028 (this project's additions start here): Django auth columns and the webhook public key."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("liffy", "0020_add_zoho_crm_columns"), ("legacy", "0027_archive_legacy_tables")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="last_login",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last login"),
        ),
        migrations.AddField(
            model_name="user",
            name="is_staff",
            field=models.BooleanField(default=False, help_text="Can log into the admin."),
        ),
        migrations.AddField(model_name="user", name="is_superuser", field=models.BooleanField(default=False)),
        migrations.AddField(
            model_name="organizer",
            name="sendgrid_webhook_public_key",
            field=models.TextField(
                blank=True,
                null=True,
                help_text="Base64 DER public key of the organizer's SendGrid signed event webhook.",
            ),
        ),
    ]
