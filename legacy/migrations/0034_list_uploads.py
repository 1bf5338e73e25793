"""Step 034: list_uploads, files waiting in the database for their background import
(workers may run on other machines; the broker carries only the row's id)."""

import django.contrib.postgres.functions
import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("legacy", "0027_archive_legacy_tables"),
        ("liffy", "0033_header_values"),
        ("campaigns", "0033_header_values"),
        ("persons", "0033_header_values"),
    ]

    operations = [
        migrations.CreateModel(
            name="ListUpload",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        db_default=django.contrib.postgres.functions.RandomUUID(),
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("size", models.BigIntegerField()),
                ("data", models.BinaryField()),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        default=django.utils.timezone.now,
                        editable=False,
                    ),
                ),
                (
                    "list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="uploads", to="legacy.list"
                    ),
                ),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
            ],
            options={
                "db_table": "list_uploads",
                "ordering": ["created_at"],
            },
        ),
    ]
