from django.core.management.base import BaseCommand

from liffy.demo import demo_logins, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo organizers, users, contacts, list and campaigns. Safe to run again: nothing is "
        "duplicated, and rows users made are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when the demo data is already there (what scripts/run does).",
        )

    def handle(self, *args, **options):
        report = seed_demo(only_if_missing=options["if_missing"])
        state = "Demo data loaded." if report.loaded else "Demo data already there: left as it is."
        self.stdout.write(
            self.style.SUCCESS(
                f"{state} In the database: {len(report.organizers)} organizers ({', '.join(report.organizers)}), "
                f"{report.users} users, {report.persons} persons, {report.campaigns} campaigns, "
                f"{report.events} campaign events."
            )
        )
        for organizer, email, password in demo_logins():
            self.stdout.write(f"  {organizer:<16} {email:<22} {password}")
