"""Step 020 (core part): the organizer's Zoho CRM credentials and datacenter."""

from django.db import migrations, models

from liffy.fields import EncryptedTextField


class Migration(migrations.Migration):
    dependencies = [("liffy", "0019_add_verification_columns"), ("persons", "0019_add_verification_columns")]

    operations = [
        migrations.AddField(
            model_name="organizer", name="zoho_client_id", field=models.TextField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="organizer", name="zoho_client_secret", field=EncryptedTextField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="organizer", name="zoho_refresh_token", field=EncryptedTextField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="organizer", name="zoho_access_token", field=EncryptedTextField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="organizer",
            name="zoho_access_token_expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="organizer",
            name="zoho_datacenter",
            field=models.CharField(blank=True, default="com", max_length=20, null=True),
        ),
    ]
