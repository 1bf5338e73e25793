"""Step 020 (persons part): zoho_push_log, the CRM push audit trail."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from liffy.fields import created_at_field, uuid_primary_key
from persons.models import ZohoModule, ZohoPushLog


class Migration(migrations.Migration):
    dependencies = [("persons", "0019_add_verification_columns"), ("liffy", "0020_add_zoho_crm_columns")]

    operations = [
        migrations.CreateModel(
            name="ZohoPushLog",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="zoho_pushes", to="persons.person"
                    ),
                ),
                ("zoho_module", models.CharField(choices=ZohoModule.choices, max_length=20)),
                ("zoho_record_id", models.CharField(blank=True, max_length=50, null=True)),
                ("action", models.CharField(choices=ZohoPushLog.Action.choices, max_length=10)),
                (
                    "status",
                    models.CharField(choices=ZohoPushLog.Status.choices, default="success", max_length=20),
                ),
                ("error_message", models.TextField(blank=True, null=True)),
                ("field_snapshot", models.JSONField(blank=True, null=True)),
                ("pushed_at", created_at_field(editable=True)),
                (
                    "pushed_by_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "zoho_push_log",
                "ordering": ["-pushed_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(zoho_module__in=["Leads", "Contacts"]), name="zoho_push_log_module_check"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(action__in=["create", "update"]), name="zoho_push_log_action_check"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(status__in=["success", "failed"]), name="zoho_push_log_status_check"
                    ),
                ],
                "indexes": [
                    models.Index(fields=["organizer", "person", "zoho_module"], name="zoho_push_log_person_idx"),
                    models.Index(
                        models.F("organizer"),
                        models.F("person"),
                        models.F("zoho_module"),
                        models.F("pushed_at").desc(),
                        condition=models.Q(status="success"),
                        name="zoho_push_log_success_idx",
                    ),
                    models.Index(models.F("organizer"), models.F("pushed_at").desc(), name="zoho_push_log_recent_idx"),
                ],
            },
        ),
    ]
