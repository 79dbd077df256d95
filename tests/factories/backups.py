"""A database with every model filled, media files, and snapshots to compare states exactly.

`build_full_dataset` fills the models we know through services and factories; `fill_empty_models`
then gives every other model (one added by a later app, say) a row built from its field types, so the
backup round trip covers it without anyone listing it here."""

import datetime
import decimal
import hashlib
import itertools
import json
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from inventory import services as inventory_services
from inventory.models import Tool
from lending import services as lending_services
from scandy_site.accounts.roles import Role
from scandy_site.core.models import SiteConfiguration
from scandy_site.core.schedules import ensure_schedules
from tests.factories import ConsumableFactory, DepartmentFactory, ToolFactory, UserFactory, WorkerFactory
from tests.factories.timesheets import TimesheetFactory, full_day
from timesheets.models import TimesheetReminder

THINGSBOARD_PASSWORD = "tb-Plaintext-Secret-4711"

# Models deliberately not in a backup (scandy_site/backups/contents.py says why).
EXPECTED_EXCLUDED = {
    "sessions.session",
    "authtoken.token",
    "django_q.task",
    "django_q.success",
    "django_q.failure",
    "django_q.ormq",
    "core.workerheartbeat",
}
NATURAL_KEY_MODELS = {"contenttypes.contenttype", "auth.permission"}

MEDIA_FILES = {
    "tools/1/photo.jpg": os.urandom(64 * 1024),
    "tickets/2026/Prüfbericht ü.pdf": b"%PDF-1.4 " + os.urandom(4096),
    "notes/readme.txt": "Zeile 1\nZeile 2 ✓\n".encode(),
    "notes/empty.txt": b"",
    "deep/a/b/c/d/file.bin": os.urandom(1000),
}


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete table of the project, found independently of the backup code."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in EXPECTED_EXCLUDED
    ]


@dataclass
class Dataset:
    admin: object
    employee: object
    tool: Tool
    token: Token


def build_full_dataset(media_root: Path) -> Dataset:
    werkstatt = DepartmentFactory(code="werkstatt", name="Werkstatt")
    buero = DepartmentFactory(code="buero", name="Büro")
    admin = UserFactory(role=Role.ADMIN, username="admin", default_department=werkstatt, allowed=[werkstatt, buero])
    admin.thingsboard_username = "tb-admin"
    admin.set_thingsboard_password(THINGSBOARD_PASSWORD)
    admin.save()
    employee = UserFactory(role=Role.EMPLOYEE, username="employee", default_department=werkstatt)
    UserFactory(role=Role.PARTICIPANT, username="inactive", default_department=buero, is_active=False)

    group = Group.objects.create(name="Werkstattleitung")
    permissions = list(Permission.objects.order_by("pk")[:3])
    group.permissions.add(*permissions)
    employee.groups.add(group)
    employee.user_permissions.add(permissions[0])

    config = SiteConfiguration.current()
    config.system_name = "Werkstatt Süd"
    config.save()

    category = inventory_services.category_get_or_create(department=werkstatt, name="Akkugeräte")
    location = inventory_services.location_get_or_create(department=werkstatt, name="Regal 1")
    tool = ToolFactory(
        department=werkstatt,
        created_by=admin,
        barcode="T-0001",
        name="Bohrhammer ✓",
        description='Zeile 1\nZeile 2 \u2028 "quoted" \\ backslash',
        category=category,
        location=location,
        purchase_date=datetime.date(2024, 2, 29),
        purchase_price=decimal.Decimal("1234.50"),
        custom_fields={"ü": [1, 2.5, None, "x"], "nested": {"a": True}},
    )
    inventory_services.tool_add_maintenance(
        tool=tool, user=admin, date=datetime.date(2025, 1, 2), description="Service", cost=decimal.Decimal("12.30")
    )
    spare = ToolFactory(department=werkstatt, created_by=admin, barcode="T-0002", name="Flex")
    trashed = ToolFactory(department=werkstatt, created_by=admin, barcode="T-0003", name="Alte Säge")
    inventory_services.tool_soft_delete(tool=trashed, user=admin)
    ToolFactory(department=buero, created_by=admin, barcode="B-0001", name="Laminiergerät")

    screws = ConsumableFactory(department=werkstatt, created_by=admin, barcode="C-0001", current_stock=100)
    worker = WorkerFactory(department=werkstatt, created_by=admin, barcode="W-0001", first_name="Ada", last_name="K.")
    lending_services.lending_checkout(tool=tool, worker=worker, user=admin, notes="für Baustelle")
    lending_services.lending_checkout(tool=spare, worker=worker, user=admin)
    lending_services.lending_return(tool=spare, user=employee)
    lending_services.consumable_issue(consumable=screws, worker=worker, user=admin, quantity=7)
    inventory_services.consumable_adjust_stock(consumable=screws, user=admin, delta=-3, reason="Inventur")

    # A rejected weekly report with a from–to entry and an hours entry, and a reminder sent.
    employee.timesheet_enabled = True
    employee.save()
    week = datetime.date.fromisocalendar(2025, 10, 1)
    school = {"date": week + datetime.timedelta(days=1), "hours": "7.5", "activity": "Berufsschule ✓",
              "description": "Zeile 1\nZeile 2"}  # fmt: skip
    TimesheetFactory(user=employee, department=werkstatt, year=2025, week=10, status="rejected", note="Urlaub Fr.",
                     entries=[full_day(week), school])  # fmt: skip
    TimesheetReminder.objects.create(user=employee, year=2025, week=9)

    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Tool),
        object_id=str(tool.pk),
        object_repr=str(tool),
        action_flag=ADDITION,
        change_message="[]",
    )
    ensure_schedules()
    token = Token.objects.create(user=admin)

    for name, content in MEDIA_FILES.items():
        path = media_root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    fill_empty_models()
    return Dataset(admin=admin, employee=employee, tool=tool, token=token)


# --- rows for models nobody listed ------------------------------------------------------------------

_counter = itertools.count(1)


def _value_for(model_field, depth: int):
    n = next(_counter)
    if model_field.is_relation:
        target = model_field.related_model
        existing = target._base_manager.order_by("pk").first()
        return (existing or _build_row(target, depth + 1)).pk
    if model_field.choices:
        return model_field.flatchoices[0][0]
    if isinstance(model_field, models.EmailField):
        return f"filler{n}@example.org"
    if isinstance(model_field, models.URLField):
        return f"https://example.org/{n}"
    if isinstance(model_field, models.GenericIPAddressField):
        return "127.0.0.1"
    if isinstance(model_field, models.FileField):
        return f"filler/{n}.txt"
    if isinstance(model_field, models.CharField | models.TextField):
        return f"filler {n}"[: model_field.max_length or 100]
    if isinstance(model_field, models.BooleanField):
        return True
    if isinstance(model_field, models.DecimalField):
        return decimal.Decimal(1).scaleb(-model_field.decimal_places)
    if isinstance(model_field, models.FloatField):
        return 1.5
    if isinstance(model_field, models.IntegerField):
        return n
    if isinstance(model_field, models.DateTimeField):
        return timezone.now()
    if isinstance(model_field, models.DateField):
        return timezone.localdate()
    if isinstance(model_field, models.TimeField):
        return datetime.time(12, 30)
    if isinstance(model_field, models.DurationField):
        return datetime.timedelta(minutes=n)
    if isinstance(model_field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(model_field, models.JSONField):
        return {"filler": n}
    if isinstance(model_field, models.BinaryField):
        return bytes([n % 256, 0, 255])
    raise TypeError(f"no filler value for {model_field!r}")


def _build_row(model, depth: int = 0):
    if depth > 5:
        raise RecursionError(f"cannot build {model._meta.label}: references go too deep")
    values = {}
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key and isinstance(model_field, models.AutoField):
            continue
        values[model_field.attname] = _value_for(model_field, depth)
    return model._base_manager.create(**values)


def fill_empty_models() -> None:
    problems = []
    for model in backed_up_models():
        if model._base_manager.exists():
            continue
        try:
            with transaction.atomic():
                _build_row(model)
        except Exception as exc:
            problems.append(f"{model._meta.label}: {exc!r}")
    assert not problems, "add these models to build_full_dataset: " + "; ".join(problems)


# --- snapshots -------------------------------------------------------------------------------------


def snapshot(*, blank_secrets: dict[str, dict] | None = None) -> dict:
    """Every row of every backed-up model (natural-key models by their natural keys)."""
    blank_secrets = blank_secrets or {}
    state = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        if label == "contenttypes.contenttype":
            state[label] = sorted(ContentType.objects.values_list("app_label", "model"))
            continue
        if label == "auth.permission":
            state[label] = sorted(
                Permission.objects.values_list("content_type__app_label", "content_type__model", "codename")
            )
            continue
        rows = serializers.serialize("python", model._base_manager.order_by("pk"))
        blanks = blank_secrets.get(label, {})
        state[label] = [(row["pk"], {**row["fields"], **blanks}) for row in rows]
    return state


def media_snapshot(media_root: Path) -> dict[str, str]:
    found = {}
    for folder, _dirs, files in os.walk(media_root):
        for name in files:
            path = Path(folder) / name
            found[str(path.relative_to(media_root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# --- tampering with archives -------------------------------------------------------------------------


def rewrite_backup(source: Path, target: Path, *, change=None, add: dict | None = None, fix_manifest=True) -> None:
    """Copy a backup, passing each member's bytes through `change(name, data)` (None drops it) and
    adding `add` members; with `fix_manifest` the checksums are recomputed so only the change counts."""
    add = add or {}
    with zipfile.ZipFile(source) as old:
        members = {name: old.read(name) for name in old.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    out = {}
    for name, data in members.items():
        data = change(name, data) if change else data
        if data is not None:
            out[name] = data
    out.update(add)
    if fix_manifest:
        manifest["sha256"] = {name: hashlib.sha256(data).hexdigest() for name, data in out.items()}
        for name, data in out.items():
            if name.startswith("data/") and name.endswith(".jsonl"):
                manifest["row_counts"][name[5:-6]] = data.count(b"\n")
    with zipfile.ZipFile(target, "w") as new:
        for name, data in out.items():
            new.writestr(name, data)
        new.writestr("manifest.json", json.dumps(manifest))
