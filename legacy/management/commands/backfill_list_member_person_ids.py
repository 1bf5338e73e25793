from django.core.management.base import CommandError

from legacy.backfills import members_without_person, prospects_table_exists
from liffy.backfills import BackfillCommand


class Command(BackfillCommand):
    help = (
        "Phase 4 step 1: point list members without person_id at the person of their prospect's address, "
        "creating the person from the prospect when missing (existing persons are never changed). "
        "Run after step 025 and before 027. Idempotent, resumable."
    )
    unit = "members"
    report_fields = {
        "members_processed": "processed",
        "persons_created": "persons_created",
        "linked": "linked",
        "no_email": "no_email",
        "duplicate_membership": "duplicate_membership",
    }
    batch_path = "legacy.backfills.link_members_batch"
    table = "list_members"
    parallel = False  # a batch must see the persons and memberships the batches before it wrote

    def prepare(self, options):
        if not prospects_table_exists():
            raise CommandError(
                "There is no prospects table: step 027 has archived it, and every list member "
                "already points at a person."
            )

    def total(self):
        return members_without_person()

    def where(self):
        return "person_id IS NULL", []
