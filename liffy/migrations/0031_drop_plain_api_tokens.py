"""Step 031: API tokens are django-rest-knox's (hashed, expiring); DRF's plain-text token table goes.

Its tokens are not carried over: clients log in again through `POST /api/auth/token`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("liffy", "0030_zerobounce_key_flag"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token; DELETE FROM django_migrations WHERE app = 'authtoken';",
            migrations.RunSQL.noop,
        ),
    ]
