"""CSV export and import of tools and consumables.

The columns are the API's field names (CONTRACT section 3); category and location are given by
name. Import rules: UTF-8 with or without BOM, `;` or `,` (detected from the header row), a header
row is required. Every row goes through the services inside one transaction; when any row is
refused nothing is kept and the result names each bad row. A barcode that exists in the department
updates that record; a barcode twice in one file is an error.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import SystemNote

from . import services
from .barcodes import normalise_barcode
from .models import Category, Consumable, Location, StockMovement, Tool

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
EXPORT_DELIMITER = ";"  # what spreadsheet programs in German locales expect; import takes both
MAX_INT = 2_147_483_647  # an integer column on every supported database
CSV_IMPORT_NOTE = SystemNote(gettext_noop("CSV import"))
# A cell starting like a formula is prefixed with ' on export so spreadsheets do not run it;
# the prefix is taken off again on import.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, ref, choice, date, decimal, int, json
    read_only: bool = False
    # What an empty cell means: "empty" (""), "none" (None: clear), "omit" (keep / model default).
    blank: str = "empty"


_REFS = {"category": Category, "location": Location}

_RECORD_COLUMNS = (
    Column("department", read_only=True),
    Column("created_at", read_only=True),
    Column("updated_at", read_only=True),
)

TOOL_COLUMNS = (
    Column("barcode"),
    Column("name"),
    Column("description"),
    Column("category", "ref", blank="none"),
    Column("location", "ref", blank="none"),
    Column("status", "choice", blank="omit"),
    Column("condition", "choice", blank="omit"),
    Column("serial_number"),
    Column("purchase_date", "date", blank="none"),
    Column("purchase_price", "decimal", blank="none"),
    Column("maintenance_due", "date", blank="none"),
    Column("custom_fields", "json", blank="omit"),
    *_RECORD_COLUMNS,
)

CONSUMABLE_COLUMNS = (
    Column("barcode"),
    Column("name"),
    Column("description"),
    Column("category", "ref", blank="none"),
    Column("location", "ref", blank="none"),
    Column("unit", blank="omit"),
    Column("current_stock", "int", blank="omit"),
    Column("min_stock", "int", blank="omit"),
    Column("max_stock", "int", blank="none"),
    Column("cost_per_unit", "decimal", blank="none"),
    Column("supplier"),
    Column("last_ordered_at", "date", blank="none"),
    *_RECORD_COLUMNS,
)


@dataclass
class RowError:
    row: int  # as a spreadsheet counts: the header is row 1
    barcode: str
    messages: list[str]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class _RowError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages


# --- Export ------------------------------------------------------------------------------------------


class _Line:
    """csv.writer target that hands back each written line."""

    def write(self, value: str) -> str:
        return value


def _export_cell(item, column: Column) -> str:
    if column.name == "department":
        return item.department.code
    value = getattr(item, column.name)
    if value is None:
        return ""
    if column.kind == "ref":
        return guard_cell(value.name)
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if column.kind == "text":
        return guard_cell(str(value))
    return str(value)


def guard_cell(text: str) -> str:
    """A text cell as exported: defused when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """The lines of a Scandy CSV export: UTF-8 with BOM, `;`-separated, CRLF. Every export uses this, so
    they all open the same way in a spreadsheet; text cells go through `guard_cell` first."""
    writer = csv.writer(_Line(), delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    # The BOM makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _export(queryset, columns) -> Iterator[str]:
    items = queryset.select_related("category", "location", "department").iterator(chunk_size=2000)
    return csv_lines([c.name for c in columns], ([_export_cell(item, c) for c in columns] for item in items))


def tools_export_csv(queryset) -> Iterator[str]:
    """The CSV lines (header first) of the given tools."""
    return _export(queryset, TOOL_COLUMNS)


def consumables_export_csv(queryset) -> Iterator[str]:
    """The CSV lines (header first) of the given consumables."""
    return _export(queryset, CONSUMABLE_COLUMNS)


# --- Reading the file --------------------------------------------------------------------------------


def _read_text(file) -> str:
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_large()
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large()
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
            errors={"file": [_("not UTF-8")]},
        ) from exc


def _too_large() -> ApplicationError:
    return ApplicationError(
        "FILE_TOO_LARGE",
        _("The file is too large: at most %(mb)d MB and %(rows)d rows.") % {"mb": MAX_BYTES // 2**20, "rows": MAX_ROWS},
        errors={"file": [_("too large")]},
    )


def detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _parse(text: str, columns) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (column names) and the data rows (row number as a spreadsheet counts them, cells);
    raises on problems of the whole file."""
    if "\x00" in text:
        raise ApplicationError(
            "VALIDATION_ERROR", _("The file is not a CSV text file."), errors={"file": [_("binary")]}
        )
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line))
    try:
        rows = []
        header = None
        for number, cells in enumerate(reader, start=1):
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = [c.strip().lower() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_large()
            rows.append((number, cells))
    except csv.Error as exc:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The file is not valid CSV: %(error)s") % {"error": exc},
            errors={"file": [_("invalid CSV")]},
        ) from exc
    if header is None:
        raise ApplicationError(
            "VALIDATION_ERROR", _("The file is empty; a header row is required."), errors={"file": [_("empty")]}
        )
    _check_header(header, columns)
    return header, rows


def _check_header(header: list[str], columns) -> None:
    known = {c.name for c in columns}
    named = [h for h in header if h]
    unknown = sorted(set(named) - known)
    duplicates = sorted({h for h in named if named.count(h) > 1})
    problems = []
    if "barcode" not in named:
        problems.append(_("The header row needs a “barcode” column."))
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if duplicates:
        problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(duplicates)})
    if problems:
        problems.append(
            _("Known columns: %(columns)s.") % {"columns": ", ".join(c.name for c in columns)},
        )
        raise ApplicationError("VALIDATION_ERROR", " ".join(problems), errors={"file": problems})


# --- Converting cells --------------------------------------------------------------------------------


def _text(value: str) -> str:
    value = value.strip()
    if value.startswith("'") and value[1:2] and value[1] in _FORMULA_START:
        return value[1:]
    return value


def _date(value: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"value": value})


def _decimal(value: str) -> Decimal:
    text = value.replace(" ", "")
    if "," in text and "." in text:
        # Whichever comes last is the decimal mark: 1.234,56 or 1,234.56.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "").replace(",", ".")
    elif "," in text:  # German notation: 12,50
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    return number


def _int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
    if not 0 <= number <= MAX_INT:
        raise ValueError(_("%(value)s is out of range (0 to %(max)s).") % {"value": value, "max": MAX_INT})
    return number


def _json(value: str) -> dict:
    try:
        data = json.loads(value)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValueError(_('must be a JSON object such as {"key": "value"}'))
    return data


_CONVERTERS = {"date": _date, "decimal": _decimal, "int": _int, "json": _json}


class _Importer:
    def __init__(self, *, model, columns, department, user, create_missing: bool):
        self.model = model
        self.columns = {c.name: c for c in columns}
        self.department = department
        self.user = user
        self.create_missing = create_missing
        self.refs = {
            name: {obj.name.casefold(): obj for obj in ref_model.objects.filter(department=department)}
            for name, ref_model in _REFS.items()
        }
        self.existing = {
            obj.barcode: obj
            for obj in model.objects.filter(department=department).select_related("category", "location")
        }

    def run(self, file) -> ImportResult:
        header, rows = _parse(_read_text(file), self.columns.values())
        result = ImportResult()
        seen: dict[str, int] = {}
        with transaction.atomic():
            for number, cells in rows:
                values = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}
                extra = [c for c in cells[len(header) :] if c.strip()]
                barcode_raw = values.get("barcode", "").strip()
                try:
                    if extra:
                        raise _RowError([_("More values than columns in the header.")])
                    barcode = self._barcode(barcode_raw)
                    if barcode in seen:
                        raise _RowError(
                            [
                                _("Barcode %(barcode)s is already in row %(row)d.")
                                % {"barcode": barcode, "row": seen[barcode]}
                            ]
                        )
                    seen[barcode] = number
                    # One savepoint per row: a refused row is undone, the rest of the file is still checked.
                    with transaction.atomic():
                        outcome = self._apply(barcode, self._fields(values))
                except _RowError as exc:
                    result.errors.append(RowError(number, barcode_raw, exc.messages))
                except ApplicationError as exc:
                    result.errors.append(RowError(number, barcode_raw, _messages(exc)))
                except (IntegrityError, DataError):
                    result.errors.append(RowError(number, barcode_raw, [_("The database refused this row.")]))
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
            if result.errors:
                transaction.set_rollback(True)
        return result

    def _barcode(self, raw: str) -> str:
        if not raw:
            raise _RowError([_("barcode: required")])
        try:
            return normalise_barcode(raw)
        except ApplicationError as exc:
            raise _RowError(_messages(exc)) from None

    def _fields(self, values: dict) -> dict:
        fields, problems = {}, []
        for name, raw in values.items():
            column = self.columns[name]
            if column.read_only or name == "barcode":
                continue
            text = _text(raw)
            if not text:
                if column.blank == "empty":
                    fields[name] = ""
                elif column.blank == "none":
                    fields[name] = None
                continue
            try:
                if column.kind == "ref":
                    fields[name] = self._ref(name, text)
                elif column.kind == "choice":
                    fields[name] = text.lower()
                elif column.kind in _CONVERTERS:
                    fields[name] = _CONVERTERS[column.kind](text)
                else:
                    fields[name] = text
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
        if problems:
            raise _RowError(problems)
        return fields

    def _ref(self, name: str, text: str):
        known = self.refs[name].get(text.casefold())
        if known is not None:
            return known
        if not self.create_missing:
            raise ValueError(_("unknown name “%(name)s”") % {"name": text})
        getter = services.category_get_or_create if name == "category" else services.location_get_or_create
        created = getter(department=self.department, name=text[:100])
        self.refs[name][text.casefold()] = created
        return created

    def _apply(self, barcode: str, fields: dict) -> str:
        item = self.existing.get(barcode)
        if item is None:
            self._create(barcode, fields)
            return "created"
        if item.deleted_at is not None:
            raise _RowError(
                [_("Barcode %(barcode)s belongs to a record in the trash; restore it first.") % {"barcode": barcode}]
            )
        return self._update(item, fields)


class _ToolImporter(_Importer):
    def _create(self, barcode, fields):
        services.tool_create(department=self.department, user=self.user, barcode=barcode, **fields)

    def _update(self, item, fields) -> str:
        changes = {k: v for k, v in fields.items() if getattr(item, k) != v}
        if not changes:
            return "unchanged"
        services.tool_update(tool=item, user=self.user, note=CSV_IMPORT_NOTE, **changes)
        return "updated"


class _ConsumableImporter(_Importer):
    def _create(self, barcode, fields):
        stock = fields.pop("current_stock", 0)
        services.consumable_create(
            department=self.department, user=self.user, barcode=barcode, current_stock=stock, **fields
        )

    def _update(self, item, fields) -> str:
        stock = fields.pop("current_stock", item.current_stock)
        changes = {k: v for k, v in fields.items() if getattr(item, k) != v}
        if not changes and stock == item.current_stock:
            return "unchanged"
        if changes:
            item = services.consumable_update(consumable=item, user=self.user, note=CSV_IMPORT_NOTE, **changes)
        if stock != item.current_stock:
            services.consumable_adjust_stock(
                consumable=item, user=self.user, delta=stock - item.current_stock, reason=_("CSV import"),
                kind=StockMovement.Kind.IMPORT,
            )  # fmt: skip
        return "updated"


def _messages(exc: ApplicationError) -> list[str]:
    messages = [exc.message]
    for name, field_messages in exc.errors.items():
        for message in field_messages:
            line = f"{name}: {message}"
            if line != exc.message:
                messages.append(line)
    return messages


def tools_import_csv(*, department, user, file, create_missing: bool = False) -> ImportResult:
    """Create or update tools from a CSV file; all rows or none."""
    return _ToolImporter(
        model=Tool, columns=TOOL_COLUMNS, department=department, user=user, create_missing=create_missing
    ).run(file)


def consumables_import_csv(*, department, user, file, create_missing: bool = False) -> ImportResult:
    """Create or update consumables from a CSV file; all rows or none. `current_stock` is the
    initial stock of a new consumable; for an existing one a different value becomes a stock
    adjustment with the reason "CSV import"."""
    return _ConsumableImporter(
        model=Consumable, columns=CONSUMABLE_COLUMNS, department=department, user=user, create_missing=create_missing
    ).run(file)


def column_names(kind: str) -> Iterable[str]:
    columns = TOOL_COLUMNS if kind == "tools" else CONSUMABLE_COLUMNS
    return [c.name for c in columns if not c.read_only]
