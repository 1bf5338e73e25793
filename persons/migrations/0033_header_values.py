"""Step 033: persons' names (the To header of their messages) refuse control characters (validators only)."""

from django.db import migrations, models

import liffy.header_values


class Migration(migrations.Migration):
    dependencies = [
        ("persons", "0028_person_email_immutable"),
        ("liffy", "0033_header_values"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="first_name",
            field=models.CharField(
                blank=True, max_length=255, null=True, validators=[liffy.header_values.refuse_control_characters]
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="last_name",
            field=models.CharField(
                blank=True, max_length=255, null=True, validators=[liffy.header_values.refuse_control_characters]
            ),
        ),
    ]
