"""Step 039 (campaigns): indexes of the API's recipient and event lists in their default order (which
their cursors follow too).

- `campaign_recipients (campaign_id, created_at, id)`: `GET /api/campaigns/{id}/recipients`.
- `campaign_events (organizer_id, occurred_at, created_at, id)`: `GET /api/events`, newest first (read
  backwards); it replaces `(organizer_id, occurred_at)`, its prefix, which serves every query that one did.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0038_drop_covered_indexes"),
        ("persons", "0039_list_read_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="campaignrecipient",
            index=models.Index(fields=["campaign", "created_at", "id"], name="campaign_recip_order_idx"),
        ),
        AddIndexConcurrently(
            model_name="campaignevent",
            index=models.Index(
                fields=["organizer", "occurred_at", "created_at", "id"], name="campaign_events_org_recent_idx"
            ),
        ),
        RemoveIndexConcurrently(model_name="campaignevent", name="campaign_events_org_time_idx"),
    ]
