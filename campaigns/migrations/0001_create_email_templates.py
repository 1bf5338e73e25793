"""Step 001: email_templates. organizer_id is a plain column until step 004 creates organizers."""

from django.db import migrations, models

from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="EmailTemplate",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", models.UUIDField(db_column="organizer_id", db_index=True)),
                ("name", models.CharField(max_length=255)),
                ("subject", models.CharField(max_length=255)),
                ("body_html", models.TextField()),
                ("body_text", models.TextField(blank=True, null=True)),
                ("created_at", created_at_field()),
            ],
            options={"db_table": "email_templates", "ordering": ["name"]},
        ),
    ]
