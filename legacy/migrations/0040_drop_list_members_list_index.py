"""Step 040: drop `list_members(list_id)`. Step 039's `list_members (list_id, created_at, person_id)` leads
with the same column and serves every `list_id = X` (a list's members, their count, the cascade of a
deleted list), so the single-column index only cost every member insert a write. Dropped by turning off
the field's `db_index`, so the model says what the database has."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # every app's step 039 first, so the steps apply in order
    dependencies = [
        ("legacy", "0039_list_read_indexes"),
        ("persons", "0039_list_read_indexes"),
        ("campaigns", "0039_list_read_indexes"),
        ("mining", "0039_list_read_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="listmember",
            name="list",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="members",
                to="legacy.list",
            ),
        ),
    ]
