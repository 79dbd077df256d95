"""Media files in and out of a backup, through Django's storage API (local folder or S3).

A restore first copies the backup's media into a staging area inside the media storage
(`.scandy-restore-<id>/new/`). Only after the database commit are they swapped in: the current files
move to `.scandy-restore-<id>/old/`, the staged ones take their place, and the old ones are removed.
If the swap fails part-way, everything moved so far is moved back.
"""

import hashlib
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.translation import gettext as _

from .archive import CHUNK, MEDIA_PREFIX, ArchiveError

logger = logging.getLogger(__name__)

STAGING_PREFIX = ".scandy-restore-"


def media_storage():
    return default_storage


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def list_files(storage=None, prefix: str = "") -> list[str]:
    """Every file of the media storage (names relative to it, with '/'), staging areas left out."""
    storage = storage or media_storage()
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    found = [_join(prefix, name) for name in sorted(files)]
    for folder in sorted(dirs):
        if not prefix and folder.startswith(STAGING_PREFIX):
            continue
        found.extend(list_files(storage, _join(prefix, folder)))
    return found


def _local_root(storage) -> Path | None:
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


class MediaRestore:
    """Stage a backup's media, then swap it in (or throw the staging away)."""

    def __init__(self, storage=None):
        self.storage = storage or media_storage()
        self.area = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        self.root = _local_root(self.storage)

    # --- staging -----------------------------------------------------------------------------------

    def stage(self, archive, members: list[str], on_bytes=None) -> None:
        """Copy every media member into the staging area, checking each checksum again on the way."""
        checksums = archive.manifest["sha256"]
        for member in members:
            relative = member[len(MEDIA_PREFIX) :]
            with archive.zip.open(member) as source:
                digest = self._stage_one(relative, source, on_bytes)
            if digest != checksums[member]:
                raise ArchiveError(_("Checksum mismatch in %(name)s.") % {"name": member})
        if self.root is not None:
            (self.root / self.area / "new").mkdir(parents=True, exist_ok=True)

    def _stage_one(self, relative: str, source, on_bytes) -> str:
        staged = f"{self.area}/new/{relative}"
        if self.root is not None:
            target = (self.root / staged).resolve()
            if not target.is_relative_to((self.root / self.area).resolve()):
                raise ArchiveError(_("Refused: %(name)s points outside the media folder.") % {"name": relative})
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                return _copy_hashing(source, out, on_bytes)
        # Other storages take a file object; a big file waits on disk, not in memory.
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
            digest = _copy_hashing(source, buffer, on_bytes)
            buffer.seek(0)
            saved = self.storage.save(staged, File(buffer, name=os.path.basename(relative)))
        if saved != staged:
            raise ArchiveError(_("The media storage renamed %(name)s while staging it.") % {"name": relative})
        return digest

    def discard(self) -> None:
        """Remove the staging area (the current media were never touched)."""
        try:
            if self.root is not None:
                shutil.rmtree(self.root / self.area, ignore_errors=True)
            else:
                for name in list_files(self.storage, self.area):
                    self.storage.delete(name)
        except Exception:
            logger.exception("could not remove the media staging area %s", self.area)

    # --- swap --------------------------------------------------------------------------------------

    def swap(self) -> None:
        if self.root is not None:
            self._swap_local()
        else:
            self._swap_storage()

    def _swap_local(self) -> None:
        area = self.root / self.area
        old, new = area / "old", area / "new"
        old.mkdir(parents=True, exist_ok=True)
        moved_out, moved_in = [], []
        try:
            for entry in sorted(self.root.iterdir()):
                if entry.name.startswith(STAGING_PREFIX):
                    continue
                os.rename(entry, old / entry.name)
                moved_out.append(entry.name)
            for entry in sorted(new.iterdir()):
                os.rename(entry, self.root / entry.name)
                moved_in.append(entry.name)
        except Exception:
            for name in reversed(moved_in):
                os.rename(self.root / name, new / name)
            for name in reversed(moved_out):
                os.rename(old / name, self.root / name)
            raise
        shutil.rmtree(area, ignore_errors=True)

    def _move(self, source: str, target: str) -> None:
        with self.storage.open(source, "rb") as handle:
            saved = self.storage.save(target, File(handle, name=os.path.basename(target)))
        if saved != target:
            self.storage.delete(saved)
            raise OSError(f"storage renamed {target}")
        self.storage.delete(source)

    def _swap_storage(self) -> None:
        current = list_files(self.storage)
        staged = list_files(self.storage, f"{self.area}/new")
        moved_out, moved_in = [], []
        try:
            for name in current:
                self._move(name, f"{self.area}/old/{name}")
                moved_out.append(name)
            for staged_name in staged:
                name = staged_name[len(f"{self.area}/new/") :]
                self._move(staged_name, name)
                moved_in.append(name)
        except Exception:
            for name in reversed(moved_in):
                self._move(name, f"{self.area}/new/{name}")
            for name in reversed(moved_out):
                self._move(f"{self.area}/old/{name}", name)
            raise
        for name in list_files(self.storage, self.area):
            self.storage.delete(name)


def _copy_hashing(source, target, on_bytes) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        if on_bytes:
            on_bytes(len(chunk))
    return digest.hexdigest()


def remove_stale_staging(max_age_seconds: float = 86400) -> None:
    """Staging areas left behind by a restore that was killed (local media folder only)."""
    root = _local_root(media_storage())
    if root is None or not root.is_dir():
        return
    cutoff = time.time() - max_age_seconds
    for area in root.glob(f"{STAGING_PREFIX}*"):
        if area.is_dir() and area.stat().st_mtime < cutoff:
            shutil.rmtree(area, ignore_errors=True)


def add_to_archive(writer, storage=None, on_bytes=None) -> tuple[int, int]:
    """Write every media file into the archive under media/; returns (files, bytes)."""
    storage = storage or media_storage()
    files = total = 0
    for name in list_files(storage):
        with storage.open(name, "rb") as source:
            total += writer.add_stream(f"{MEDIA_PREFIX}{name}", source, size_hint=storage.size(name), on_bytes=on_bytes)
        files += 1
    return files, total


def total_size(storage=None) -> int:
    storage = storage or media_storage()
    return sum(storage.size(name) for name in list_files(storage))
