import sys

from django.core.management.base import BaseCommand

from legacy.adoption import adopt_legacy_schema


class Command(BaseCommand):
    help = ("Adopt a database of the original system: verify that every table and column of its SQL migrations "
            "001–023 exists with a compatible type, then record those steps as applied. Changes nothing when "
            "anything is missing (exit status 1) and says what.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Check only; record nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = adopt_legacy_schema(dry_run=dry_run)
        if report.already_adopted:
            self.stdout.write("This database already has this project's migration history: nothing to adopt.")
            return
        if not report.ok:
            for title, items in (("Missing tables", report.missing_tables),
                                 ("Missing columns", report.missing_columns),
                                 ("Columns of an incompatible type", report.incompatible_columns)):
                if items:
                    self.stderr.write(f"{title} ({len(items)}):")
                    for item in items:
                        self.stderr.write(f"  - {item}")
            self.stderr.write("Nothing was recorded. Bring the database to the state of migrations 001–023 first.")
            sys.exit(1)
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Every table and column of steps 001–023 is there (dry run)."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Every table and column of steps 001–023 is there; {report.recorded} migrations recorded as applied. "
            "Next: manage.py migrate campaigns 0024_campaign_recipients_add_person_id, then the Phase 4 runbook."))
