from types import SimpleNamespace

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (German is the default language once translated)."""
    with translation.override("en"):
        yield


@pytest.fixture
def backup_dirs(settings, tmp_path):
    """A data dir of its own: media, backups and the lock file under tmp_path."""
    media_root = tmp_path / "media"
    backup_dir = tmp_path / "backups"
    media_root.mkdir()
    backup_dir.mkdir()
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = str(media_root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(backup_dir)}},
    }
    return SimpleNamespace(root=tmp_path, media=media_root, backups=backup_dir)
