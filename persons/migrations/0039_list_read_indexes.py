"""Step 039 (persons; campaigns, mining and legacy add theirs in the same step): indexes of the API's
big lists, for their default order (which their cursors follow too) and their search.

- `persons (organizer_id, created_at DESC, id DESC)`: `GET /api/persons` newest first; page 1 and every
  cursor page read just their rows instead of sorting the organizer's persons.
- GIN on the words of the first and last name, and of each affiliation's company name: the API's
  person search (`liffy.search.Words`, prefix queries); the email prefix is served by step 036's
  `persons_email_prefix_idx`.

Built concurrently (writes go on meanwhile), then analyzed: the planner knows an expression index's
values only from ANALYZE.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

from liffy.search import Words


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("campaigns", "0038_drop_covered_indexes"),
        ("legacy", "0037_uuid7"),
        ("liffy", "0037_uuid7"),
        ("mining", "0038_drop_covered_indexes"),
        ("persons", "0038_drop_covered_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="person",
            index=models.Index(
                "organizer", models.F("created_at").desc(), models.F("id").desc(), name="persons_org_recent_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="person", index=GinIndex(Words("first_name", "last_name"), name="persons_name_words_idx")
        ),
        AddIndexConcurrently(
            model_name="affiliation", index=GinIndex(Words("company_name"), name="affiliations_company_words_idx")
        ),
        migrations.RunSQL("ANALYZE persons, affiliations", reverse_sql=migrations.RunSQL.noop),
    ]
