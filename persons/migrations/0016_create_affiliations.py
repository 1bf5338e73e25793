"""Step 016: affiliations, additive person-company relationships."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Lower

from liffy.fields import created_at_field, uuid_primary_key


class Migration(migrations.Migration):
    dependencies = [("persons", "0015_create_persons"), ("mining", "0007_create_mining_jobs")]

    operations = [
        migrations.CreateModel(
            name="Affiliation",
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
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="affiliations",
                        to="persons.person",
                    ),
                ),
                ("company_name", models.CharField(blank=True, max_length=255, null=True)),
                ("position", models.CharField(blank=True, max_length=255, null=True)),
                ("country_code", models.CharField(blank=True, max_length=2, null=True)),
                ("city", models.CharField(blank=True, max_length=255, null=True)),
                ("website", models.CharField(blank=True, max_length=2048, null=True)),
                ("phone", models.CharField(blank=True, max_length=100, null=True)),
                ("source_type", models.CharField(blank=True, max_length=20, null=True)),
                ("source_ref", models.TextField(blank=True, null=True)),
                (
                    "mining_job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="affiliations",
                        to="mining.miningjob",
                    ),
                ),
                ("confidence", models.DecimalField(blank=True, decimal_places=2, max_digits=3, null=True)),
                ("raw", models.JSONField(blank=True, null=True)),
                ("created_at", created_at_field()),
            ],
            options={
                "db_table": "affiliations",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("organizer"),
                        models.F("person"),
                        Lower("company_name"),
                        condition=models.Q(company_name__isnull=False),
                        name="affiliations_person_company_uniq",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=0, confidence__lte=1),
                        name="affiliations_confidence_check",
                    ),
                ],
                "indexes": [
                    models.Index(
                        models.F("organizer"),
                        Lower("company_name"),
                        condition=models.Q(company_name__isnull=False),
                        name="affiliations_org_company_idx",
                    )
                ],
            },
        ),
    ]
