from django.core.management.base import BaseCommand

from scandy_site.core.demo import SIZES, seed_demo


class Command(BaseCommand):
    help = (
        "Fill a demo data set: two departments, users for each role (random passwords, printed once), "
        "tools, consumables with 90 days of deliveries and issues to workers, workers, lendings (returned, open "
        "and overdue), tickets, weekly timesheets, job offers, and demo customers, devices and shop orders. "
        "Running it again adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small", help="small (default) or large")

    def handle(self, *args, size, **options):
        result = seed_demo(size=size, progress=size == "large")
        if result.users:
            self.stdout.write("New users (the passwords are shown only now):")
            for username, role, password in result.users:
                self.stdout.write(f"  {username:<18} {role:<12} {password}")
        else:
            self.stdout.write("No new users; existing passwords are unchanged.")
        self.stdout.write(self.style.SUCCESS(f"seed_demo {size}: created {result.summary()}"))
