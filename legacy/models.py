"""Tables kept from the original system: lists (campaign targeting snapshots) and the prospects archive.

`email_logs` existed until step 027 dropped it; it lives on only in the migration history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from liffy.fields import created_at_field, uuid7_primary_key
from liffy.tenancy import OrganizerManager, OrganizerOwnedModel


class Prospect(OrganizerOwnedModel):
    """Read-only archive of the original `prospects` table (renamed `prospects_archive` by step 027)."""

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+", db_index=False)
    email = models.CharField(max_length=320, null=True, blank=True)
    name = models.TextField(null=True, blank=True)
    company = models.TextField(null=True, blank=True)
    country = models.TextField(null=True, blank=True)
    sector = models.TextField(null=True, blank=True)
    source_type = models.CharField(max_length=20, null=True, blank=True)
    source_ref = models.TextField(null=True, blank=True)
    verification_status = models.CharField(max_length=20, default="unknown", null=True)
    meta = models.JSONField(null=True, blank=True)
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "prospects_archive"
        ordering = ["-created_at"]
        verbose_name = "archived prospect"

    def __str__(self):
        return self.email or str(self.pk)


class List(OrganizerOwnedModel):
    class Type(models.TextChoices):
        MINED = "mined"
        IMPORT = "import"
        MANUAL = "manual"
        MIX = "mix"

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=20, choices=Type.choices, null=True, blank=True)
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = created_at_field()
    import_status = models.CharField(max_length=20, null=True, blank=True)
    import_progress = models.JSONField(null=True, blank=True)

    objects = OrganizerManager()

    class Meta:
        db_table = "lists"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name


class ListMember(OrganizerOwnedModel):
    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    # served by list_members_list_order_idx, which leads with list_id (step 040 dropped its own index)
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="members", db_index=False)
    prospect_id_legacy = models.UUIDField(null=True, blank=True, editable=False)
    person = models.ForeignKey("persons.Person", on_delete=models.CASCADE, related_name="list_memberships")
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "list_members"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["list", "person"], condition=Q(person__isnull=False), name="list_members_list_person_uniq"
            ),
            models.UniqueConstraint(
                fields=["list", "prospect_id_legacy"],
                condition=Q(prospect_id_legacy__isnull=False),
                name="list_members_list_prospect_uniq",
            ),
        ]
        # a list's members in the API's order, newest first (also its cursors); the partial unique
        # index on (list, person) does not serve `list_id = X`
        indexes = [models.Index(fields=["list", "created_at", "person"], name="list_members_list_order_idx")]

    def __str__(self):
        return f"{self.list_id} · {self.person_id}"


class ListUpload(OrganizerOwnedModel):
    """A file waiting for its background import into a list.

    Workers may run on other machines than the web process, so the bytes wait in the database and the
    task is given only this row's id; the row is deleted once the import completes (and with its list).
    """

    id = uuid7_primary_key()
    organizer = models.ForeignKey("liffy.Organizer", on_delete=models.CASCADE, related_name="+")
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    data = models.BinaryField()
    created_at = created_at_field()

    objects = OrganizerManager()

    class Meta:
        db_table = "list_uploads"
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.name} → {self.list_id}"
