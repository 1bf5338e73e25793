"""Step 033: subjects and sender names and addresses refuse control characters (validators only, no SQL)."""

from django.db import migrations, models

import liffy.header_values


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0029_sending"),
        ("liffy", "0033_header_values"),
    ]

    operations = [
        migrations.AlterField(
            model_name="emailtemplate",
            name="subject",
            field=models.CharField(max_length=255, validators=[liffy.header_values.refuse_control_characters]),
        ),
        migrations.AlterField(
            model_name="senderidentity",
            name="from_email",
            field=models.CharField(max_length=255, validators=[liffy.header_values.refuse_control_characters]),
        ),
        migrations.AlterField(
            model_name="senderidentity",
            name="from_name",
            field=models.CharField(max_length=255, validators=[liffy.header_values.refuse_control_characters]),
        ),
        migrations.AlterField(
            model_name="senderidentity",
            name="reply_to",
            field=models.CharField(
                blank=True, max_length=255, null=True, validators=[liffy.header_values.refuse_control_characters]
            ),
        ),
    ]
