"""Step 028 (mining part): mining_jobs.config, job options.

Some databases of the original system already have the column: it is added only where missing.
"""

from django.db import migrations, models

ADD_CONFIG = """
ALTER TABLE mining_jobs ADD COLUMN IF NOT EXISTS config jsonb;
UPDATE mining_jobs SET config = '{}'::jsonb WHERE config IS NULL;
ALTER TABLE mining_jobs ALTER COLUMN config SET DEFAULT '{}'::jsonb, ALTER COLUMN config SET NOT NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("mining", "0022_add_import_progress_columns"), ("liffy", "0028_user_auth_columns")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(ADD_CONFIG, reverse_sql="ALTER TABLE mining_jobs DROP COLUMN IF EXISTS config")
            ],
            state_operations=[
                migrations.AddField(
                    model_name="miningjob",
                    name="config",
                    field=models.JSONField(blank=True, default=dict, help_text="Job options: max_pages, delays, …"),
                ),
            ],
        ),
    ]
