"""Step 027 (Phase 4 step 4), first part: refuse unless the pre-checks pass; detach recipients from prospects.

campaign_recipients.prospect_id becomes prospect_id_legacy without its foreign key (found by its
column); the index stays. The legacy part (legacy/0027) archives the tables themselves.
"""

from django.db import migrations, models

from legacy.phase4 import require_prechecks
from liffy.migration_sql import drop_constraints_on


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0026_freeze_campaign_recipients_columns")]

    operations = [
        migrations.RunPython(require_prechecks, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    drop_constraints_on("campaign_recipients", ["prospect_id"], "f")
                    + "ALTER TABLE campaign_recipients RENAME COLUMN prospect_id TO prospect_id_legacy;",
                    reverse_sql="ALTER TABLE campaign_recipients RENAME COLUMN prospect_id_legacy TO prospect_id;"
                    "ALTER TABLE campaign_recipients ADD CONSTRAINT campaign_recipients_prospect_id_fk_prospects "
                    "FOREIGN KEY (prospect_id) REFERENCES prospects (id) DEFERRABLE INITIALLY DEFERRED;",
                )
            ],
            state_operations=[
                migrations.RemoveField(model_name="campaignrecipient", name="prospect"),
                migrations.AddField(
                    model_name="campaignrecipient",
                    name="prospect_id_legacy",
                    field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
                ),
            ],
        ),
    ]
