"""Writes to tools and consumables. Each public function is one user action in one transaction,
leaves a history row, and raises ApplicationError when a rule is broken."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import SystemNote, diff, record_change, snapshot
from scandy_site.core.validation import clean_or_raise, reject_unknown_fields

from .barcodes import (
    barcode_ensure_free,
    barcode_move,
    barcode_release,
    barcode_save_new,
    clean_barcoded,
    normalise_barcode,
)
from .models import BarcodeKind, Category, Consumable, Location, MaintenanceRecord, StockMovement, Tool

TOOL_FIELDS = (
    "barcode", "name", "description", "category", "location", "status", "condition", "serial_number",
    "purchase_date", "purchase_price", "maintenance_due", "custom_fields",
)  # fmt: skip
CONSUMABLE_FIELDS = (
    "barcode", "name", "description", "category", "location", "unit", "min_stock", "max_stock",
    "cost_per_unit", "supplier", "last_ordered_at",
)  # fmt: skip
_KIND = {Tool: BarcodeKind.TOOL, Consumable: BarcodeKind.CONSUMABLE}
# The largest count an integer column holds on every supported database (PostgreSQL/MSSQL `integer`);
# SQLite would store more, so the limit is ours rather than the database's.
MAX_STOCK = 2_147_483_647
_NOT_NEGATIVE = ("purchase_price", "cost_per_unit")
_COUNTS = ("min_stock", "max_stock")


def _check_department_refs(item) -> None:
    for ref in ("category", "location"):
        obj = getattr(item, ref)
        if obj is not None and obj.department_id != item.department_id:
            raise ApplicationError(
                "VALIDATION_ERROR",
                _("%(field)s belongs to another department.") % {"field": ref},
                errors={ref: [_("belongs to another department")]},
            )


def _check_amounts(item) -> None:
    # Prices have no database constraint on every model, and counts must fit an integer column everywhere.
    for name in _NOT_NEGATIVE:
        value = getattr(item, name, None)
        if isinstance(value, int | float | Decimal) and value < 0:
            raise ApplicationError(
                "VALIDATION_ERROR",
                _("%(field)s must not be negative.") % {"field": name},
                errors={name: [_("must not be negative")]},
            )
    for name in _COUNTS:
        value = getattr(item, name, None)
        if isinstance(value, int) and value > MAX_STOCK:
            raise ApplicationError(
                "VALIDATION_ERROR",
                _("%(field)s is too large.") % {"field": name},
                errors={name: [_("at most %(max)s") % {"max": MAX_STOCK}]},
            )


def _item_create(model, allowed, *, department, user, fields: dict):
    reject_unknown_fields(fields, allowed)
    fields = dict(fields)
    fields["barcode"] = normalise_barcode(fields.get("barcode"))
    barcode_ensure_free(department=department, barcode=fields["barcode"])
    item = model(department=department, created_by=user if user and user.is_authenticated else None, **fields)
    _check_department_refs(item)
    _check_amounts(item)
    clean_barcoded(item)
    barcode_save_new(item, kind=_KIND[model])
    record_change(item, action="created", user=user, changes=diff({}, snapshot(item, allowed)))
    return item


def _item_update(item, allowed, *, user, fields: dict, note: str = ""):
    reject_unknown_fields(fields, allowed)
    if item.is_deleted:
        raise ApplicationError("NOT_FOUND", _("This record is in the trash; restore it first."))
    fields = dict(fields)
    before = snapshot(item, allowed)
    if "barcode" in fields:
        fields["barcode"] = normalise_barcode(fields["barcode"])
    for name, value in fields.items():
        setattr(item, name, value)
    changes = diff(before, snapshot(item, allowed))
    if not changes:
        return item
    if "barcode" in changes:
        # Before full_clean, whose unique-constraint check would call a taken barcode a plain validation error.
        barcode_ensure_free(department=item.department, barcode=item.barcode, kind=_KIND[type(item)], object_id=item.pk)
    _check_department_refs(item)
    _check_amounts(item)
    clean_barcoded(item)
    if "barcode" in changes:
        barcode_move(department=item.department, kind=_KIND[type(item)], object_id=item.pk, barcode=item.barcode)
    item.save(update_fields=[*fields.keys(), "updated_at"])
    record_change(item, action="updated", user=user, changes=changes, note=note)
    return item


def _item_soft_delete(item, *, user):
    if item.is_deleted:
        return item
    item.deleted_at = timezone.now()
    item.deleted_by = user if user and user.is_authenticated else None
    item.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_change(item, action="deleted", user=user)
    return item


def _item_restore(item, *, user):
    if not item.is_deleted:
        return item
    item.deleted_at = None
    item.deleted_by = None
    item.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    record_change(item, action="restored", user=user)
    return item


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# --- Tools -------------------------------------------------------------------------------------


@transaction.atomic
def tool_create(*, department, user, **fields) -> Tool:
    if fields.get("status") == Tool.Status.LENT:
        raise ApplicationError(
            "VALIDATION_ERROR", _("A tool becomes 'lent' only by lending it."), errors={"status": [_("not allowed")]}
        )
    return _item_create(Tool, TOOL_FIELDS, department=department, user=user, fields=fields)


@transaction.atomic
def tool_update(*, tool: Tool, user, note: str = "", **fields) -> Tool:
    tool = _lock(Tool, tool.pk)
    new_status = fields.get("status")
    if new_status is not None and new_status != tool.status:
        if new_status == Tool.Status.LENT:
            raise ApplicationError(
                "INVALID_TRANSITION",
                _("A tool becomes 'lent' only by lending it."),
                errors={"status": [_("not allowed")]},
            )
        if tool.status == Tool.Status.LENT:
            raise ApplicationError(
                "INVALID_TRANSITION",
                _("The tool is lent out; take it back before changing its status."),
                errors={"status": [_("tool is lent")]},
            )
    return _item_update(tool, TOOL_FIELDS, user=user, fields=fields, note=note)


def tool_set_status(*, tool: Tool, user, status: str, note: str = "") -> Tool:
    return tool_update(tool=tool, user=user, status=status, note=note)


@transaction.atomic
def tool_soft_delete(*, tool: Tool, user) -> Tool:
    tool = _lock(Tool, tool.pk)
    if tool.status == Tool.Status.LENT:
        raise ApplicationError("TOOL_NOT_AVAILABLE", _("A lent tool cannot be deleted; take it back first."))
    return _item_soft_delete(tool, user=user)


@transaction.atomic
def tool_restore(*, tool: Tool, user) -> Tool:
    return _item_restore(_lock(Tool, tool.pk), user=user)


@transaction.atomic
def tool_purge(*, tool: Tool, user) -> None:
    """Delete a trashed tool for good (admin trash); frees its barcode."""
    _purge(tool, user=user)


@transaction.atomic
def tool_add_maintenance(
    *,
    tool: Tool,
    user,
    date: datetime.date,
    description: str,
    cost: Decimal | None = None,
    performed_by: str = "",
    next_due: datetime.date | None = None,
) -> MaintenanceRecord:
    tool = _lock(Tool, tool.pk)
    if tool.is_deleted:
        raise ApplicationError("NOT_FOUND", _("This tool is in the trash."))
    record = MaintenanceRecord(
        tool=tool,
        date=date,
        description=description,
        cost=cost,
        performed_by=performed_by,
        created_by=user if user and user.is_authenticated else None,
    )
    clean_or_raise(record, exclude=["tool"])
    record.save()
    changes = {"maintenance": [None, f"{date.isoformat()}: {description[:80]}"]}
    update_fields = ["updated_at"]
    if next_due and next_due != tool.maintenance_due:
        changes["maintenance_due"] = [tool.maintenance_due and tool.maintenance_due.isoformat(), next_due.isoformat()]
        tool.maintenance_due = next_due
        update_fields.append("maintenance_due")
    tool.save(update_fields=update_fields)
    record_change(tool, action="updated", user=user, changes=changes)
    return record


# --- Consumables -------------------------------------------------------------------------------


@transaction.atomic
def consumable_create(*, department, user, current_stock: int = 0, **fields) -> Consumable:
    if not 0 <= int(current_stock or 0) <= MAX_STOCK:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The stock must be between 0 and %(max)s.") % {"max": MAX_STOCK},
            errors={"current_stock": [_("out of range")]},
        )
    consumable = _item_create(Consumable, CONSUMABLE_FIELDS, department=department, user=user, fields=fields)
    if current_stock:
        consumable_adjust_stock(
            consumable=consumable, user=user, delta=int(current_stock), reason=_("Initial stock"),
            kind=StockMovement.Kind.RECEIPT,
        )  # fmt: skip
        consumable.refresh_from_db()
    return consumable


@transaction.atomic
def consumable_update(*, consumable: Consumable, user, note: str = "", **fields) -> Consumable:
    if "current_stock" in fields:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("Stock changes go through 'adjust stock' so that every change has a reason."),
            errors={"current_stock": [_("use adjust-stock")]},
        )
    return _item_update(_lock(Consumable, consumable.pk), CONSUMABLE_FIELDS, user=user, fields=fields, note=note)


@transaction.atomic
def consumable_soft_delete(*, consumable: Consumable, user) -> Consumable:
    return _item_soft_delete(_lock(Consumable, consumable.pk), user=user)


@transaction.atomic
def consumable_restore(*, consumable: Consumable, user) -> Consumable:
    return _item_restore(_lock(Consumable, consumable.pk), user=user)


@transaction.atomic
def consumable_purge(*, consumable: Consumable, user) -> None:
    _purge(consumable, user=user)


@transaction.atomic
def consumable_adjust_stock(
    *,
    consumable: Consumable,
    user,
    delta: int,
    reason: str,
    worker=None,
    kind: str | None = None,
) -> StockMovement:
    """Change the stock by `delta` (signed). The conditional UPDATE is atomic on every database,
    so two people taking the last items at once cannot push the stock below zero."""
    delta = int(delta)
    reason = (reason or "").strip()
    if delta == 0:
        raise ApplicationError("VALIDATION_ERROR", _("The change must not be zero."), errors={"delta": [_("zero")]})
    if not reason:
        raise ApplicationError("VALIDATION_ERROR", _("Give a reason."), errors={"reason": [_("required")]})
    if abs(delta) > MAX_STOCK:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The change is too large."),
            errors={"delta": [_("at most %(max)s") % {"max": MAX_STOCK}]},
        )
    if consumable.is_deleted:
        raise ApplicationError("NOT_FOUND", _("This consumable is in the trash."))
    if worker is not None and worker.department_id != consumable.department_id:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The worker belongs to another department."),
            errors={"worker_barcode": [_("belongs to another department")]},
        )
    # One conditional UPDATE: the row lock it takes serialises concurrent adjustments of the same item.
    room = Q(current_stock__gte=-delta) if delta < 0 else Q(current_stock__lte=MAX_STOCK - delta)
    updated = Consumable.objects.filter(room, pk=consumable.pk).update(
        current_stock=F("current_stock") + delta, updated_at=timezone.now()
    )
    if not updated and delta > 0:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The stock would exceed %(max)s.") % {"max": MAX_STOCK},
            errors={"delta": [_("too large")]},
        )
    if not updated:
        available = Consumable.objects.filter(pk=consumable.pk).values_list("current_stock", flat=True).first()
        raise ApplicationError(
            "INSUFFICIENT_STOCK",
            _("Only %(available)s %(unit)s in stock.") % {"available": available, "unit": consumable.unit},
            errors={"delta": [_("more than in stock")]},
        )
    consumable.refresh_from_db(fields=["current_stock", "updated_at"])
    movement = StockMovement.objects.create(
        consumable=consumable,
        kind=kind or (StockMovement.Kind.RECEIPT if delta > 0 else StockMovement.Kind.ADJUSTMENT),
        delta=delta,
        stock_after=consumable.current_stock,
        reason=reason[:255],
        worker=worker,
        user=user if user and user.is_authenticated else None,
    )
    record_change(
        consumable,
        action="updated",
        user=user,
        changes={"current_stock": [consumable.current_stock - delta, consumable.current_stock]},
        note=reason,
    )
    return movement


# --- Shared ------------------------------------------------------------------------------------


def _purge(item, *, user) -> None:
    if not item.is_deleted:
        raise ApplicationError("VALIDATION_ERROR", _("Only records in the trash can be deleted for good."))
    barcode_release(kind=_KIND[type(item)], object_id=item.pk)
    record_change(item, action="deleted", user=user, note=SystemNote(gettext_noop("purged")))
    item.delete()


@transaction.atomic
def category_get_or_create(*, department, name: str) -> Category:
    category, _created = Category.objects.get_or_create(department=department, name=name.strip())
    return category


@transaction.atomic
def location_get_or_create(*, department, name: str) -> Location:
    location, _created = Location.objects.get_or_create(department=department, name=name.strip())
    return location
