import json
import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from liffy.encryption import rotate_encryption_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored provider key under the first key of FIELD_ENCRYPTION_KEY (values written under "
        "the others, or under DJANGO_SECRET_KEY and its fallbacks, and plaintext ones). Run it after putting a new "
        "key first; once it reports nothing unreadable, the older keys can be removed. Idempotent. Prints "
        '{"table.column": {"current", "reencrypted", "encrypted", "unreadable"}}; exit status 1 when a value '
        "could not be read (it is left as it is)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change and roll it back.")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            report = rotate_encryption_keys()
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        if any(counts.get("unreadable") for counts in report.values()):
            self.stderr.write("Some values could not be decrypted with any configured key: they were left as they are.")
            sys.exit(1)
