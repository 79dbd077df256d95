"""Tools and consumables as sheets (CSV or xlsx): their columns and how a row goes through the services.

The engine (header, cells, all-or-nothing, errors by row and column) is `scandy_site.core.sheets`.
The columns are the API's field names (CONTRACT section 3); category and location are given by name
and, with `create_missing`, created when the department does not have them yet.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scandy_site.core.sheets import Column, Sheet

from . import services
from .barcodes import normalise_barcode
from .models import Category, Consumable, Location, StockMovement, Tool

# Earlier versions wrote this note on imported changes; kept in the catalogues so those rows still translate.
LEGACY_NOTES = (gettext_noop("CSV import"),)

_RECORD_COLUMNS = (
    Column("department", read_only=True),
    Column("created_at", read_only=True),
    Column("updated_at", read_only=True),
)

_ITEM_COLUMNS = (
    Column("barcode"),
    Column("name"),
    Column("description"),
    Column("category", "ref", blank="none"),
    Column("location", "ref", blank="none"),
)

TOOL_COLUMNS = (
    *_ITEM_COLUMNS,
    Column("status", "choice", blank="omit", choices=tuple(Tool.Status.choices)),
    Column("condition", "choice", blank="omit", choices=tuple(Tool.Condition.choices)),
    Column("serial_number"),
    Column("purchase_date", "date", blank="none"),
    Column("purchase_price", "decimal", blank="none"),
    Column("maintenance_due", "date", blank="none"),
    Column("custom_fields", "json", blank="omit"),
    *_RECORD_COLUMNS,
)

CONSUMABLE_COLUMNS = (
    *_ITEM_COLUMNS,
    Column("unit", blank="omit"),
    Column("current_stock", "int", blank="omit"),
    Column("min_stock", "int", blank="omit"),
    Column("max_stock", "int", blank="none"),
    Column("cost_per_unit", "decimal", blank="none"),
    Column("supplier"),
    Column("last_ordered_at", "date", blank="none"),
    *_RECORD_COLUMNS,
)

_REFS = {
    "category": (Category, services.category_get_or_create),
    "location": (Location, services.location_get_or_create),
}


class _ItemSheet(Sheet):
    def __init__(self):
        self._refs: dict[tuple, dict] = {}

    def normalise_key(self, raw: str) -> str:
        return normalise_barcode(raw)

    def existing(self, department) -> dict:
        return {
            item.barcode: item
            for item in self.model.objects.filter(department=department).select_related("category", "location")
        }

    def resolve(self, column, text, *, department, create_missing):
        model, get_or_create = _REFS[column.name]
        known = self._refs.get((column.name, department.pk))
        if known is None:
            known = {obj.name.casefold(): obj for obj in model.objects.filter(department=department)}
            self._refs[(column.name, department.pk)] = known
        found = known.get(text.casefold())
        if found is not None:
            return found
        if not create_missing:
            raise ValueError(_("unknown name “%(name)s”") % {"name": text})
        created = get_or_create(department=department, name=text[:100])
        known[text.casefold()] = created
        return created

    def label(self, record) -> str:
        return record.name

    def export_queryset(self, queryset):
        return queryset.select_related("category", "location", "department")

    @staticmethod
    def _changes(record, fields: dict) -> dict:
        return {name: value for name, value in fields.items() if getattr(record, name) != value}


class ToolSheet(_ItemSheet):
    kind = "tools"
    model = Tool
    columns = TOOL_COLUMNS

    def create(self, *, department, user, key, fields, note):
        return services.tool_create(department=department, user=user, barcode=key or None, **fields)

    def update(self, *, record, user, fields, note) -> list[str]:
        changes = self._changes(record, fields)
        if changes:
            services.tool_update(tool=record, user=user, note=note, **changes)
        return list(changes)


class ConsumableSheet(_ItemSheet):
    """`current_stock` is the initial stock of a new consumable; for an existing one a different value
    becomes a stock adjustment with the file's name as its reason."""

    kind = "consumables"
    model = Consumable
    columns = CONSUMABLE_COLUMNS

    def create(self, *, department, user, key, fields, note):
        stock = fields.pop("current_stock", 0)
        return services.consumable_create(
            department=department, user=user, barcode=key or None, current_stock=stock, **fields
        )

    def update(self, *, record, user, fields, note) -> list[str]:
        stock = fields.pop("current_stock", record.current_stock)
        changes = self._changes(record, fields)
        if changes:
            record = services.consumable_update(consumable=record, user=user, note=note, **changes)
        if stock != record.current_stock:
            services.consumable_adjust_stock(
                consumable=record, user=user, delta=stock - record.current_stock, reason=_(note.message) % note.params,
                kind=StockMovement.Kind.IMPORT,
            )  # fmt: skip
            return [*changes, "current_stock"]
        return list(changes)
