"""Backups: create, verify, restore, prune, upload, delete (CONTRACT sections 1 and 6).

A restore never leaves things half-done: the archive is verified whole first; the media are staged
beside the current ones; the database is replaced in one transaction (tables locked, a safety
backup of the current state written inside it); the staged media are swapped in only after the
commit, and if that swap fails the database is put back from the safety backup.
"""

import datetime
import fcntl
import json
import logging
import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, OperationalError, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from scandy_site import __version__
from scandy_site.core.errors import ApplicationError

from . import media, rotation, storage
from .archive import DATA_PREFIX, FORMAT, ArchiveError, ArchiveWriter, CheckedArchive, open_checked, read_manifest
from .contents import (
    EXCLUDED_MODELS,
    NATURAL_KEY_MODELS,
    ModelCodec,
    included_models,
    model_for_label,
    replaced_models,
    secret_fields,
)

logger = logging.getLogger(__name__)

DB = "default"
INSERT_BATCH = 2000
SAFETY_LABEL = "pre-restore"
UPLOAD_LABEL = "uploaded"
# pg_advisory_lock key shared by every process of one database ("scandy backup").
_ADVISORY_KEY = 0x5CA9_DB4C


@dataclass(frozen=True)
class CreatedBackup:
    name: str
    location: str
    size: int
    rows: int
    media_files: int
    media_bytes: int


@dataclass(frozen=True)
class VerifyReport:
    name: str
    ok: bool
    problems: list[str]
    manifest: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.manifest.get("row_counts", {}).values())


@dataclass(frozen=True)
class RestoreResult:
    name: str
    safety_backup: str
    rows: int
    media_files: int | None
    tokens_kept: int


@dataclass(frozen=True)
class PruneResult:
    kept: list[str]
    deleted: list[str]


# --- helpers ---------------------------------------------------------------------------------------


def _bar(progress: bool, **kwargs):
    return tqdm(disable=not progress, file=sys.stderr, dynamic_ncols=True, **kwargs)


def _bytes(progress: bool, total: int | None, description: str):
    return _bar(progress, total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=description)


def _byte_bar(progress: bool, description: str):
    """A progress factory for archive reads: total bytes in, a callable counting bytes out."""
    if not progress:
        return None

    def start(total: int):
        return _bytes(True, total, description).update

    return start


@contextmanager
def exclusive():
    """One backup operation at a time per instance: a lock file in the data dir, and on PostgreSQL
    an advisory lock too (web and task workers on several machines share the database)."""
    lock_path = Path(settings.DATA_DIR) / "backup.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    busy = ApplicationError("CONFLICT", _("Another backup or restore is running; try again when it has finished."))
    connection = connections[DB]
    advisory = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [_ADVISORY_KEY])
                advisory = cursor.fetchone()[0]
            if not advisory:
                raise busy
        yield
    finally:
        if advisory:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_ADVISORY_KEY])
        os.close(fd)


@contextmanager
def _read_snapshot():
    """All tables read as of one moment. PostgreSQL: a repeatable-read transaction. SQLite: a
    deferred read transaction (WAL lets writers go on meanwhile). Inside an open transaction (the
    safety backup of a restore) that transaction already is the snapshot."""
    connection = connections[DB]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=DB):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=DB):
        yield


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[DB]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _json_line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _counting(rows, bar):
    for number, row in enumerate(rows, 1):
        if number % 1000 == 0:
            bar.update(1000)
        yield row


def _write_archive(path: Path, *, include_media: bool, progress: bool) -> dict:
    """Write a complete backup of the current state to `path`; returns its manifest."""
    writer = ArchiveWriter(path)
    try:
        codecs = [ModelCodec(model) for model in included_models()]
        row_counts, models_meta = {}, {}
        with _read_snapshot():
            total = sum(codec.model._base_manager.using(DB).count() for codec in codecs) if progress else None
            with _bar(progress, total=total, unit=" rows", desc=_("Database"), leave=False) as bar:
                for codec in codecs:
                    rows = codec.queryset(DB).iterator(chunk_size=INSERT_BATCH)
                    count = writer.add_lines(
                        codec.member, (_json_line(codec.encode_row(row)) for row in _counting(rows, bar))
                    )
                    bar.update(count % 1000)
                    row_counts[codec.label] = count
                    models_meta[codec.label] = {"fields": codec.attnames, "blanked": sorted(codec.blanked)}
            migrations = _applied_migrations()
        media_files = media_bytes = 0
        if include_media:
            total_media = media.total_size() if progress else None
            with _bytes(progress, total_media, _("Media")) as bar:
                media_files, media_bytes = media.add_to_archive(writer, on_bytes=bar.update)
        manifest = {
            "format": FORMAT,
            "app": "scandy",
            "app_version": __version__,
            "instance": settings.SCANDY_INSTANCE,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connections[DB].vendor,
            "includes_media": include_media,
            "media": {"files": media_files, "bytes": media_bytes},
            "row_counts": row_counts,
            "models": models_meta,
            "migrations": migrations,
            "excluded": EXCLUDED_MODELS,
        }
        writer.finish(manifest)
        return manifest
    except BaseException:
        writer.abort()
        raise


def _create(*, include_media: bool, progress: bool, label: str = "", output: Path | None = None) -> CreatedBackup:
    started = time.monotonic()
    name = storage.free_name(settings.SCANDY_INSTANCE, timezone.now(), label)
    folder = storage.staging_folder()
    try:
        partial = folder / name
        manifest = _write_archive(partial, include_media=include_media, progress=progress)
        size = partial.stat().st_size
        if output is not None:
            target = output / name if output.is_dir() else output
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(partial, target)
            location, name = str(target.resolve()), target.name
        else:
            name = storage.store(partial, name)
            location = storage.display_location(name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    created = CreatedBackup(
        name=name,
        location=location,
        size=size,
        rows=sum(manifest["row_counts"].values()),
        media_files=manifest["media"]["files"],
        media_bytes=manifest["media"]["bytes"],
    )
    logger.info(
        "backup created %s",
        name,
        extra={
            "backup": name,
            "bytes": size,
            "rows": created.rows,
            "media_files": created.media_files,
            "seconds": round(time.monotonic() - started, 2),
        },
    )
    return created


@contextmanager
def _local_source(source: str | Path):
    """A local path for a backup given as a `Path` (the command line) or as a name in the backup storage.

    A string is always a stored backup's name, never a path: the API and admin pass names they received."""
    if isinstance(source, Path):
        yield source
        return
    with storage.local_copy(storage.existing(str(source))) as local:
        yield local


def _invalid(reason: str) -> ApplicationError:
    return ApplicationError(
        "BACKUP_INVALID",
        _("The backup cannot be used: %(reason)s") % {"reason": reason},
        errors={"backup": [reason]},
    )


def _open(path: Path, progress: bool) -> CheckedArchive:
    try:
        return open_checked(path, progress=_byte_bar(progress, _("Verifying")))
    except ArchiveError as exc:
        raise _invalid(str(exc)) from exc


# --- compatibility ------------------------------------------------------------------------------------


def _compatibility_problems(manifest: dict) -> list[str]:
    """Why this Scandy cannot load the backup (empty when it can)."""
    problems = []
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        problems.append(
            _("The backup was made by a newer or different Scandy (unknown migrations: %(names)s).")
            % {"names": ", ".join(unknown[:5]) + ("…" if len(unknown) > 5 else "")}
        )
    models_meta = manifest.get("models") or {}
    for label in manifest["row_counts"]:
        model = model_for_label(label)
        if model is None:
            if label not in EXCLUDED_MODELS:
                problems.append(_("The backup holds %(label)s, which this Scandy does not know.") % {"label": label})
            continue
        fields = {f.attname: f for f in model._meta.concrete_fields}
        backup_fields = (models_meta.get(label) or {}).get("fields")
        if not isinstance(backup_fields, list):
            problems.append(_("The manifest does not list the fields of %(label)s.") % {"label": label})
            continue
        if gone := sorted(set(backup_fields) - set(fields)):
            problems.append(
                _("%(label)s has fields this Scandy does not know: %(fields)s.")
                % {"label": label, "fields": ", ".join(gone)}
            )
        for attname in sorted(set(fields) - set(backup_fields)):
            model_field = fields[attname]
            if not (model_field.has_default() or model_field.null or model_field.empty_strings_allowed):
                problems.append(
                    _("%(label)s lacks the field %(field)s, which has no default.") % {"label": label, "field": attname}
                )
    for label in NATURAL_KEY_MODELS:
        referenced = any(
            f.is_relation and f.related_model and f.related_model._meta.label_lower == label
            for lbl in manifest["row_counts"]
            if (model := model_for_label(lbl)) is not None
            for f in model._meta.concrete_fields
        )
        if referenced and label not in manifest["row_counts"]:
            problems.append(_("The backup lacks %(label)s, which its rows refer to.") % {"label": label})
    return problems


# --- loading -------------------------------------------------------------------------------------------


def _natural_key_maps(archive: CheckedArchive) -> dict[str, dict]:
    """Match the backup's content types and permissions to this database's (creating missing ones)
    and return old id -> id here, per model."""
    from django.contrib.auth.models import Permission

    counts = archive.row_counts
    types: dict = {}
    if "contenttypes.contenttype" in counts:
        for row in archive.data_lines(f"{DATA_PREFIX}contenttypes.contenttype.jsonl"):
            found, _created = ContentType.objects.using(DB).get_or_create(
                app_label=row["app_label"], model=row["model"]
            )
            types[row["id"]] = found.pk
    permissions: dict = {}
    if "auth.permission" in counts:
        for row in archive.data_lines(f"{DATA_PREFIX}auth.permission.jsonl"):
            found, _created = Permission.objects.using(DB).get_or_create(
                content_type_id=types[row["content_type_id"]], codename=row["codename"], defaults={"name": row["name"]}
            )
            permissions[row["id"]] = found.pk
    return {"contenttypes.contenttype": types, "auth.permission": permissions}


@dataclass
class Preserved:
    """What a backup leaves out but an undone restore must put back: API tokens and secret fields.
    Held in memory only, never written anywhere."""

    tokens: list[tuple[str, str, datetime.datetime]]
    secrets: dict[type, dict[object, dict[str, object]]]


def _capture_preserved() -> Preserved:
    from rest_framework.authtoken.models import Token

    tokens = list(Token.objects.using(DB).values_list("key", "user__username", "created"))
    secrets = {}
    for model in replaced_models():
        names = [f.attname for f in secret_fields(model)]
        if names:
            rows = model._base_manager.using(DB).values_list("pk", *names)
            secrets[model] = {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}
    return Preserved(tokens=tokens, secrets=secrets)


def _put_back_secrets(secrets: dict) -> None:
    for model, rows in secrets.items():
        for pk, values in rows.items():
            model._base_manager.using(DB).filter(pk=pk).update(**values)


def _keep_tokens(tokens) -> int:
    """API tokens are not in a backup; the current ones stay for users that exist (and are active)
    after the restore under the same username."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    users = dict(
        get_user_model()
        .objects.using(DB)
        .filter(username__in=[username for _key, username, _created in tokens], is_active=True)
        .values_list("username", "pk")
    )
    kept = [
        Token(key=key, user_id=users[username], created=created)
        for key, username, created in tokens
        if username in users
    ]
    Token.objects.using(DB).bulk_create(kept)
    return len(kept)


# How long a restore waits for running requests to release the tables (PostgreSQL).
LOCK_TIMEOUT = "30s"


def _lock_tables(tables: list[str]) -> None:
    """Nobody reads or writes the tables while they are replaced (SQLite: the transaction's write
    lock does that). A restore that cannot get them in time gives up: nothing changed, try again."""
    connection = connections[DB]
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(table) for table in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")


def _reset_sequences(models) -> None:
    connection = connections[DB]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
            if cursor.fetchone() is None:
                return
            for model in models:
                table, pk = model._meta.db_table, model._meta.pk
                if pk.get_internal_type() not in ("AutoField", "BigAutoField", "SmallAutoField"):
                    continue
                quote = connection.ops.quote_name
                cursor.execute(
                    f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX({quote(pk.column)}), 0) "
                    f"FROM {quote(table)}) WHERE name = %s",
                    [table],
                )
        else:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def _insert_rows(archive: CheckedArchive, model, manifest_fields: list[str], remap: dict, bar) -> int:
    connection = connections[DB]
    codec = ModelCodec(model)
    columns = codec.attnames
    decode = codec.decoder(columns, connection, remap)
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in codec.fields}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(by_attname[c].column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    count = 0
    batch = []
    with connection.cursor() as cursor:
        for row in archive.data_lines(f"{DATA_PREFIX}{codec.label}.jsonl"):
            batch.append(decode(row))
            if len(batch) >= INSERT_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                bar.update(len(batch))
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
            bar.update(len(batch))
    return count


def _load_database(
    archive: CheckedArchive, *, progress: bool, before_load=None, undo: Preserved | None = None
) -> tuple[int, int, Preserved]:
    """Replace every replaced table's rows with the backup's. Runs inside the caller's transaction.
    With `undo` (putting back the state before a restore) its tokens and secrets are put back too.
    Returns (rows loaded, API tokens kept, what the backup leaves out of the state replaced)."""
    from rest_framework.authtoken.models import Token

    connection = connections[DB]
    models = replaced_models()
    tables = [model._meta.db_table for model in models] + [Token._meta.db_table]
    _lock_tables(tables)
    if before_load:
        before_load()
    preserved = _capture_preserved()
    remap = _natural_key_maps(archive)
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False):
            cursor.execute(statement)
    counts = archive.row_counts
    models_meta = archive.manifest.get("models") or {}
    loaded = 0
    total = sum(counts.get(model._meta.label_lower, 0) for model in models)
    with _bar(progress, total=total, unit=" rows", desc=_("Restoring"), leave=False) as bar:
        for model in models:
            label = model._meta.label_lower
            if label in counts:
                loaded += _insert_rows(archive, model, models_meta[label]["fields"], remap, bar)
    _reset_sequences(models)
    kept = _keep_tokens((undo or preserved).tokens)
    if undo is not None:
        _put_back_secrets(undo.secrets)
    connection.check_constraints(table_names=tables)
    from scandy_site.core.schedules import ensure_schedules

    ensure_schedules()
    return loaded, kept, preserved


def _after_database_change() -> None:
    from scandy_site.core.setup_state import forget_setup_state

    ContentType.objects.clear_cache()
    forget_setup_state()


def _load_in_transaction(
    archive: CheckedArchive, *, progress: bool, before_load=None, undo: Preserved | None = None
) -> tuple[int, int, Preserved]:
    try:
        with transaction.atomic(using=DB):
            result = _load_database(archive, progress=progress, before_load=before_load, undo=undo)
            transaction.on_commit(_after_database_change, using=DB)
            return result
    except ApplicationError:
        raise
    except OperationalError as exc:
        ContentType.objects.clear_cache()
        logger.warning("restore rolled back: %s", exc)
        raise ApplicationError(
            "CONFLICT", _("The database was busy; nothing was changed. Try again in a moment.")
        ) from exc
    except (IntegrityError, DatabaseError, ValidationError, KeyError, ValueError, TypeError) as exc:
        ContentType.objects.clear_cache()
        logger.warning("restore rolled back: %s", exc)
        reason = _("its data do not load (%(error)s); nothing was changed.") % {"error": type(exc).__name__}
        raise _invalid(reason) from exc
    except BaseException:
        ContentType.objects.clear_cache()
        raise


# --- public services ---------------------------------------------------------------------------------


def backup_create(*, include_media: bool = True, output: Path | None = None, progress: bool = False) -> CreatedBackup:
    """A complete backup of this instance, into the backup storage (or to `output`, a file or folder)."""
    with exclusive():
        return _create(include_media=include_media, progress=progress, output=output)


def backup_list() -> list[storage.BackupInfo]:
    return storage.list_backups()


def backup_manifest(*, name: str) -> dict:
    """The manifest of a stored backup, without checking the members (quick)."""
    storage.info_for(name)
    with storage.local_copy(name) as path:
        try:
            return read_manifest(path)
        except ArchiveError as exc:
            raise _invalid(str(exc)) from exc


def backup_verify(*, source: str | Path, progress: bool = False) -> VerifyReport:
    """Check a backup whole (every checksum, row count and member name) and whether this Scandy can
    restore it. Never raises for a broken backup: the report says what is wrong."""
    with _local_source(source) as path:
        try:
            archive = open_checked(path, progress=_byte_bar(progress, _("Verifying")))
        except ArchiveError as exc:
            return VerifyReport(name=Path(path).name, ok=False, problems=[str(exc)])
        try:
            problems = _compatibility_problems(archive.manifest)
            return VerifyReport(name=Path(path).name, ok=not problems, problems=problems, manifest=archive.manifest)
        finally:
            archive.close()


def backup_restore(*, source: str | Path, progress: bool = False, user=None) -> RestoreResult:
    """Replace this instance's data and media with the backup's (see the module docstring)."""
    started = time.monotonic()
    with exclusive(), _local_source(source) as path:
        archive = _open(path, progress)
        try:
            return _restore(archive, Path(path).name, progress=progress, user=user, started=started)
        finally:
            archive.close()


def _restore(archive: CheckedArchive, name: str, *, progress: bool, user, started: float) -> RestoreResult:
    if problems := _compatibility_problems(archive.manifest):
        raise _invalid(" ".join(problems))
    staged = media.MediaRestore() if archive.includes_media else None
    safety: list[CreatedBackup] = []
    try:
        if staged is not None:
            size = sum(archive.zip.getinfo(m).file_size for m in archive.media_members)
            with _bytes(progress, size, _("Staging media")) as bar:
                staged.stage(archive, archive.media_members, on_bytes=bar.update)

        def take_safety_backup():
            # Inside the transaction, after the tables are locked: exactly the state being replaced.
            safety.append(_create(include_media=True, progress=progress, label=SAFETY_LABEL))

        rows, tokens_kept, preserved = _load_in_transaction(archive, progress=progress, before_load=take_safety_backup)
    except BaseException:
        if staged is not None:
            staged.discard()
        if safety:
            storage.backup_storage().delete(safety[0].name)
        raise
    if staged is not None:
        try:
            staged.swap()
        except Exception as exc:
            logger.exception("media swap failed after the database restore; putting the database back")
            staged.discard()
            _undo_database(safety[0].name, preserved)
            raise ApplicationError(
                "CONFLICT",
                _("The media files could not be put in place; the database was put back as it was. Nothing changed."),
            ) from exc
    logger.info(
        "backup restored %s",
        name,
        extra={
            "backup": name,
            "safety_backup": safety[0].name,
            "rows": rows,
            "media_files": len(archive.media_members) if staged is not None else None,
            "user_id": getattr(user, "pk", None),
            "seconds": round(time.monotonic() - started, 2),
        },
    )
    return RestoreResult(
        name=name,
        safety_backup=safety[0].name,
        rows=rows,
        media_files=len(archive.media_members) if staged is not None else None,
        tokens_kept=tokens_kept,
    )


def _undo_database(safety_name: str, preserved: Preserved) -> None:
    """Load the safety backup's database part again (its media were never replaced), with the tokens
    and secret fields held in memory, so the database is exactly as before the restore."""
    try:
        with storage.local_copy(safety_name) as path:
            archive = open_checked(path)
            try:
                _load_in_transaction(archive, progress=False, undo=preserved)
            finally:
                archive.close()
    except Exception:
        logger.critical(
            "could not put the database back after a failed media swap; restore %s by hand", safety_name, exc_info=True
        )
        raise


def backup_prune(*, dry_run: bool = False) -> PruneResult:
    """Delete this instance's backups outside the rotation (7 daily, 4 weekly, 12 monthly by default)."""
    with exclusive():
        return _prune(dry_run=dry_run)


def _prune(*, dry_run: bool) -> PruneResult:
    backups = [info for info in storage.list_backups() if info.instance == settings.SCANDY_INSTANCE]
    keep = rotation.to_keep(
        ((info.created_at, info.name) for info in backups),
        daily=settings.BACKUP_KEEP_DAILY,
        weekly=settings.BACKUP_KEEP_WEEKLY,
        monthly=settings.BACKUP_KEEP_MONTHLY,
    )
    deleted = [info.name for info in backups if info.name not in keep]
    if not dry_run:
        for name in deleted:
            storage.backup_storage().delete(name)
        _remove_stale_partials()
    if deleted and not dry_run:
        logger.info("backups pruned", extra={"deleted": deleted, "kept": len(keep)})
    return PruneResult(kept=[info.name for info in backups if info.name in keep], deleted=deleted)


def _remove_stale_partials() -> None:
    """Scratch folders of backups and restores that were interrupted (a killed process) more than a
    day ago."""
    media.remove_stale_staging()
    probe = storage.local_path("probe.zip")
    parents = {Path(settings.DATA_DIR)} | ({probe.parent} if probe is not None else set())
    cutoff = time.time() - 86400
    for parent in parents:
        for folder in parent.glob(".partial-*"):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


def backup_daily() -> tuple[CreatedBackup, PruneResult]:
    """The scheduled job: a full backup, then the rotation."""
    with exclusive():
        created = _create(include_media=True, progress=False)
        return created, _prune(dry_run=False)


def backup_delete(*, name: str) -> None:
    with exclusive():
        storage.delete(name)
    logger.info("backup deleted %s", name, extra={"backup": name})


def backup_upload(*, uploaded) -> storage.BackupInfo:
    """Store an uploaded backup after verifying it whole (a broken or foreign file is refused)."""
    folder = storage.staging_folder()
    try:
        local = folder / "upload.zip"
        with open(local, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        archive = _open(local, progress=False)
        try:
            if problems := _compatibility_problems(archive.manifest):
                raise _invalid(" ".join(problems))
            manifest = archive.manifest
        finally:
            archive.close()
        name = _upload_name(getattr(uploaded, "name", "") or "", manifest)
        with exclusive():
            name = storage.store(local, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    logger.info("backup uploaded %s", name, extra={"backup": name})
    return storage.info_for(name)


def _upload_name(original: str, manifest: dict) -> str:
    original = Path(original).name
    if storage.parse_name(original) and not storage.backup_storage().exists(original):
        return original
    instance = manifest.get("instance", "")
    if not storage.NAME_RE.match(f"scandy-backup-{instance}-20000101-000000.zip"):
        instance = "unknown"
    try:
        created = datetime.datetime.fromisoformat(manifest["created_at"])
    except ValueError:
        created = timezone.now()
    if timezone.is_naive(created):
        created = timezone.make_aware(created)
    return storage.free_name(instance, created, UPLOAD_LABEL)


def backup_open(*, name: str):
    """The stored file, opened for download."""
    storage.info_for(name)
    return storage.backup_storage().open(name, "rb")
