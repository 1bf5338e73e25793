"""Step 006: prospects, lists, list_members (members point at prospects until Phase 4)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from legacy.models import List
from liffy.fields import created_at_field, uuid_primary_key


def organizer_fk(**kwargs):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer", **kwargs
    )


class Migration(migrations.Migration):
    dependencies = [
        ("legacy", "0004_create_organizers_users_sender_identities"),
        ("mining", "0005b_mining_logs_and_results_updates"),
    ]

    operations = [
        migrations.CreateModel(
            name="Prospect",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", organizer_fk()),
                ("email", models.CharField(blank=True, max_length=320, null=True)),
                ("name", models.TextField(blank=True, null=True)),
                ("company", models.TextField(blank=True, null=True)),
                ("country", models.TextField(blank=True, null=True)),
                ("sector", models.TextField(blank=True, null=True)),
                ("source_type", models.CharField(blank=True, max_length=20, null=True)),
                ("source_ref", models.TextField(blank=True, null=True)),
                ("verification_status", models.CharField(default="unknown", max_length=20, null=True)),
                ("meta", models.JSONField(blank=True, null=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "prospects",
                "ordering": ["-created_at"],
                "verbose_name": "archived prospect",
                "indexes": [models.Index(fields=["organizer", "email"], name="prospects_org_email_idx")],
            },
        ),
        migrations.CreateModel(
            name="List",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", organizer_fk()),
                ("name", models.CharField(max_length=255)),
                ("description", models.TextField(blank=True, null=True)),
                ("type", models.CharField(blank=True, choices=List.Type.choices, max_length=20, null=True)),
                (
                    "created_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("created_at", created_at_field()),
            ],
            options={"db_table": "lists", "ordering": ["-created_at"]},
        ),
        migrations.CreateModel(
            name="ListMember",
            fields=[
                ("id", uuid_primary_key()),
                ("organizer", organizer_fk()),
                (
                    "list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="members", to="legacy.list"
                    ),
                ),
                (
                    "prospect",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="legacy.prospect",
                    ),
                ),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "list_members",
                "ordering": ["created_at"],
                "constraints": [
                    models.UniqueConstraint(fields=["list", "prospect"], name="list_members_list_prospect_uniq")
                ],
            },
        ),
    ]
