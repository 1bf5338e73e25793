"""Step 037: time-ordered ids. `uuid7()` makes an RFC 9562 version 7 UUID (48 bits of Unix milliseconds, then
random bits) on any supported PostgreSQL (the built-in `uuidv7()` exists only from PostgreSQL 18): a random
version 4 UUID with its first six bytes replaced by the time and its version nibble set to 7. Every primary
key defaults to it, in Django (`liffy.fields.uuid7`) and in the database (raw bulk inserts), so new rows are
appended at the end of each primary key index instead of landing on random pages.
"""

from django.db import migrations

from liffy.fields import uuid7_primary_key

UUID7 = """
CREATE OR REPLACE FUNCTION uuid7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                  PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                  FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$
"""


class Migration(migrations.Migration):
    dependencies = [("liffy", "0035_user_permissions")]

    operations = [
        migrations.RunSQL(UUID7, reverse_sql="DROP FUNCTION uuid7()"),
        migrations.AlterField(model_name="organizer", name="id", field=uuid7_primary_key()),
        migrations.AlterField(model_name="user", name="id", field=uuid7_primary_key()),
    ]
