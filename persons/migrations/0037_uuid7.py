"""Step 037: persons rows get time-ordered (version 7) ids; the function is created by liffy's step 037."""

from django.db import migrations

from liffy.fields import uuid7_primary_key


class Migration(migrations.Migration):
    dependencies = [("persons", "0036_admin_search_indexes"), ("liffy", "0037_uuid7")]

    operations = [
        migrations.AlterField(model_name="person", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="affiliation", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="prospectintent", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="verificationqueue", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="zohopushlog", name="id", field=uuid7_primary_key()),
    ]
