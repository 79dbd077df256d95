"""`backup prune`: 7 daily, 4 weekly, 12 monthly, over the backups that exist."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from scandy_site.backups import rotation, storage

DAY = datetime.timedelta(days=1)


def local(year, month, day, hour=4, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def synthetic_history():
    """A backup every day at 04:00 from 2025-01-01 to Sunday 2026-03-15, plus two extra ones."""
    stamps = []
    day = local(2025, 1, 1)
    while day <= local(2026, 3, 15):
        stamps.append(day)
        day += DAY
    stamps += [local(2026, 3, 15, 14), local(2026, 3, 14, 20)]
    return stamps


EXPECTED = {
    # daily: the newest of each of the last 7 days
    local(2026, 3, 15, 14), local(2026, 3, 14, 20), local(2026, 3, 13), local(2026, 3, 12),
    local(2026, 3, 11), local(2026, 3, 10), local(2026, 3, 9),
    # weekly: ISO weeks 10, 9 and 8 (week 11 is 2026-03-15 already)
    local(2026, 3, 8), local(2026, 3, 1), local(2026, 2, 22),
    # monthly: the last day of each of the 11 months before March 2026
    local(2026, 2, 28), local(2026, 1, 31), local(2025, 12, 31), local(2025, 11, 30), local(2025, 10, 31),
    local(2025, 9, 30), local(2025, 8, 31), local(2025, 7, 31), local(2025, 6, 30), local(2025, 5, 31),
    local(2025, 4, 30),
}  # fmt: skip


def test_rotation_keeps_exactly_the_right_backups():
    stamps = synthetic_history()
    kept = rotation.to_keep(((at, at) for at in stamps), daily=7, weekly=4, monthly=12)
    assert kept == EXPECTED
    assert len(kept) == 21


def test_rotation_does_not_count_days_without_backups():
    # Backups stopped for a month: the last seven that exist are still the daily ones.
    stamps = [local(2026, 1, d) for d in range(1, 11)]
    kept = rotation.to_keep(((at, at) for at in stamps), daily=7, weekly=0, monthly=0)
    assert kept == {local(2026, 1, d) for d in range(4, 11)}


def test_rotation_of_a_few_backups_keeps_them_all():
    stamps = [local(2026, 1, 1), local(2026, 1, 2, 1), local(2026, 1, 2, 3)]
    kept = rotation.to_keep(((at, at) for at in stamps), daily=7, weekly=4, monthly=12)
    assert kept == {local(2026, 1, 1), local(2026, 1, 2, 3)}


@pytest.mark.django_db
def test_prune_command_deletes_exactly_the_others(backup_dirs, settings):
    names = {at: storage.build_name(settings.SCANDY_INSTANCE, at, "pre-restore" if at.hour == 20 else "")
             for at in synthetic_history()}  # fmt: skip
    for name in names.values():
        (backup_dirs.backups / name).write_bytes(b"zip")
    foreign = backup_dirs.backups / "scandy-backup-werkstatt-20200101-040000.zip"
    foreign.write_bytes(b"zip")
    unrelated = backup_dirs.backups / "notes.txt"
    unrelated.write_text("kept")

    call_command("backup", "prune", "--dry-run")
    assert len(list(backup_dirs.backups.iterdir())) == len(names) + 2

    call_command("backup", "prune")
    remaining = {p.name for p in backup_dirs.backups.iterdir()}
    assert remaining == {names[at] for at in EXPECTED} | {foreign.name, unrelated.name}


@pytest.mark.django_db
def test_prune_prints_a_summary(backup_dirs, settings, capsys):
    for day in range(1, 10):
        (backup_dirs.backups / storage.build_name(settings.SCANDY_INSTANCE, local(2026, 1, day))).write_bytes(b"z")
    call_command("backup", "prune")
    out = capsys.readouterr().out
    # Jan 3-9 are the daily ones; their ISO weeks and month keep nothing older.
    assert "deleted scandy-backup-main-20260101-040000.zip" in out
    assert "deleted scandy-backup-main-20260102-040000.zip" in out
    assert out.strip().endswith("kept=7 deleted=2")
