"""Step 026 (Phase 4 step 3): the recipients' engagement columns become history; events get their indexes.

Engagement lives in campaign_events from here on. A trigger rejects any change to the six frozen
columns (inserting historic values stays possible, e.g. when an old database is adopted).
"""

from django.db import migrations, models

from campaigns.models import FROZEN_RECIPIENT_COLUMNS
from liffy.migration_sql import reject_update_trigger

COMMENT = "Historical only (frozen by step 026): engagement is recorded in campaign_events."
FREEZE, UNFREEZE = reject_update_trigger(
    "campaign_recipients",
    "campaign_recipients_freeze_engagement",
    "({new}) IS DISTINCT FROM ({old})".format(
        new=", ".join(f"NEW.{c}" for c in FROZEN_RECIPIENT_COLUMNS),
        old=", ".join(f"OLD.{c}" for c in FROZEN_RECIPIENT_COLUMNS),
    ),
    "campaign_recipients engagement columns are frozen; record engagement in campaign_events",
)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0024_campaign_recipients_add_person_id"),
        ("legacy", "0025_list_members_add_person_id"),
    ]

    operations = [
        migrations.RunSQL(
            [f"COMMENT ON COLUMN campaign_recipients.{c} IS '{COMMENT}'" for c in FROZEN_RECIPIENT_COLUMNS],
            reverse_sql=[f"COMMENT ON COLUMN campaign_recipients.{c} IS NULL" for c in FROZEN_RECIPIENT_COLUMNS],
        ),
        migrations.RunSQL(FREEZE, reverse_sql=UNFREEZE),
        migrations.AddIndex(
            model_name="campaignevent",
            index=models.Index(fields=["organizer", "campaign", "event_type"], name="campaign_events_org_camp_idx"),
        ),
        migrations.AddIndex(
            model_name="campaignevent",
            index=models.Index(fields=["organizer", "person"], name="campaign_events_org_person_idx"),
        ),
        migrations.AddIndex(
            model_name="campaignevent",
            index=models.Index(fields=["organizer", "occurred_at"], name="campaign_events_org_time_idx"),
        ),
    ]
