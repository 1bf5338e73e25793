"""Step 027 (Phase 4 step 4), legacy part: archive prospects, members by person only, drop email_logs.

The pre-checks already ran in campaigns/0027. Reversing restores the table and column names, the
foreign keys and indexes, a nullable person_id, and an empty email_logs (its rows cannot come back).
"""

import django.db.models.deletion
from django.db import migrations, models

from liffy.migration_sql import drop_constraints_on, drop_secondary_indexes

PROSPECT_UNIQUE = "list_members_list_prospect_uniq"

PERSON_NOT_NULL = """
ALTER TABLE list_members ADD CONSTRAINT list_members_person_id_not_null CHECK (person_id IS NOT NULL) NOT VALID;
ALTER TABLE list_members VALIDATE CONSTRAINT list_members_person_id_not_null;
ALTER TABLE list_members ALTER COLUMN person_id SET NOT NULL;
ALTER TABLE list_members DROP CONSTRAINT list_members_person_id_not_null;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("legacy", "0025_list_members_add_person_id"),
        ("persons", "0027_archive_legacy_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    drop_constraints_on("list_members", ["prospect_id"], "f")
                    + "ALTER TABLE list_members RENAME COLUMN prospect_id TO prospect_id_legacy;",
                    reverse_sql="ALTER TABLE list_members RENAME COLUMN prospect_id_legacy TO prospect_id;"
                    "ALTER TABLE list_members ADD CONSTRAINT list_members_prospect_id_fk_prospects "
                    "FOREIGN KEY (prospect_id) REFERENCES prospects (id) DEFERRABLE INITIALLY DEFERRED;",
                )
            ],
            state_operations=[
                migrations.RemoveConstraint(model_name="listmember", name=PROSPECT_UNIQUE),
                migrations.RemoveField(model_name="listmember", name="prospect"),
                migrations.AddField(
                    model_name="listmember",
                    name="prospect_id_legacy",
                    field=models.UUIDField(blank=True, editable=False, null=True),
                ),
                migrations.AddConstraint(
                    model_name="listmember",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(prospect_id_legacy__isnull=False),
                        fields=["list", "prospect_id_legacy"],
                        name=PROSPECT_UNIQUE,
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    PERSON_NOT_NULL, reverse_sql="ALTER TABLE list_members ALTER COLUMN person_id DROP NOT NULL"
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="listmember",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="list_memberships",
                        to="persons.person",
                    ),
                ),
            ],
        ),
        migrations.AlterModelTable(name="prospect", table="prospects_archive"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    drop_secondary_indexes("prospects_archive"),
                    reverse_sql="CREATE INDEX prospects_organizer_id_idx ON prospects_archive (organizer_id);"
                    "CREATE INDEX prospects_org_email_idx ON prospects_archive (organizer_id, email);",
                )
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="prospect", name="prospects_org_email_idx"),
                migrations.AlterField(
                    model_name="prospect",
                    name="organizer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="liffy.organizer",
                    ),
                ),
            ],
        ),
        migrations.DeleteModel(name="EmailLog"),
    ]
