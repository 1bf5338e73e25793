from django.core.management.base import BaseCommand

from liffy.demo import demo_logins, seed_demo


class Command(BaseCommand):
    help = "Load the demo organizers, users, contacts, list and campaigns. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        report = seed_demo()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {report.organizers} organizers, {report.users} users, {report.persons} persons, "
            f"{report.campaigns} campaigns, {report.events} campaign events."
        ))
        for organizer, email, password in demo_logins():
            self.stdout.write(f"  {organizer:<16} {email:<22} {password}")
