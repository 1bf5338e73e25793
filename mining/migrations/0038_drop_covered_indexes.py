"""Step 038: drop the indexes no query needs that another index already covers.

- mining_results(job_id): the leading column of mining_results_job_created_idx.
- mining_results(status) and (verification_status) with their `text_pattern_ops` twins: a handful of values
  each, read only together with a job or an organizer, whose indexes the planner takes instead.

Each is dropped by turning off the field's `db_index`, so the models say what the database has.
"""

import django.db.models.deletion
from django.db import migrations, models

# every app's step 037 first, so the steps apply in order
STEP_037 = [
    ("liffy", "0037_uuid7"),
    ("persons", "0037_uuid7"),
    ("campaigns", "0037_uuid7"),
    ("mining", "0037_uuid7"),
    ("legacy", "0037_uuid7"),
]


class Migration(migrations.Migration):
    dependencies = STEP_037

    operations = [
        migrations.AlterField(
            model_name="miningresult",
            name="job",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="results",
                to="mining.miningjob",
            ),
        ),
        migrations.AlterField(
            model_name="miningresult", name="status", field=models.TextField(blank=True, default="new", null=True)
        ),
        migrations.AlterField(
            model_name="miningresult", name="verification_status", field=models.TextField(blank=True, null=True)
        ),
    ]
