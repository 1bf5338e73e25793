import sys

from django.core.management.base import BaseCommand

from legacy.adoption import UTC_NOTE, adopt_legacy_schema


class Command(BaseCommand):
    help = (
        "Adopt a database of the original system (its SQL migrations 001–023): make it identical to what this "
        "project's steps 001–023 build (timestamps read as UTC, duplicates merged and reported, constraints, "
        "indexes, defaults and names as the project has them, provider keys encrypted, bcrypt passwords kept), "
        "then record those steps as applied. One transaction: when anything cannot be adopted, nothing is "
        "changed (exit status 1) and the report says what."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Do everything in a transaction that is rolled back, and report it."
        )

    def handle(self, *args, dry_run=False, **options):
        report = adopt_legacy_schema(dry_run=dry_run)
        if report.already_adopted:
            self.stdout.write("This database already has this project's migration history: nothing to adopt.")
            return
        if not report.ok:
            self.stderr.write(f"This database cannot be adopted as it is ({len(report.problems)} problem(s)):")
            for problem in report.problems:
                self.stderr.write(f"  - {problem}")
            self.stderr.write("Nothing was changed.")
            sys.exit(1)
        verb = "would be" if dry_run else "were"
        for section, lines in report.changes.items():
            self.stdout.write(f"{section} ({len(lines)}):")
            for line in lines:
                self.stdout.write(f"  - {line}")
        if report.accepted:
            self.stdout.write(f"Accepted as they are ({len(report.accepted)}):")
            for line in report.accepted:
                self.stdout.write(f"  - {line}")
        self.stdout.write(UTC_NOTE)
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run: nothing was changed. The changes above {verb} made and {report.recorded} migrations "
                    "(steps 001–023) recorded as applied."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"The schema now matches this project's steps 001–023; "
                f"{report.recorded} migrations recorded as applied. "
                "Next: the Phase 4 runbook (README), starting with manage.py migrate campaigns "
                "0024_campaign_recipients_add_person_id."
            )
        )
