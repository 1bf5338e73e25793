"""Step 022 (mining part): mining_jobs.import_status / import_progress."""

from django.db import migrations, models

from mining.models import MiningJob


class Migration(migrations.Migration):
    dependencies = [("mining", "0007_create_mining_jobs"), ("persons", "0021_prospect_intents_unique_constraint")]

    operations = [
        migrations.AddField(
            model_name="miningjob",
            name="import_status",
            field=models.CharField(blank=True, choices=MiningJob.ImportStatus.choices, max_length=20, null=True),
        ),
        migrations.AddField(
            model_name="miningjob", name="import_progress", field=models.JSONField(blank=True, null=True)
        ),
    ]
