"""Every way a restore can fail leaves the database and the media exactly as they were, and says why."""

import json
import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from inventory.models import Tool
from scandy_site.backups import media, services
from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent
from tests.factories.backups import build_full_dataset, media_snapshot, rewrite_backup, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def prepared(backup_dirs):
    """A full dataset, a backup of it, then changes: the state a failed restore must leave alone."""
    dataset = build_full_dataset(backup_dirs.media)
    created = services.backup_create()
    Tool.objects.filter(pk=dataset.tool.pk).update(name="after the backup")
    (backup_dirs.media / "after.txt").write_text("after the backup")
    return backup_dirs, created


def state(dirs):
    return {
        "db": snapshot(),
        "media": media_snapshot(dirs.media),
        "backups": sorted(p.name for p in dirs.backups.iterdir()),
        "media_top": sorted(p.name for p in dirs.media.iterdir()),
    }


def restore_fails(dirs, source, code="BACKUP_INVALID"):
    before = state(dirs)
    with pytest.raises(ApplicationError) as caught:
        services.backup_restore(source=source)
    assert caught.value.code == code
    assert state(dirs) == before
    return caught.value.message


def test_a_changed_member_fails_its_checksum(prepared):
    dirs, created = prepared
    broken = dirs.root / "broken.zip"
    rewrite_backup(
        dirs.backups / created.name,
        broken,
        change=lambda name, data: data.replace(b"Bohrhammer", b"Bohrhammex") if name.endswith("tool.jsonl") else data,
        fix_manifest=False,
    )
    message = restore_fails(dirs, broken)
    assert "Checksum mismatch in data/inventory.tool.jsonl" in message


def test_a_changed_media_file_fails_its_checksum(prepared):
    dirs, created = prepared
    broken = dirs.root / "broken.zip"
    rewrite_backup(
        dirs.backups / created.name,
        broken,
        change=lambda name, data: b"evil" if name == "media/notes/readme.txt" else data,
        fix_manifest=False,
    )
    assert "media/notes/readme.txt" in restore_fails(dirs, broken)


def test_a_truncated_archive_is_refused(prepared):
    dirs, created = prepared
    data = (dirs.backups / created.name).read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 100):
        truncated = dirs.root / f"truncated-{cut}.zip"
        truncated.write_bytes(data[:cut])
        assert "truncated" in restore_fails(dirs, truncated) or "damaged" in restore_fails(dirs, truncated)


def test_not_a_zip_at_all(prepared):
    dirs, _created = prepared
    bogus = dirs.root / "bogus.zip"
    bogus.write_text("hello")
    assert "Not a ZIP archive" in restore_fails(dirs, bogus)


@pytest.mark.parametrize(
    "member",
    ["../evil.txt", "/tmp/scandy-zip-slip-evil.txt", "media/../../evil.txt", "media/a/../../../evil.txt", "C:/evil"],
)
def test_zip_slip_members_are_refused(prepared, member):
    dirs, created = prepared
    evil = dirs.root / "evil.zip"
    rewrite_backup(dirs.backups / created.name, evil, add={member: b"pwned"})
    message = restore_fails(dirs, evil)
    assert "Refused" in message
    assert not (dirs.root / "evil.txt").exists()
    assert not (dirs.root.parent / "evil.txt").exists()
    assert not Path("/tmp/scandy-zip-slip-evil.txt").exists()
    report = services.backup_verify(source=evil)
    assert not report.ok and "Refused" in report.problems[0]


def test_a_member_missing_from_the_manifest_is_refused(prepared):
    dirs, created = prepared
    extra = dirs.root / "extra.zip"
    rewrite_backup(dirs.backups / created.name, extra, add={"media/smuggled.txt": b"x"}, fix_manifest=False)
    assert "without a checksum" in restore_fails(dirs, extra)


def test_a_wrong_row_count_is_refused(prepared):
    dirs, created = prepared
    lying = dirs.root / "lying.zip"

    def drop_a_line(name, data):
        return data.split(b"\n", 1)[1] if name == "data/inventory.tool.jsonl" else data

    rewrite_backup(dirs.backups / created.name, lying, change=drop_a_line)
    # rewrite_backup recomputes counts; put the old count back to make the manifest lie.
    import zipfile

    with zipfile.ZipFile(lying) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["row_counts"]["inventory.tool"] += 1
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(lying, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert "Row count of inventory.tool" in restore_fails(dirs, lying)


def test_an_exception_half_way_through_loading_changes_nothing(prepared, monkeypatch):
    dirs, created = prepared
    real_insert = services._insert_rows
    calls = []

    def failing_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 8:  # several tables are emptied and refilled by now
            raise RuntimeError("power cut")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(services, "_insert_rows", failing_insert)
    before = state(dirs)
    with pytest.raises(RuntimeError, match="power cut"):
        services.backup_restore(source=created.name)
    assert len(calls) == 8
    assert state(dirs) == before


def test_data_the_database_refuses_changes_nothing(prepared):
    dirs, created = prepared
    duplicated = dirs.root / "duplicate.zip"

    def duplicate_first_tool(name, data):
        return data.split(b"\n", 1)[0] + b"\n" + data if name == "data/inventory.tool.jsonl" else data

    rewrite_backup(dirs.backups / created.name, duplicated, change=duplicate_first_tool)
    assert "nothing was changed" in restore_fails(dirs, duplicated)


def test_a_failing_safety_backup_stops_the_restore(prepared, monkeypatch):
    dirs, created = prepared

    def disk_full(**kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services, "_create", disk_full)
    before = state(dirs)
    with pytest.raises(OSError):
        services.backup_restore(source=created.name)
    assert state(dirs) == before


def test_a_failing_media_swap_puts_the_database_back(prepared, monkeypatch):
    dirs, created = prepared
    real_rename = os.rename
    renames = []

    def flaky_rename(source, target):
        renames.append((source, target))
        if len(renames) == 3:  # some current entries moved out already
            raise OSError("device busy")
        return real_rename(source, target)

    monkeypatch.setattr(media.os, "rename", flaky_rename)
    before = state(dirs)
    with pytest.raises(ApplicationError) as caught:
        services.backup_restore(source=created.name)
    assert caught.value.code == "CONFLICT"
    assert "put back" in caught.value.message
    after = state(dirs)
    # The safety backup stays: it is the copy the database was put back from.
    added = set(after.pop("backups")) - set(before.pop("backups"))
    assert len(added) == 1 and added.pop().endswith("-pre-restore.zip")
    assert after == before


def test_a_backup_from_a_newer_scandy_is_refused(prepared):
    dirs, created = prepared
    newer = dirs.root / "newer.zip"

    def future(name, data):
        return data

    rewrite_backup(dirs.backups / created.name, newer, change=future)
    _patch_manifest(newer, lambda m: m["migrations"].setdefault("inventory", []).append("0999_future"))
    assert "unknown migrations: inventory.0999_future" in restore_fails(dirs, newer)


def test_a_backup_with_an_unknown_model_or_field_is_refused(prepared):
    dirs, created = prepared
    unknown_model = dirs.root / "unknown-model.zip"
    rewrite_backup(dirs.backups / created.name, unknown_model, add={"data/gone.widget.jsonl": b'{"id":1}\n'})
    assert "gone.widget" in restore_fails(dirs, unknown_model)

    unknown_field = dirs.root / "unknown-field.zip"
    rewrite_backup(dirs.backups / created.name, unknown_field)
    _patch_manifest(unknown_field, lambda m: m["models"]["inventory.tool"]["fields"].append("colour"))
    assert "colour" in restore_fails(dirs, unknown_field)


def test_a_running_backup_blocks_a_restore(prepared):
    dirs, created = prepared
    with services.exclusive():
        restore_fails(dirs, created.name, code="CONFLICT")


def test_an_unknown_name_is_not_found(prepared):
    dirs, _created = prepared
    restore_fails(dirs, "scandy-backup-main-20000101-000000.zip", code="NOT_FOUND")
    restore_fails(dirs, "../../etc/passwd", code="NOT_FOUND")


# --- compatibility that works ----------------------------------------------------------------------


def test_content_type_ids_of_another_instance_are_translated(prepared):
    """A backup from an instance whose content types have other ids: references follow the names."""
    dirs, created = prepared
    shifted = dirs.root / "shifted.zip"

    def shift(name, data):
        if not name.startswith("data/"):
            return data
        rows = [json.loads(line) for line in data.splitlines()]
        key = "id" if name == "data/contenttypes.contenttype.jsonl" else "content_type_id"
        for row in rows:
            if row.get(key) is not None:
                row[key] += 1000
        return b"".join(json.dumps(row).encode() + b"\n" for row in rows)

    rewrite_backup(dirs.backups / created.name, shifted, change=shift)
    before_types = dict(ContentType.objects.values_list("pk", "model"))
    services.backup_restore(source=shifted)
    assert dict(ContentType.objects.values_list("pk", "model")) == before_types
    tool_type = ContentType.objects.get_for_model(Tool)
    assert ChangeEvent.objects.filter(entity="tool", content_type=tool_type).exists()
    assert not ChangeEvent.objects.exclude(content_type__in=ContentType.objects.all()).exists()


def test_an_older_backup_without_a_new_field_gets_its_default(prepared):
    dirs, created = prepared
    older = dirs.root / "older.zip"

    def drop_condition(name, data):
        if name != "data/inventory.tool.jsonl":
            return data
        rows = [json.loads(line) for line in data.splitlines()]
        for row in rows:
            row.pop("condition")
        return b"".join(json.dumps(row).encode() + b"\n" for row in rows)

    rewrite_backup(dirs.backups / created.name, older, change=drop_condition)
    _patch_manifest(older, lambda m: m["models"]["inventory.tool"]["fields"].remove("condition"))
    services.backup_restore(source=older)
    assert set(Tool.objects.values_list("condition", flat=True)) == {"good"}


def _patch_manifest(path, change):
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_a_restore_gives_up_when_requests_hold_the_tables(prepared, monkeypatch):
    """A long transaction elsewhere holds a table: the restore waits LOCK_TIMEOUT, then gives up."""
    import psycopg

    dirs, created = prepared
    monkeypatch.setattr(services, "LOCK_TIMEOUT", "500ms")
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
        other.execute("SELECT count(*) FROM inventory_tool")  # a request reading, mid-transaction
        assert "busy" in restore_fails(dirs, created.name, code="CONFLICT")
        other.rollback()


def test_prune_clears_what_killed_processes_left_behind(prepared):
    dirs, _created = prepared
    stale = [dirs.backups / ".partial-old", dirs.root / ".partial-old", dirs.media / ".scandy-restore-old"]
    fresh = [dirs.backups / ".partial-new", dirs.media / ".scandy-restore-new"]
    for folder in stale + fresh:
        (folder / "x").mkdir(parents=True)
    for folder in stale:
        os.utime(folder, (0, 0))
    services.backup_prune()
    assert not any(folder.exists() for folder in stale)
    assert all(folder.exists() for folder in fresh)
