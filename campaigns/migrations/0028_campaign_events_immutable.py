"""Step 028 (campaigns part): campaign_events rows can never be updated.

The only change allowed is detaching a deleted recipient or person (their foreign keys are SET NULL).
"""

from django.db import migrations

from liffy.migration_sql import reject_update_trigger

IMMUTABLE, MUTABLE = reject_update_trigger(
    "campaign_events",
    "campaign_events_immutable",
    "(to_jsonb(NEW) - 'recipient_id' - 'person_id') IS DISTINCT FROM (to_jsonb(OLD) - 'recipient_id' - 'person_id')"
    " OR (NEW.recipient_id IS DISTINCT FROM OLD.recipient_id AND NEW.recipient_id IS NOT NULL)"
    " OR (NEW.person_id IS DISTINCT FROM OLD.person_id AND NEW.person_id IS NOT NULL)",
    "campaign_events rows are immutable",
)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0027_archive_legacy_tables"), ("mining", "0028_mining_job_config")]

    operations = [migrations.RunSQL(IMMUTABLE, reverse_sql=MUTABLE)]
