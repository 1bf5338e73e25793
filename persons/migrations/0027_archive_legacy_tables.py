"""Step 027 (Phase 4 step 4), persons part: verification_queue.prospect_id → prospect_id_legacy, no foreign key."""

from django.db import migrations, models

from liffy.migration_sql import drop_constraints_on


class Migration(migrations.Migration):
    dependencies = [("persons", "0021_prospect_intents_unique_constraint"), ("campaigns", "0027_archive_legacy_tables")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    drop_constraints_on("verification_queue", ["prospect_id"], "f")
                    + "ALTER TABLE verification_queue RENAME COLUMN prospect_id TO prospect_id_legacy;",
                    reverse_sql="ALTER TABLE verification_queue RENAME COLUMN prospect_id_legacy TO prospect_id;"
                    "ALTER TABLE verification_queue ADD CONSTRAINT verification_queue_prospect_id_fk_prospects "
                    "FOREIGN KEY (prospect_id) REFERENCES prospects (id) DEFERRABLE INITIALLY DEFERRED;",
                )
            ],
            state_operations=[
                migrations.RemoveField(model_name="verificationqueue", name="prospect"),
                migrations.AddField(
                    model_name="verificationqueue",
                    name="prospect_id_legacy",
                    field=models.UUIDField(blank=True, editable=False, null=True),
                ),
            ],
        ),
    ]
