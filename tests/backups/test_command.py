"""`manage.py backup create|list|verify|restore|prune` (CONTRACT section 1)."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from inventory.models import Tool
from tests.factories import ToolFactory
from tests.factories.backups import rewrite_backup


def run(*args) -> str:
    out = io.StringIO()
    call_command("backup", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def some_data(backup_dirs, department, admin_user):
    ToolFactory(department=department, barcode="T-1", name="Säge")
    (backup_dirs.media / "photo.jpg").write_bytes(b"\xff\xd8 jpeg")
    return backup_dirs


@pytest.mark.django_db
def test_create_prints_the_path_of_a_complete_backup(some_data):
    path = Path(run("create").strip())
    assert path.parent == some_data.backups
    assert path.name.startswith("scandy-backup-main-") and path.suffix == ".zip"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert "manifest.json" in names and "media/photo.jpg" in names and "data/inventory.tool.jsonl" in names


@pytest.mark.django_db
def test_create_without_media_and_to_an_output_path(some_data, tmp_path):
    target = tmp_path / "elsewhere" / "mine.zip"
    path = Path(run("create", "--no-media", "--output", str(target)).strip())
    assert path == target
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("media/")]
    folder = tmp_path / "folder"
    folder.mkdir()
    in_folder = Path(run("create", "--output", str(folder)).strip())
    assert in_folder.parent == folder and in_folder.name.startswith("scandy-backup-main-")
    assert list(some_data.backups.iterdir()) == []  # --output keeps the backup storage out of it


@pytest.mark.django_db
def test_list_shows_backups_newest_first(some_data):
    assert run("list").strip() == "no backups"
    first = Path(run("create").strip()).name
    (some_data.backups / "scandy-backup-main-20000101-000000.zip").write_bytes(b"old")
    lines = run("list").strip().splitlines()
    assert lines[0].startswith(first)
    assert lines[1].startswith("scandy-backup-main-20000101-000000.zip")


@pytest.mark.django_db
def test_verify_says_ok_or_fails(some_data, tmp_path):
    path = Path(run("create").strip())
    out = run("verify", str(path))
    assert out.startswith(f"{path.name}: OK (instance main")
    assert "1 media files" in out
    assert run("verify", path.name).startswith(f"{path.name}: OK")  # by name in the backup storage

    broken = tmp_path / "broken.zip"
    rewrite_backup(path, broken, change=lambda n, d: d + b"x" if n == "media/photo.jpg" else d, fix_manifest=False)
    err = io.StringIO()
    with pytest.raises(CommandError, match="NOT OK"):
        call_command("backup", "verify", str(broken), stdout=io.StringIO(), stderr=err)
    assert "Checksum mismatch in media/photo.jpg" in err.getvalue()
    with pytest.raises(CommandError, match="No backup of that name"):
        run("verify", "nope.zip")


@pytest.mark.django_db(transaction=True)
def test_restore_needs_yes_and_then_restores(some_data, monkeypatch):
    path = Path(run("create").strip())
    Tool.objects.update(name="changed")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(path))
    assert Tool.objects.get().name == "changed"

    out = run("restore", str(path), "--yes")
    assert out.startswith(f"restored {path.name}: ")
    assert "1 media files; the state before is saved as scandy-backup-main-" in out
    assert Tool.objects.get().name == "Säge"


@pytest.mark.django_db(transaction=True)
def test_restore_asks_on_a_terminal(some_data, monkeypatch):
    path = Path(run("create").strip())
    Tool.objects.update(name="changed")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    with pytest.raises(CommandError, match="cancelled"):
        run("restore", str(path))
    assert Tool.objects.get().name == "changed"
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    run("restore", str(path))
    assert Tool.objects.get().name == "Säge"


@pytest.mark.django_db(transaction=True)
def test_progress_bars_on_a_terminal_only(some_data, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    path = Path(run("create").strip())
    assert "Database" in terminal.getvalue() and "rows" in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    run("restore", str(path), "--yes")
    shown = terminal.getvalue()
    assert "Verifying" in shown and "Restoring" in shown and "Staging media" in shown

    plain = io.StringIO()
    monkeypatch.setattr("sys.stderr", plain)
    run("create")
    assert "Database" not in plain.getvalue()


@pytest.mark.django_db
def test_a_broken_file_is_a_clean_error(some_data, tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("not a zip")
    with pytest.raises(CommandError, match="Not a ZIP archive"):
        run("restore", str(bogus), "--yes")
