from django.core.management.base import BaseCommand
from django.db import connection

from legacy.phase4 import format_results, run_prechecks


class Command(BaseCommand):
    help = "Print the Phase 4 pre-checks that step 027 requires. Exit status 0 only when all pass."

    def handle(self, *args, **options):
        results = run_prechecks(connection)
        self.stdout.write(format_results(results))
        failed = [result for result in results if not result.passed]
        if failed:
            self.stderr.write(
                self.style.ERROR(f"{len(failed)} of {len(results)} pre-checks fail: step 027 will refuse.")
            )
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"All {len(results)} pre-checks pass: step 027 may run."))
