"""Moving from the embedded SQLite to PostgreSQL: a backup of a SQLite instance restores into
PostgreSQL with every row (values are written database-neutral)."""

from pathlib import Path

import pytest
from django.db import connection

from bench.harness import instance_env
from scandy_site.backups import services
from tests.factories.backups import backed_up_models
from tests.ops.conftest import run_manage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]

COUNTS = """
import json
from django.apps import apps
print(json.dumps({m._meta.label_lower: m._base_manager.count() for m in apps.get_models(include_auto_created=True)
                  if m._meta.managed and not m._meta.proxy}))
"""


def test_a_sqlite_backup_restores_into_postgresql(tmp_path, backup_dirs):
    import json

    env = instance_env(tmp_path / "sqlite-instance", None)
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "seed_demo")
    (tmp_path / "sqlite-instance" / "media" / "photo.jpg").write_bytes(b"\xff\xd8 photo")
    counts = json.loads(run_manage(env, "shell", "-c", COUNTS).stdout.strip().splitlines()[-1])
    path = run_manage(env, "backup", "create", "--output", str(tmp_path)).stdout.strip().splitlines()[-1]

    result = services.backup_restore(source=Path(path))
    assert result.media_files == 1
    assert (backup_dirs.media / "photo.jpg").read_bytes() == b"\xff\xd8 photo"
    for model in backed_up_models():
        label = model._meta.label_lower
        if label in ("contenttypes.contenttype", "auth.permission"):
            continue
        assert model._base_manager.count() == counts[label], label
    assert counts["inventory.tool"] > 0 and counts["core.changeevent"] > 0
