"""Step 039 (legacy): `list_members (list_id, created_at, person_id)`, a list's members newest first in
`GET /api/lists/{id}/members` (its cursors too). The partial unique index on (list_id, person_id) does
not serve `list_id = X` in practice; this one does."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("legacy", "0037_uuid7"),
        ("mining", "0039_list_read_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="listmember",
            index=models.Index(fields=["list", "created_at", "person"], name="list_members_list_order_idx"),
        ),
    ]
