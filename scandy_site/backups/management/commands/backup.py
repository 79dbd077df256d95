"""`manage.py backup create|list|verify|restore|prune` (CONTRACT section 1)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from scandy_site.backups import services
from scandy_site.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create, list, verify, restore and prune backups (ZIP: database rows as JSON lines, media files)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,verify,restore,prune}")
        create = sub.add_parser("create", help="write a backup; prints its path")
        create.add_argument("--no-media", action="store_true", help="database only, without the media files")
        create.add_argument("--output", type=Path, help="write to this file or folder instead of the backup storage")
        sub.add_parser("list", help="the stored backups, newest first")
        verify = sub.add_parser("verify", help="check every checksum and whether this Scandy can restore it")
        verify.add_argument("file", help="a path, or the name of a stored backup")
        restore = sub.add_parser("restore", help="replace all data and media with the backup's")
        restore.add_argument("file", help="a path, or the name of a stored backup")
        restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        prune = sub.add_parser("prune", help="delete backups outside the rotation (7 daily, 4 weekly, 12 monthly)")
        prune.add_argument("--dry-run", action="store_true", help="only list what would be deleted")

    def handle(self, *args, action, **options):
        progress = sys.stderr.isatty()
        try:
            getattr(self, f"do_{action}")(progress=progress, **options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def do_create(self, *, progress, no_media, output, **options):
        created = services.backup_create(include_media=not no_media, output=output, progress=progress)
        self.stdout.write(created.location)

    def do_list(self, *, progress, **options):
        backups = services.backup_list()
        if not backups:
            self.stdout.write("no backups")
            return
        for info in backups:
            created = timezone.localtime(info.created_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"{info.name}  {created}  {filesizeformat(info.size)}")

    def do_verify(self, *, progress, file, **options):
        report = services.backup_verify(source=_file_or_name(file), progress=progress)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{report.name}: NOT OK")
        manifest = report.manifest
        media = manifest.get("media") or {}
        media_text = f"{media.get('files', 0)} media files" if manifest.get("includes_media") else "no media"
        self.stdout.write(
            f"{report.name}: OK (instance {manifest['instance']}, created {manifest['created_at']}, "
            f"Scandy {manifest['app_version']}, {report.rows} rows, {media_text})"
        )

    def do_restore(self, *, progress, file, yes, **options):
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Restoring replaces all data and media; add --yes to confirm.")
            answer = input(f"Replace ALL data and media of this instance with {file}? Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        result = services.backup_restore(source=_file_or_name(file), progress=progress)
        media = "media unchanged" if result.media_files is None else f"{result.media_files} media files"
        self.stdout.write(
            f"restored {result.name}: {result.rows} rows, {media}; the state before is saved as {result.safety_backup}"
        )

    def do_prune(self, *, progress, dry_run, **options):
        result = services.backup_prune(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for name in result.deleted:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"kept={len(result.kept)} {verb.replace(' ', '_')}={len(result.deleted)}")


def _file_or_name(argument: str):
    """On the command line FILE may be a path to a backup file or the name of a stored backup."""
    path = Path(argument)
    return path if path.is_file() else argument
