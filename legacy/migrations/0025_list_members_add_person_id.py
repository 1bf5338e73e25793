"""Step 025 (Phase 4 step 1): list_members.person_id; prospect_id becomes optional.

The old unique (list_id, prospect_id) is found by its columns (an adopted database names it
differently) and replaced by a partial one, so person-only members can be inserted.
"""

import django.db.models.deletion
from django.db import migrations, models

from liffy.migration_sql import drop_constraints_on, drop_unique_indexes_on

OLD_UNIQUE = models.UniqueConstraint(fields=["list", "prospect"], name="list_members_list_prospect_uniq")


class Migration(migrations.Migration):
    dependencies = [
        ("legacy", "0022_add_import_progress_columns"),
        ("campaigns", "0024_campaign_recipients_add_person_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="listmember",
            name="person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="list_memberships",
                to="persons.person",
            ),
        ),
        migrations.AlterField(
            model_name="listmember",
            name="prospect",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="legacy.prospect",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    drop_constraints_on("list_members", ["list_id", "prospect_id"], "u")
                    + drop_unique_indexes_on("list_members", ["list_id", "prospect_id"]),
                    reverse_sql="ALTER TABLE list_members ADD CONSTRAINT list_members_list_prospect_uniq "
                    "UNIQUE (list_id, prospect_id)",
                )
            ],
            state_operations=[migrations.RemoveConstraint(model_name="listmember", name=OLD_UNIQUE.name)],
        ),
        migrations.AddConstraint(
            model_name="listmember",
            constraint=models.UniqueConstraint(
                condition=models.Q(prospect__isnull=False),
                fields=["list", "prospect"],
                name="list_members_list_prospect_uniq",
            ),
        ),
        migrations.AddConstraint(
            model_name="listmember",
            constraint=models.UniqueConstraint(
                condition=models.Q(person__isnull=False),
                fields=["list", "person"],
                name="list_members_list_person_uniq",
            ),
        ),
    ]
