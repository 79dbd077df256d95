from django.core.management.base import BaseCommand

from scandy_site.core.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Create or update every django-q2 schedule Scandy needs (idempotent)."

    def handle(self, *args, **options):
        for name, created in ensure_schedules():
            self.stdout.write(f"{'created' if created else 'updated'} {name}")
