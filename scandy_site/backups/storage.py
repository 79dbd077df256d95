"""Where backups are kept: the `backups` storage (the data dir's `backups/`, or S3 when configured).

Names follow `scandy-backup-<instance>-<YYYYmmdd-HHMMSS>[-<label>].zip` (local time)."""

import datetime
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError

NAME_RE = re.compile(
    r"^scandy-backup-(?P<instance>[a-z0-9][a-z0-9_-]*?)-(?P<stamp>\d{8}-\d{6})(?:-(?P<label>[a-z0-9][a-z0-9-]*))?\.zip$"
)
STAMP_FORMAT = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupInfo:
    name: str
    size: int
    instance: str
    created_at: datetime.datetime
    label: str

    @property
    def kind(self) -> str:
        return self.label or "backup"


def backup_storage():
    return storages["backups"]


def parse_name(name: str) -> tuple[str, datetime.datetime, str] | None:
    match = NAME_RE.match(name)
    if not match:
        return None
    try:
        naive = datetime.datetime.strptime(match["stamp"], STAMP_FORMAT)
    except ValueError:
        return None
    return match["instance"], timezone.make_aware(naive), match["label"] or ""


def build_name(instance: str, at: datetime.datetime, label: str = "") -> str:
    stamp = timezone.localtime(at).strftime(STAMP_FORMAT)
    return f"scandy-backup-{instance}-{stamp}{'-' + label if label else ''}.zip"


def free_name(instance: str, at: datetime.datetime, label: str = "") -> str:
    """A name not taken yet (two backups in the same second get a numbered label)."""
    storage = backup_storage()
    name = build_name(instance, at, label)
    number = 2
    while storage.exists(name):
        name = build_name(instance, at, f"{label}-{number}" if label else str(number))
        number += 1
    return name


def valid_name(name: str) -> str:
    """`name` when it is a backup file name (no path, expected pattern); else NOT_FOUND."""
    if not isinstance(name, str) or "/" in name or "\\" in name or parse_name(name) is None:
        raise ApplicationError("NOT_FOUND", _("No backup of that name."))
    return name


def existing(name: str) -> str:
    """`name` when a backup of that name is stored; else NOT_FOUND."""
    if not backup_storage().exists(valid_name(name)):
        raise ApplicationError("NOT_FOUND", _("No backup of that name."))
    return name


def info_for(name: str) -> BackupInfo:
    instance, created_at, label = parse_name(existing(name))
    size = backup_storage().size(name)
    return BackupInfo(name=name, size=size, instance=instance, created_at=created_at, label=label)


def list_backups() -> list[BackupInfo]:
    """Every backup in the storage, newest first."""
    storage = backup_storage()
    try:
        _dirs, files = storage.listdir("")
    except FileNotFoundError:
        return []
    found = []
    for name in files:
        parsed = parse_name(name)
        if parsed is None:
            continue
        instance, created_at, label = parsed
        info = BackupInfo(name=name, size=storage.size(name), instance=instance, created_at=created_at, label=label)
        found.append(info)
    return sorted(found, key=lambda info: (info.created_at, info.name), reverse=True)


def local_path(name: str) -> Path | None:
    """The file on disk when the storage is a local folder."""
    storage = backup_storage()
    return Path(storage.path(name)) if isinstance(storage, FileSystemStorage) else None


@contextmanager
def local_copy(name: str):
    """A local file holding backup `name` (downloaded first from a remote storage)."""
    path = local_path(name)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="scandy-backup-", dir=settings.DATA_DIR) as folder:
        target = Path(folder) / name
        with backup_storage().open(name, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        yield target


def staging_folder() -> Path:
    """Local scratch space for a backup being written (removed by the caller). Inside the backup
    folder when it is local, so the finished file is moved into place by an atomic rename."""
    probe = local_path("probe.zip")
    parent = probe.parent if probe is not None else Path(settings.DATA_DIR)
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".partial-", dir=parent))


def store(local_file: Path, name: str) -> str:
    """Move a finished local backup file into the storage under `name`."""
    storage = backup_storage()
    path = local_path(name)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(local_file, path)  # same filesystem: atomic, never a half-written backup
        return name
    with open(local_file, "rb") as handle:
        saved = storage.save(name, File(handle, name=name))
    local_file.unlink(missing_ok=True)
    return saved


def delete(name: str) -> None:
    backup_storage().delete(existing(name))


def display_location(name: str) -> str:
    path = local_path(name)
    if path is not None:
        return str(path)
    storage = backup_storage()
    bucket = getattr(storage, "bucket_name", "")
    location = getattr(storage, "location", "")
    return f"s3://{bucket}/{location.strip('/')}/{name}" if bucket else name
