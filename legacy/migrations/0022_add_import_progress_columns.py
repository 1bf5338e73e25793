"""Step 022 (legacy part): lists.import_status / import_progress."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("legacy", "0006_create_prospects_and_lists"), ("mining", "0022_add_import_progress_columns")]

    operations = [
        migrations.AddField(
            model_name="list", name="import_status", field=models.CharField(blank=True, max_length=20, null=True)
        ),
        migrations.AddField(model_name="list", name="import_progress", field=models.JSONField(blank=True, null=True)),
    ]
