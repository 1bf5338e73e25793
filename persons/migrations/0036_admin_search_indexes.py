"""Step 036: indexes for the admin's person search (`PersonAdmin.search_fields = ^email, ^first_name,
^last_name`) and company search (`AffiliationAdmin.search_fields = ^company_name`).

Each word typed in the admin's search box becomes, per column, Django's `istartswith`:

    WHERE upper(email::text) LIKE upper('ann%')
       OR upper(first_name::text) LIKE upper('ann%')
       OR upper(last_name::text) LIKE upper('ann%')

which a btree on the same expression with `text_pattern_ops` serves (a bitmap OR of the three), whatever
the database's collation; likewise `WHERE upper(company_name::text) LIKE upper('expo%')` on affiliations.
Built concurrently: a million persons keep being written while it runs. Then both tables are analyzed:
the planner knows an expression index's values only from ANALYZE, and without those statistics it
guesses that a prefix matches many rows and walks another index through the whole table instead.
"""

from django.contrib.postgres.indexes import OpClass
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.models.functions import Cast, Upper


def prefix_index(column, name):
    return models.Index(OpClass(Upper(Cast(column, models.TextField())), name="text_pattern_ops"), name=name)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("liffy", "0035_user_permissions"),
        ("persons", "0033_header_values"),
    ]

    operations = [
        *(
            AddIndexConcurrently(model_name="person", index=prefix_index(column, f"persons_{column}_prefix_idx"))
            for column in ("email", "first_name", "last_name")
        ),
        AddIndexConcurrently(
            model_name="affiliation", index=prefix_index("company_name", "affiliation_company_prefix_idx")
        ),
        migrations.RunSQL("ANALYZE persons, affiliations", reverse_sql=migrations.RunSQL.noop),
    ]
