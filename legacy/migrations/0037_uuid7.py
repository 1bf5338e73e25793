"""Step 037: legacy rows get time-ordered (version 7) ids; the function is created by liffy's step 037."""

from django.db import migrations

from liffy.fields import uuid7_primary_key


class Migration(migrations.Migration):
    dependencies = [("legacy", "0034_list_uploads"), ("liffy", "0037_uuid7")]

    operations = [
        migrations.AlterField(model_name="list", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="listmember", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="listupload", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="prospect", name="id", field=uuid7_primary_key()),
    ]
