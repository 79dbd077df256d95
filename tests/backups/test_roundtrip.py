"""Backup -> change everything -> restore gives back every row and every file, on SQLite and
PostgreSQL; restoring twice gives the same state; secrets are never in a backup."""

import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from inventory.models import Tool
from scandy_site.backups import contents, services
from scandy_site.core.models import ChangeEvent
from tests.factories import ToolFactory
from tests.factories.backups import (
    MEDIA_FILES,
    THINGSBOARD_PASSWORD,
    backed_up_models,
    build_full_dataset,
    media_snapshot,
    snapshot,
)

pytestmark = pytest.mark.django_db(transaction=True)


def blanked_secrets() -> dict:
    return {
        model._meta.label_lower: {f.name: contents.blank_value(f) for f in contents.secret_fields(model)}
        for model in backed_up_models()
    }


def mutate_everything(dataset, media_root):
    """Changes of every kind: updates, deletes, inserts, m2m, media added/changed/removed."""
    Tool.objects.filter(pk=dataset.tool.pk).update(name="changed")
    ToolFactory(department=dataset.tool.department, barcode="NEW-1", name="Neu")
    ChangeEvent.objects.filter(pk=ChangeEvent.objects.order_by("pk").first().pk).delete()
    dataset.employee.groups.clear()
    Group.objects.create(name="Neue Gruppe")
    get_user_model().objects.filter(username="admin").update(first_name="Mallory")
    (media_root / "tools/1/photo.jpg").write_bytes(b"overwritten")
    (media_root / "notes/readme.txt").unlink()
    (media_root / "added-later.txt").write_text("not in the backup")


def test_round_trip_restores_every_row_and_file(backup_dirs):
    dataset = build_full_dataset(backup_dirs.media)
    before = snapshot(blank_secrets=blanked_secrets())
    empty = [label for label, rows in before.items() if not rows]
    assert not empty, f"every model must hold rows for this test: {empty}"
    media_before = media_snapshot(backup_dirs.media)
    assert len(media_before) == len(MEDIA_FILES)

    created = services.backup_create()
    assert created.media_files == len(MEDIA_FILES)
    mutate_everything(dataset, backup_dirs.media)
    assert snapshot(blank_secrets=blanked_secrets()) != before
    assert media_snapshot(backup_dirs.media) != media_before

    result = services.backup_restore(source=created.name)
    assert snapshot(blank_secrets=blanked_secrets()) == before
    assert snapshot() == before  # the blanked secrets are blank in the database, too
    assert media_snapshot(backup_dirs.media) == media_before
    assert result.media_files == len(MEDIA_FILES)
    assert result.safety_backup.endswith("-pre-restore.zip")
    assert sorted(p.name for p in backup_dirs.media.iterdir()) == ["deep", "notes", "tickets", "tools"]

    # The same backup once more: the same state, no duplicates.
    services.backup_restore(source=created.name)
    assert snapshot() == before
    assert media_snapshot(backup_dirs.media) == media_before

    # Sequences continue after the restored rows.
    max_id = max(pk for pk, _fields in before["inventory.tool"])
    new_tool = ToolFactory(department=dataset.tool.department, barcode="AFTER-1")
    assert new_tool.pk > max_id


def test_the_safety_backup_holds_the_state_before_the_restore(backup_dirs):
    dataset = build_full_dataset(backup_dirs.media)
    created = services.backup_create()
    mutate_everything(dataset, backup_dirs.media)
    changed = snapshot()
    changed_media = media_snapshot(backup_dirs.media)

    result = services.backup_restore(source=created.name)
    services.backup_restore(source=result.safety_backup)
    assert snapshot() == {**changed, **_unchanged_secrets(changed)}
    assert media_snapshot(backup_dirs.media) == changed_media


def _unchanged_secrets(state):
    # The safety backup blanks secrets too: the admin's stored ThingsBoard password is gone (and every
    # other secret field, such as a webhook endpoint's secret).
    return {
        label: [(pk, {**fields, **blanks}) for pk, fields in state[label]]
        for label, blanks in blanked_secrets().items()
        if blanks
    }


def test_secrets_are_never_inside_a_backup(backup_dirs, settings):
    dataset = build_full_dataset(backup_dirs.media)
    (backup_dirs.root / ".env").write_text("SECRET_KEY=from-env-file\n")
    (backup_dirs.root / "secret_key").write_text(settings.SECRET_KEY)
    ciphertext = get_user_model().objects.get(pk=dataset.admin.pk).thingsboard_password_encrypted
    assert ciphertext

    created = services.backup_create()
    with zipfile.ZipFile(backup_dirs.backups / created.name) as archive:
        names = archive.namelist()
        blob = b"".join(archive.read(name) for name in names)
    assert not any(name.endswith((".env", "secret_key")) for name in names)
    for secret in (settings.SECRET_KEY, ciphertext, THINGSBOARD_PASSWORD, dataset.token.key):
        assert secret.encode() not in blob
    manifest = services.backup_manifest(name=created.name)
    assert manifest["models"]["accounts.user"]["blanked"] == ["thingsboard_password_encrypted"]


def test_a_restored_user_has_no_stored_thingsboard_password(backup_dirs):
    dataset = build_full_dataset(backup_dirs.media)
    created = services.backup_create()
    services.backup_restore(source=created.name)
    admin = get_user_model().objects.get(pk=dataset.admin.pk)
    assert admin.thingsboard_username == "tb-admin"
    assert admin.get_thingsboard_password() == ""
    assert not admin.has_thingsboard_credentials
    assert admin.check_password("Correct-Horse-42")  # sign-in still works: the password hash is kept


def test_api_tokens_stay_for_users_that_exist_afterwards(backup_dirs):
    dataset = build_full_dataset(backup_dirs.media)
    created = services.backup_create()
    intruder = get_user_model().objects.create_user(username="after-backup", password="x" * 12)
    intruder_token = Token.objects.create(user=intruder)

    result = services.backup_restore(source=created.name)
    assert result.tokens_kept == 1
    assert Token.objects.get(key=dataset.token.key).user.username == "admin"
    assert not Token.objects.filter(key=intruder_token.key).exists()
    assert not get_user_model().objects.filter(username="after-backup").exists()


def test_a_backup_without_media_leaves_the_media_alone(backup_dirs):
    dataset = build_full_dataset(backup_dirs.media)
    created = services.backup_create(include_media=False)
    mutate_everything(dataset, backup_dirs.media)
    media_now = media_snapshot(backup_dirs.media)
    result = services.backup_restore(source=created.name)
    assert result.media_files is None
    assert media_snapshot(backup_dirs.media) == media_now
    assert Tool.objects.get(pk=dataset.tool.pk).name == "Bohrhammer ✓"
