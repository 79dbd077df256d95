"""The backup ZIP (CONTRACT section 6): writing it, and checking one before anything trusts it.

manifest.json                    format 1, app version, instance, created_at, row counts, sha256s
data/<app_label>.<model>.jsonl   one JSON object per row
media/<path>                     every file of the media storage
"""

import contextlib
import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024
# A manifest lists every member; even a huge backup's stays well below this.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# Media that is compressed already is stored as it is (deflating it again costs time for nothing).
_STORED_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".docx", ".xlsx"}
    | {".pptx", ".odt", ".ods", ".mp4", ".mp3", ".heic"}
)


class ArchiveError(Exception):
    """The file is not a backup we can trust; the message says why (safe to show)."""


def unsafe_member_reason(name: str) -> str | None:
    """Why a member name may not be extracted (zip-slip and friends), or None when it is fine."""
    if not name or "\x00" in name:
        return _("empty or binary member name")
    if "\\" in name:
        return _("backslash in member name %(name)s") % {"name": name}
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return _("absolute path %(name)s") % {"name": name}
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return _("path with '..' or empty parts: %(name)s") % {"name": name}
    return None


class HashingWriter:
    """Wraps a writable ZIP member and keeps the sha256 of what went through it."""

    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


class ArchiveWriter:
    """Writes members one by one, remembering their checksums for the manifest (written last)."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True)
        self.checksums: dict[str, str] = {}

    def open_member(self, name: str, *, size_hint: int = 0, compress: bool = True):
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return self.zip.open(info, "w", force_zip64=size_hint > 1024**3)

    def add_stream(self, name: str, source, *, size_hint: int = 0, on_bytes=None) -> int:
        """Copy `source` (a binary file) into member `name`; returns the bytes written."""
        compress = PurePosixPath(name).suffix.lower() not in _STORED_SUFFIXES
        with self.open_member(name, size_hint=size_hint, compress=compress) as member:
            writer = HashingWriter(member)
            while chunk := source.read(CHUNK):
                writer.write(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
        self.checksums[name] = writer.digest.hexdigest()
        return writer.size

    def add_lines(self, name: str, lines) -> int:
        """Write an iterable of text lines (without newline) as member `name`; returns the line count."""
        count = 0
        with self.open_member(name) as member:
            writer = HashingWriter(member)
            buffer = []
            for line in lines:
                buffer.append(line)
                count += 1
                if len(buffer) >= 1000:
                    writer.write(("\n".join(buffer) + "\n").encode("utf-8"))
                    buffer.clear()
            if buffer:
                writer.write(("\n".join(buffer) + "\n").encode("utf-8"))
        self.checksums[name] = writer.digest.hexdigest()
        return count

    def finish(self, manifest: dict) -> None:
        manifest = {**manifest, "sha256": dict(sorted(self.checksums.items()))}
        info = zipfile.ZipInfo(MANIFEST, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, json.dumps(manifest, indent=2, ensure_ascii=False))
        self.zip.close()

    def abort(self) -> None:
        # The partial file is deleted by the caller anyway.
        with contextlib.suppress(Exception):
            self.zip.close()


@dataclass
class CheckedArchive:
    """A backup that passed every check: its manifest and the ZIP, open for reading."""

    zip: zipfile.ZipFile
    manifest: dict
    media_members: list[str] = field(default_factory=list)

    @property
    def row_counts(self) -> dict[str, int]:
        return self.manifest["row_counts"]

    @property
    def includes_media(self) -> bool:
        return bool(self.manifest.get("includes_media"))

    def close(self) -> None:
        self.zip.close()

    def data_lines(self, member: str):
        """The JSON objects of one data member, one per line."""
        with self.zip.open(member) as stream:
            for raw in stream:
                if raw.strip():
                    yield json.loads(raw)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise ArchiveError(_("manifest.json is missing: this is not a Scandy backup.")) from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ArchiveError(_("manifest.json is implausibly large."))
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(_("manifest.json is not valid JSON.")) from exc
    if not isinstance(manifest, dict):
        raise ArchiveError(_("manifest.json is not a JSON object."))
    if manifest.get("format") != FORMAT:
        raise ArchiveError(
            _("Unsupported backup format %(found)r (this Scandy reads format %(format)d).")
            % {"found": manifest.get("format"), "format": FORMAT}
        )
    expected = {"sha256": dict, "row_counts": dict, "instance": str, "created_at": str, "app_version": str}
    for key, kind in expected.items():
        if not isinstance(manifest.get(key), kind):
            raise ArchiveError(_("manifest.json lacks a valid %(key)s.") % {"key": key})
    return manifest


def _check_members(archive: zipfile.ZipFile, manifest: dict) -> list[str]:
    names = [info.filename for info in archive.infolist()]
    if len(names) != len(set(names)):
        raise ArchiveError(_("The archive holds a member twice."))
    for info in archive.infolist():
        reason = unsafe_member_reason(info.filename)
        if reason:
            raise ArchiveError(_("Refused: %(reason)s.") % {"reason": reason})
        if _is_symlink(info) or info.is_dir():
            raise ArchiveError(_("Refused: %(name)s is not a regular file.") % {"name": info.filename})
        if info.filename != MANIFEST and not info.filename.startswith((DATA_PREFIX, MEDIA_PREFIX)):
            raise ArchiveError(_("Unexpected member %(name)s.") % {"name": info.filename})
    members = set(names) - {MANIFEST}
    listed = set(manifest["sha256"])
    for name in sorted(listed):
        reason = unsafe_member_reason(name)
        if reason:
            raise ArchiveError(_("Refused: %(reason)s.") % {"reason": reason})
    if missing := sorted(listed - members):
        raise ArchiveError(_("Members listed in the manifest are missing: %(names)s.") % {"names": ", ".join(missing)})
    if extra := sorted(members - listed):
        raise ArchiveError(_("Members without a checksum in the manifest: %(names)s.") % {"names": ", ".join(extra)})
    for label, count in manifest["row_counts"].items():
        if f"{DATA_PREFIX}{label}.jsonl" not in members or not isinstance(count, int) or count < 0:
            raise ArchiveError(_("Row count of %(label)s does not match a data member.") % {"label": label})
    return sorted(name for name in members if name.startswith(MEDIA_PREFIX))


def _check_member_content(archive: zipfile.ZipFile, name: str, expected_sha: str, on_bytes=None) -> int:
    """Read a member whole: zipfile checks its CRC, we check the sha256; returns its line count."""
    digest = hashlib.sha256()
    lines = 0
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                if on_bytes:
                    on_bytes(len(chunk))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ArchiveError(_("%(name)s cannot be read: the archive is damaged.") % {"name": name}) from exc
    if digest.hexdigest() != expected_sha:
        raise ArchiveError(_("Checksum mismatch in %(name)s: the archive was altered or damaged.") % {"name": name})
    return lines


def open_checked(path, *, progress=None) -> CheckedArchive:
    """Open the backup at `path` and verify it whole: ZIP structure, member names, manifest, every
    checksum and row count. Raises ArchiveError (and leaves nothing open) when anything is wrong.

    `progress(total_bytes)` may return a callable receiving the number of bytes read."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(_("Not a ZIP archive, or truncated.")) from exc
    try:
        manifest = _read_manifest(archive)
        media = _check_members(archive, manifest)
        total = sum(info.file_size for info in archive.infolist() if info.filename != MANIFEST)
        on_bytes = progress(total) if progress else None
        for name, sha in sorted(manifest["sha256"].items()):
            if not isinstance(sha, str):
                raise ArchiveError(_("Bad checksum entry for %(name)s.") % {"name": name})
            lines = _check_member_content(archive, name, sha, on_bytes)
            if name.startswith(DATA_PREFIX):
                label = name[len(DATA_PREFIX) : -len(".jsonl")]
                if manifest["row_counts"].get(label) != lines:
                    raise ArchiveError(_("Row count of %(label)s does not match its data.") % {"label": label})
        return CheckedArchive(zip=archive, manifest=manifest, media_members=media)
    except ArchiveError:
        archive.close()
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        archive.close()
        raise ArchiveError(_("The archive is damaged.")) from exc


def read_manifest(path) -> dict:
    """Only the manifest, without checking the members (for listings)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_manifest(archive)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(_("Not a ZIP archive, or truncated.")) from exc
