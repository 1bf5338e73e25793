"""Step 003: email_logs (deprecated in the original, dropped by step 027)."""

from django.db import migrations, models

from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    initial = True
    dependencies = [("campaigns", "0002_create_campaigns")]

    operations = [
        migrations.CreateModel(
            name="EmailLog",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", models.UUIDField(db_column="organizer_id", db_index=True, null=True)),
                ("campaign_id", models.UUIDField(blank=True, null=True)),
                ("template_id", models.UUIDField(blank=True, null=True)),
                ("recipient_email", models.CharField(blank=True, max_length=320, null=True)),
                ("recipient_data", models.JSONField(blank=True, null=True)),
                ("status", models.CharField(default="queued", max_length=50)),
                ("provider_response", models.JSONField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", created_at_field()),
            ],
            options={"db_table": "email_logs"},
        ),
    ]
