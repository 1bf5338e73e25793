"""Step 017: prospect_intents (the dedup unique index comes with step 021)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import persons.models
from liffy.fields import created_at_field, uuid_primary_key
from persons.models import IntentSource, IntentType


class Migration(migrations.Migration):
    dependencies = [("persons", "0016_create_affiliations"), ("campaigns", "0013_add_webhook_tracking_columns")]

    operations = [
        migrations.CreateModel(
            name="ProspectIntent",
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
                        on_delete=django.db.models.deletion.CASCADE, related_name="intents", to="persons.person"
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=persons.models.keep_intents_without_campaign,
                        related_name="intents",
                        to="campaigns.campaign",
                    ),
                ),
                ("intent_type", models.CharField(choices=IntentType.choices, max_length=30)),
                ("source", models.CharField(choices=IntentSource.choices, default="manual", max_length=30)),
                ("notes", models.TextField(blank=True, null=True)),
                ("confidence", models.DecimalField(blank=True, decimal_places=2, max_digits=3, null=True)),
                ("meta", models.JSONField(blank=True, null=True)),
                ("occurred_at", created_at_field(editable=True)),
                ("created_at", created_at_field()),
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
            ],
            options={
                "db_table": "prospect_intents",
                "ordering": ["-occurred_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(intent_type__in=IntentType.values), name="prospect_intents_type_check"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(source__in=IntentSource.values), name="prospect_intents_source_check"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=0, confidence__lte=1),
                        name="prospect_intents_confidence_check",
                    ),
                ],
            },
        ),
    ]
