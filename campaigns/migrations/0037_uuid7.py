"""Step 037: campaigns rows get time-ordered (version 7) ids; the function is created by liffy's step 037."""

from django.db import migrations

from liffy.fields import uuid7_primary_key


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0033_header_values"), ("liffy", "0037_uuid7")]

    operations = [
        migrations.AlterField(model_name="emailtemplate", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="senderidentity", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="campaign", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="campaignrecipient", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="campaignevent", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="unsubscribe", name="id", field=uuid7_primary_key()),
    ]
