"""Step 004 (core part): organizers and users. Django's own auth columns come in step 028."""

import django.db.models.deletion
from django.db import migrations, models

import liffy.models
from liffy.fields import EncryptedTextField, created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    initial = True
    dependencies = [("legacy", "0003_create_email_logs")]

    operations = [
        migrations.CreateModel(
            name="Organizer",
            fields=[
                ("id", uuid_primary_key()),
                ("name", models.CharField(max_length=255)),
                ("slug", models.CharField(blank=True, max_length=100, null=True, unique=True)),
                ("logo_url", models.TextField(blank=True, null=True)),
                ("phone", models.CharField(blank=True, max_length=50, null=True)),
                ("country", models.CharField(blank=True, max_length=100, null=True)),
                ("timezone", models.CharField(blank=True, max_length=100, null=True)),
                ("sendgrid_api_key", EncryptedTextField(blank=True, default="")),
                ("default_from_email", models.CharField(blank=True, max_length=255, null=True)),
                ("default_from_name", models.CharField(blank=True, max_length=255, null=True)),
                ("created_at", created_at_field()),
            ],
            options={"db_table": "organizers", "ordering": ["name"]},
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="users", to="liffy.organizer"
                    ),
                ),
                ("email", models.EmailField(max_length=255, unique=True)),
                ("password", models.TextField(db_column="password_hash")),
                ("role", models.CharField(choices=liffy.models.Role.choices, default="user", max_length=20)),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "users",
                "ordering": ["email"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(role__in=["owner", "admin", "user"]), name="users_role_check"
                    )
                ],
            },
            managers=[("objects", liffy.models.UserManager())],
        ),
    ]
