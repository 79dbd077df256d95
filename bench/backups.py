"""Backup and restore of 100 000 rows + 200 MB of media, as an operator runs them
(`manage.py backup create` / `backup restore --yes`, each a fresh process), on SQLite and PostgreSQL.

Targets (issue "Backups"): backup <= 30 s, restore <= 60 s (the restore includes its verification and
the safety backup of the state it replaces)."""

import os
import time
import zipfile
from pathlib import Path

from bench.harness import instance, manage, write_result

ROWS = 100_000
MEDIA_BYTES = 200 * 1024 * 1024
MEDIA_FILE_BYTES = 512 * 1024

# Rows are made with bulk_create (the services would take minutes and are not what is measured).
SEED = """
import datetime, random
from decimal import Decimal
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from inventory.models import Consumable, StockMovement, Tool
from lending.models import Worker
from scandy_site.accounts.models import Department
from scandy_site.core.models import ChangeEvent

rows = {rows}
dept = Department.objects.create(code="bench", name="Bench")
rng = random.Random(1)
now = timezone.now()
def chunks(objs):
    Model = type(objs[0])
    Model.objects.bulk_create(objs, batch_size=2000)

n_tools, n_consumables, n_workers = rows * 30 // 100, rows * 20 // 100, rows * 10 // 100
n_moves = rows * 20 // 100
n_events = rows - n_tools - n_consumables - n_workers - n_moves
chunks([Tool(department=dept, barcode=f"T{{i:06d}}", name=f"Werkzeug {{i}} ✓", description="Beschreibung " * 5,
             purchase_price=Decimal("129.90"),
             purchase_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=i % 700),
             custom_fields={{"serial": i, "tags": ["a", "b"]}}) for i in range(n_tools)])
chunks([Consumable(department=dept, barcode=f"C{{i:06d}}", name=f"Material {{i}}", current_stock=1000, min_stock=5,
                   cost_per_unit=Decimal("0.15"), supplier="Würth") for i in range(n_consumables)])
chunks([Worker(department=dept, barcode=f"W{{i:06d}}", first_name="Ada", last_name=f"Nr. {{i}}",
               email=f"w{{i}}@example.org") for i in range(n_workers)])
consumable_ids = list(Consumable.objects.values_list("pk", flat=True))
chunks([StockMovement(consumable_id=rng.choice(consumable_ids), kind="issue", delta=-1, stock_after=999,
                      reason="Ausgabe", created_at=now) for i in range(n_moves)])
tool_type = ContentType.objects.get_for_model(Tool)
tool_ids = list(Tool.objects.values_list("pk", flat=True))
chunks([ChangeEvent(content_type=tool_type, object_id=rng.choice(tool_ids), entity="tool", action="updated",
                    changes={{"name": ["alt", "neu"]}}, department=dept) for i in range(n_events)])
print(n_tools + n_consumables + n_workers + n_moves + n_events)
"""

COUNT = """
from inventory.models import Consumable, StockMovement, Tool
from lending.models import Worker
from scandy_site.core.models import ChangeEvent
print(sum(m.objects.count() for m in (Tool, Consumable, Worker, StockMovement, ChangeEvent)))
"""


def _make_media(media_root: Path) -> int:
    total = 0
    number = 0
    while total < MEDIA_BYTES:
        path = media_root / "tools" / f"{number % 40}" / f"photo-{number}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(MEDIA_FILE_BYTES))
        total += MEDIA_FILE_BYTES
        number += 1
    return number


def _timed(env: dict, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    out = manage(env, *args)
    return time.perf_counter() - started, out.strip().splitlines()[-1]


def measure(database_url: str | None) -> dict:
    with instance(database_url) as env:
        data_dir = Path(env["SCANDY_DATA_DIR"])
        seeded = int(manage(env, "shell", "-c", SEED.format(rows=ROWS)).strip().splitlines()[-1])
        files = _make_media(data_dir / "media")

        backup_seconds, path = _timed(env, "backup", "create")
        size = Path(path).stat().st_size
        with zipfile.ZipFile(path) as archive:
            members = len(archive.namelist())
        manage(env, "shell", "-c", "from inventory.models import Tool; Tool.objects.filter(pk__lte=1000).delete()")
        restore_seconds, summary = _timed(env, "backup", "restore", path, "--yes")
        after = int(manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])
    return {
        "database": "postgresql" if database_url else "sqlite",
        "rows": seeded,
        "media_files": files,
        "media_mb": round(files * MEDIA_FILE_BYTES / 1024 / 1024),
        "backup_seconds": round(backup_seconds, 2),
        "backup_mb": round(size / 1024 / 1024, 1),
        "members": members,
        "restore_seconds": round(restore_seconds, 2),
        "restore_summary": summary,
        "rows_after_restore": after,
    }


def run() -> bool:
    results = [measure(None)]
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if database_url:
        results.append(measure(database_url))
    targets = {}
    for result in results:
        name = result["database"]
        targets[f"{name}_backup_seconds<=30"] = result["backup_seconds"] <= 30
        targets[f"{name}_restore_seconds<=60"] = result["restore_seconds"] <= 60
        targets[f"{name}_rows_restored"] = result["rows_after_restore"] == result["rows"]
    write_result("backups", {"runs": results, "targets_met": targets})
    return all(targets.values())
