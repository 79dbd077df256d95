"""Media and backups through Django's storage API: the same round trip when neither is a local
folder (an in-memory storage, and S3 as django-storages speaks it, against moto's S3)."""

import hashlib
import subprocess
import sys

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from moto import mock_aws

from inventory.models import Tool
from scandy_site.backups import media, services
from tests.factories import ToolFactory

FILES = {"tools/1/a.jpg": b"\xff\xd8" + bytes(range(256)) * 40, "notes/b.txt": "Zeile ✓".encode(), "c.pdf": b"%PDF"}


def stored_media() -> dict[str, str]:
    return {name: hashlib.sha256(default_storage.open(name).read()).hexdigest() for name in media.list_files()}


def round_trip(department):
    ToolFactory(department=department, barcode="T-1", name="Säge")
    for name, content in FILES.items():
        default_storage.save(name, ContentFile(content))
    before = stored_media()
    assert set(before) == set(FILES)

    created = services.backup_create()
    assert created.media_files == len(FILES)
    assert [info.name for info in services.backup_list()] == [created.name]
    assert services.backup_verify(source=created.name).ok

    Tool.objects.update(name="changed")
    default_storage.delete("notes/b.txt")
    default_storage.save("later.txt", ContentFile(b"later"))
    with default_storage.open("c.pdf", "wb") as handle:
        handle.write(b"%PDF changed")

    result = services.backup_restore(source=created.name)
    assert Tool.objects.get().name == "Säge"
    assert stored_media() == before
    assert not [n for n in media.list_files(prefix="") if n.startswith(media.STAGING_PREFIX)]
    return created, result


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_storages_that_are_not_local_folders(settings, tmp_path, department, admin_user):
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "backups": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    created, result = round_trip(department)
    names = {info.name for info in services.backup_list()}
    assert names == {created.name, result.safety_backup}


@pytest.fixture
def s3(settings, tmp_path, monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-central-1")
        client.create_bucket(Bucket="scandy-test", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        options = {"bucket_name": "scandy-test", "region_name": "eu-central-1"}
        settings.DATA_DIR = tmp_path
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "main/media"}},
            "backups": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {**options, "location": "main/backups", "default_acl": "private"},
            },
        }
        yield client


@pytest.mark.django_db(transaction=True)
def test_round_trip_on_s3(s3, department, admin_user):
    created, result = round_trip(department)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="scandy-test")["Contents"]}
    assert f"main/backups/{created.name}" in keys
    assert f"main/backups/{result.safety_backup}" in keys
    assert {key for key in keys if key.startswith("main/media/")} == {f"main/media/{name}" for name in FILES}
    assert services.backup_create().location.startswith("s3://scandy-test/main/backups/scandy-backup-main-")
    assert storages["backups"].exists(created.name)


def test_settings_put_media_and_backups_of_each_instance_under_its_own_prefix(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['default'], settings.STORAGES['backups']]))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "scandy_site.settings.dev",
        "SCANDY_DATA_DIR": str(tmp_path),
        "SCANDY_INSTANCE": "werkstatt",
        "AWS_STORAGE_BUCKET_NAME": "bucket",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    import json

    default, backups = json.loads(out)
    assert default == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"location": "werkstatt/media"}}
    assert backups["BACKEND"] == "storages.backends.s3.S3Storage"
    assert backups["OPTIONS"]["location"] == "werkstatt/backups"
