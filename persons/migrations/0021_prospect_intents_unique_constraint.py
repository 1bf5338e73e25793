"""Step 021: one intent per (organizer, person, campaign or none, type); older duplicates win."""

from django.db import migrations, models
from django.db.models.functions import Cast, Coalesce

REMOVE_DUPLICATES = """
DELETE FROM prospect_intents pi
USING (
    SELECT id, row_number() OVER (
        PARTITION BY organizer_id, person_id, COALESCE(campaign_id::text, ''), intent_type
        ORDER BY created_at, id
    ) AS rank
    FROM prospect_intents
) ranked
WHERE pi.id = ranked.id AND ranked.rank > 1
"""


class Migration(migrations.Migration):
    dependencies = [("persons", "0020_add_zoho_crm_columns")]

    operations = [
        migrations.RunSQL(REMOVE_DUPLICATES, reverse_sql=migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="prospectintent",
            constraint=models.UniqueConstraint(
                models.F("organizer"),
                models.F("person"),
                Coalesce(Cast("campaign", models.TextField()), models.Value("")),
                models.F("intent_type"),
                name="prospect_intents_dedup_uniq",
            ),
        ),
    ]
