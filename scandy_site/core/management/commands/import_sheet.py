"""`manage.py import_sheet tools|consumables|workers FILE [--department CODE] [--dry-run]` (CONTRACT 7).

Thin: the rules are those of the import pages (scandy_site.core.sheets). Prints
`import_sheet: created=N updated=N unchanged=N`; when any row is refused, one line per problem
(`row R, column C: message`) on stderr, nothing written, exit code 1."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scandy_site.accounts.models import Department
from scandy_site.core.errors import ApplicationError
from scandy_site.core.sheets import get_sheet, import_sheet, sheet_kinds


class Command(BaseCommand):
    help = (
        "Import tools, consumables or workers from an .xlsx or .csv file whose header row names the columns of "
        "that list's export. All rows or none; problems are reported by row and column."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sheet_kinds())
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument(
            "--department",
            help="code of the department every row goes to; without it, the only department there is, or the one "
            "each row names in a 'department' column",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row and report, write nothing")
        parser.add_argument(
            "--create-missing", action="store_true", help="create categories and locations the department lacks"
        )

    def handle(self, *args, kind, file, department, dry_run, create_missing, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        target, departments = self._target(department)
        try:
            with path.open("rb") as handle:
                result = import_sheet(
                    get_sheet(kind), file=handle, user=None, department=target, departments=departments,
                    create_missing=create_missing, dry_run=dry_run, filename=path.name,
                )  # fmt: skip
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if not result.ok:
            for line in result.error_lines():
                self.stderr.write(line)
            self.stderr.write(f"import_sheet: {len(result.errors)} rows refused, nothing written")
            sys.exit(1)
        self.stdout.write(f"import_sheet: {result.summary()}" + (" (dry run, nothing written)" if dry_run else ""))

    @staticmethod
    def _target(code: str | None):
        active = list(Department.objects.filter(active=True).order_by("pk"))
        if code:
            found = next((d for d in active if d.code == code), None)
            if found is None:
                known = ", ".join(d.code for d in active) or "none"
                raise CommandError(f"unknown department {code!r} (active departments: {known})")
            return found, ()
        if len(active) == 1:
            return active[0], ()
        return None, active
