"""Step 038: drop the indexes no query needs that another index already covers.

- persons(organizer_id), prospect_intents(organizer_id), zoho_push_log(organizer_id): each is the leading
  column of a unique or composite index of the same table (persons_organizer_email_uniq,
  prospect_intents_dedup_uniq, zoho_push_log_person_idx), which serves every lookup by organizer.
- affiliations(person_id) gives way to affiliations(person_id, company_name IS NULL, created_at DESC, id DESC):
  the same lookups by person, and a person's latest affiliation (what resolve reads for each recipient) is
  its first entry, with no sort.

Each is dropped by turning off the field's `db_index`, so the models say what the database has.
"""

import django.db.models.deletion
import django.db.models.lookups
from django.db import migrations, models

# every app's step 037 first, so the steps apply in order
STEP_037 = [
    ("liffy", "0037_uuid7"),
    ("persons", "0037_uuid7"),
    ("campaigns", "0037_uuid7"),
    ("mining", "0037_uuid7"),
    ("legacy", "0037_uuid7"),
]


class Migration(migrations.Migration):
    dependencies = STEP_037

    operations = [
        migrations.AlterField(
            model_name="person",
            name="organizer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="persons",
                to="liffy.organizer",
            ),
        ),
        migrations.AlterField(
            model_name="prospectintent",
            name="organizer",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
            ),
        ),
        migrations.AlterField(
            model_name="zohopushlog",
            name="organizer",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="liffy.organizer"
            ),
        ),
        migrations.AlterField(
            model_name="affiliation",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="affiliations",
                to="persons.person",
            ),
        ),
        migrations.AddIndex(
            model_name="affiliation",
            index=models.Index(
                models.F("person"),
                django.db.models.lookups.IsNull(models.F("company_name"), True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="affiliations_person_latest_idx",
            ),
        ),
    ]
