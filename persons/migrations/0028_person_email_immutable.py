"""Step 028 (persons part): a person's email never changes after insert."""

from django.db import migrations

from liffy.migration_sql import reject_update_trigger

IMMUTABLE, MUTABLE = reject_update_trigger(
    "persons", "persons_email_immutable", "NEW.email IS DISTINCT FROM OLD.email", "persons.email is immutable"
)


class Migration(migrations.Migration):
    dependencies = [("persons", "0027_archive_legacy_tables"), ("campaigns", "0028_campaign_events_immutable")]

    operations = [migrations.RunSQL(IMMUTABLE, reverse_sql=MUTABLE)]
