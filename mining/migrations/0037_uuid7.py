"""Step 037: mining rows get time-ordered (version 7) ids; the function is created by liffy's step 037."""

from django.db import migrations

from liffy.fields import uuid7_primary_key


class Migration(migrations.Migration):
    dependencies = [("mining", "0028_mining_job_config"), ("liffy", "0037_uuid7")]

    operations = [
        migrations.AlterField(model_name="miningjob", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="miningresult", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="miningjoblog", name="id", field=uuid7_primary_key()),
    ]
