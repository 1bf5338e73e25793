"""Step 039 (mining): indexes of `GET /api/mining/results`: newest first (its cursors too), and GIN on the
words of the searched columns (`liffy.search.Words`, prefix queries). Built concurrently, then analyzed."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

from liffy.search import Words


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mining", "0038_drop_covered_indexes"),
        ("campaigns", "0039_list_read_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="miningresult",
            index=models.Index(
                "organizer", models.F("created_at").desc(), models.F("id").desc(), name="mining_results_org_recent_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="miningresult",
            index=GinIndex(
                Words("contact_name", "company_name", "website", "source_url"), name="mining_results_words_idx"
            ),
        ),
        migrations.RunSQL("ANALYZE mining_results", reverse_sql=migrations.RunSQL.noop),
    ]
