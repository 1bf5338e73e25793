"""Step 018: campaign_events, the engagement log (immutability is enforced by step 028)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from campaigns.models import EventType
from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0013_add_webhook_tracking_columns"), ("persons", "0017_create_prospect_intents")]

    operations = [
        migrations.CreateModel(
            name="CampaignEvent",
            fields=[
                ("id", uuid_primary_key()),
                (
                    "organizer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="campaigns.campaign",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="events",
                        to="campaigns.campaignrecipient",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="campaign_events",
                        to="persons.person",
                    ),
                ),
                ("event_type", models.CharField(choices=EventType.choices, max_length=20)),
                ("email", models.CharField(max_length=320)),
                ("url", models.TextField(blank=True, null=True)),
                ("user_agent", models.TextField(blank=True, null=True)),
                ("ip_address", models.CharField(blank=True, max_length=45, null=True)),
                ("reason", models.TextField(blank=True, null=True)),
                ("provider_event_id", models.TextField(blank=True, null=True)),
                ("provider_response", models.JSONField(blank=True, null=True)),
                ("occurred_at", created_at_field(editable=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "campaign_events",
                "ordering": ["-occurred_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(event_type__in=EventType.values), name="campaign_events_type_check"
                    ),
                    models.UniqueConstraint(
                        models.F("campaign"),
                        models.F("event_type"),
                        Lower("email"),
                        models.F("provider_event_id"),
                        condition=models.Q(provider_event_id__isnull=False),
                        name="campaign_events_provider_uniq",
                    ),
                ],
                "indexes": [
                    models.Index(
                        models.F("campaign"), models.F("occurred_at").desc(), name="campaign_events_campaign_idx"
                    ),
                    models.Index(
                        models.F("recipient"), models.F("occurred_at").desc(), name="campaign_events_recipient_idx"
                    ),
                    models.Index(models.F("person"), models.F("occurred_at").desc(), name="campaign_events_person_idx"),
                    models.Index(
                        models.F("organizer"),
                        models.F("event_type"),
                        models.F("occurred_at").desc(),
                        name="campaign_events_org_type_idx",
                    ),
                    models.Index(models.F("organizer"), Lower("email"), name="campaign_events_org_email_idx"),
                ],
            },
        ),
    ]
