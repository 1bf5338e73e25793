"""Step 033: the organizer's name and default sender refuse control characters (validators only, no SQL)."""

import django.core.validators
from django.db import migrations, models

import liffy.header_values


class Migration(migrations.Migration):
    dependencies = [
        ("liffy", "0032_webhook_key_one_owner"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organizer",
            name="default_from_email",
            field=models.CharField(
                blank=True,
                max_length=255,
                null=True,
                validators=[liffy.header_values.refuse_control_characters, django.core.validators.EmailValidator()],
            ),
        ),
        migrations.AlterField(
            model_name="organizer",
            name="default_from_name",
            field=models.CharField(
                blank=True, max_length=255, null=True, validators=[liffy.header_values.refuse_control_characters]
            ),
        ),
        migrations.AlterField(
            model_name="organizer",
            name="name",
            field=models.CharField(max_length=255, validators=[liffy.header_values.refuse_control_characters]),
        ),
    ]
