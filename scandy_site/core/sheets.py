"""A list as a sheet: one import and export for tools, consumables and workers (CSV or xlsx).

A domain app describes its list as a `Sheet` subclass (its columns, and how a row becomes a record
through the app's services) and registers it in its AppConfig.ready(); the import pages, the admin and
`manage.py import_sheet` find it here by kind, so the platform imports no domain app.

Import rules, the same for every kind and both formats:
- The header row names the columns: the export's column names, or the column titles the pages show
  (in German or English), in any order. Unknown or doubled columns are an error of the whole file.
- Every row goes through the same service as the form that creates or edits one record. A key
  (barcode) that exists in the department updates that record, otherwise a new one is created; a key
  twice in one file is an error.
- All rows or none: everything runs in one transaction, each row in a savepoint so that every bad row is
  found in one pass; if any row is refused nothing is kept and the result names each problem by row
  and column. A dry run does the same and always rolls back, which is how the pages preview a file.
- Rows go to the given department; without one (admins working in "all departments", `import_sheet`
  without `--department`) each row names its department in a `department` column.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import DataError, IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import ApplicationError
from .history import SystemNote
from .tabular import CONVERTERS, Table, cell_text, read_table

IMPORT_NOTE = gettext_noop("Imported from %(file)s")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, choice, ref, date, decimal, int, bool, json
    read_only: bool = False  # exported, ignored on import (created_at, …)
    # What an empty cell means: "empty" (""), "none" (None: clear), "omit" (keep / the model's default).
    blank: str = "empty"
    label: object = ""  # the title the pages show (lazy); accepted as header too
    choices: tuple = ()  # (value, label) pairs of a choice column; either is accepted


@dataclass(frozen=True)
class Problem:
    column: str  # a column name, or "" for the row as a whole
    message: str


@dataclass
class RowError:
    row: int  # as a spreadsheet counts: the header is row 1
    barcode: str
    problems: list[Problem]

    @property
    def messages(self) -> list[str]:
        return [f"{p.column}: {p.message}" if p.column else p.message for p in self.problems]


@dataclass
class RowOutcome:
    row: int
    action: str  # created, updated, unchanged
    department: str
    barcode: str
    label: str
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged}"

    def error_lines(self) -> list[str]:
        """One line per problem: `row R, column C: message` (`row R: message` for the row as a whole). The
        frame stays English, like the summary, so scripts can read it; the message is the reader's language."""
        lines = []
        for error in self.errors:
            for problem in error.problems:
                where = f"row {error.row}, column {problem.column}" if problem.column else f"row {error.row}"
                lines.append(f"{where}: {problem.message}")
        return lines


class RowRefusedError(Exception):
    """A row cannot be imported; raised by a sheet's hooks with the problems found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems


class _Undo(Exception):  # noqa: N818 - not an error: rolls a trial savepoint back
    pass


class Sheet:
    """One kind of list. Subclasses set the attributes and implement the hooks; an instance lives for one
    import or export, so it may cache lookups on itself."""

    kind = ""  # the name in URLs and in `import_sheet KIND`
    model = None
    columns: tuple[Column, ...] = ()
    key = "barcode"
    # Columns the header must have; a key column that is not among them may be left out (new records
    # then get no key from the file and the service decides).
    required: tuple[str, ...] = ("barcode",)

    def normalise_key(self, raw: str) -> str:
        raise NotImplementedError

    def existing(self, department) -> dict:
        """key -> record of the department, records in the trash included."""
        raise NotImplementedError

    def in_trash(self, record) -> bool:
        return getattr(record, "deleted_at", None) is not None

    def create(self, *, department, user, key: str, fields: dict, note: SystemNote):
        raise NotImplementedError

    def update(self, *, record, user, fields: dict, note: SystemNote) -> list[str]:
        """Apply `fields` through the service; the names of the fields that changed (empty: unchanged)."""
        raise NotImplementedError

    def resolve(self, column: Column, text: str, *, department, create_missing: bool):
        """The record a `ref` cell names; raise ValueError with the reason when there is none."""
        raise NotImplementedError

    def label(self, record) -> str:
        return str(record)

    # --- export -----------------------------------------------------------------------------------

    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def export_queryset(self, queryset):
        return queryset

    def export_rows(self, queryset) -> Iterator[list]:
        for record in self.export_queryset(queryset).iterator(chunk_size=2000):
            yield [self.export_value(record, c) for c in self.columns]

    def export_value(self, record, column: Column):
        if column.name == "department":
            return record.department.code
        value = getattr(record, column.name)
        if value is None:
            return None
        if column.kind == "ref":
            return value.name
        if column.kind == "json":
            return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
        return value

    def importable_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.read_only]


# --- Registry --------------------------------------------------------------------------------------

_SHEETS: dict[str, type[Sheet]] = {}


def register(sheet: type[Sheet]) -> type[Sheet]:
    _SHEETS[sheet.kind] = sheet
    return sheet


def sheet_kinds() -> list[str]:
    return sorted(_SHEETS)


def get_sheet(kind: str) -> Sheet:
    try:
        return _SHEETS[kind]()
    except KeyError:
        raise ApplicationError("NOT_FOUND", _("There is no sheet import for “%(kind)s”.") % {"kind": kind}) from None


def _in_both_languages(text) -> set[str]:
    names = set()
    for language in ("de", "en"):
        with translation.override(language):
            names.add(str(text).strip().lower())
    return names


def _title(column: Column, model):
    if column.label or model is None:
        return column.label
    try:
        return model._meta.get_field(column.name).verbose_name
    except FieldDoesNotExist:
        return ""


def header_names(columns: Iterable[Column], model=None) -> dict[str, str]:
    """What a header cell may say (lower case) -> the column name: the name itself and the title the pages
    show (the column's label, else the model field's verbose name) in either language; a title two
    columns share is left out."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        title = _title(column, model)
        if title:
            for alias in _in_both_languages(title) - {column.name}:
                if alias in names or alias in taken:
                    names.pop(alias, None)
                    taken.add(alias)
                else:
                    names[alias] = column.name
    names.update({c.name: c.name for c in columns})
    return names


def problems_of(exc: ApplicationError, columns) -> list[Problem]:
    """A service's refusal as problems: on the columns it names (a rule other than plain validation keeps
    its whole sentence, which names the value), otherwise on the row."""
    known = {c.name for c in columns}
    problems = []
    for name, messages in exc.errors.items():
        if name in known:
            if exc.code == "VALIDATION_ERROR":
                problems.extend(Problem(name, str(message)) for message in messages)
            else:
                problems.append(Problem(name, exc.message))
    return problems or [Problem("", exc.message)]


# --- The import ------------------------------------------------------------------------------------


class _Import:
    def __init__(self, sheet: Sheet, *, user, department, departments, create_missing: bool, filename: str):
        self.sheet = sheet
        self.user = user
        self.department = department
        self.departments = {}
        for dept in departments:
            self.departments[dept.code.lower()] = dept
            self.departments.setdefault(dept.name.strip().lower(), dept)
        self.create_missing = create_missing
        self.note = SystemNote(IMPORT_NOTE, {"file": filename or "?"})
        self.columns = {c.name: c for c in sheet.columns}
        self.existing: dict[int, dict] = {}
        self.choices: dict[str, dict] = {}

    def header(self, table: Table) -> list[str | None]:
        names = header_names(self.sheet.columns, self.sheet.model)
        mapped, unknown = [], []
        for title in table.header:
            if not title:
                mapped.append(None)
                continue
            name = names.get(title.lower())
            if name is None:
                unknown.append(title)
            mapped.append(name)
        named = [n for n in mapped if n]
        problems = []
        missing = [n for n in self.sheet.required if n not in named]
        if missing:
            problems.append(_("The header row needs these columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        doubled = sorted({n for n in named if named.count(n) > 1})
        if doubled:
            problems.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(doubled)})
        if self.department is None and "department" not in named and not problems:
            problems.append(_("Choose the department to import into, or give each row a “department” column."))
        if problems:
            problems.append(_("Known columns: %(columns)s.") % {"columns": ", ".join(self.columns)})
            raise ApplicationError("VALIDATION_ERROR", " ".join(problems), errors={"file": problems})
        return mapped

    def run(self, table: Table, *, dry_run: bool) -> ImportResult:
        mapping = self.header(table)
        result = ImportResult(dry_run=dry_run)
        seen: dict[tuple, int] = {}
        with transaction.atomic():
            for number, cells in table.rows:
                values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(mapping) if name}
                raw_key = cell_text(values.get(self.sheet.key))
                try:
                    if any(cell_text(c) for c in cells[len(mapping) :]):
                        raise RowRefusedError([Problem("", _("More values than columns in the header."))])
                    department = self._department(values)
                    key = self._key(raw_key)
                    if key:
                        earlier = seen.setdefault((department.pk, key.casefold()), number)
                        if earlier != number:
                            message = _("Barcode %(barcode)s is already in row %(row)d.") % {
                                "barcode": key, "row": earlier,
                            }  # fmt: skip
                            raise RowRefusedError([Problem(self.sheet.key, message)])
                    fields = self._fields(values, department, key)
                    # One savepoint per row: a refused row is undone, the rest of the file is still checked.
                    with transaction.atomic():
                        outcome = self._apply(department, key, fields)
                except RowRefusedError as exc:
                    result.errors.append(RowError(number, raw_key, exc.problems))
                except ApplicationError as exc:
                    result.errors.append(RowError(number, raw_key, problems_of(exc, self.sheet.columns)))
                except (IntegrityError, DataError):
                    result.errors.append(RowError(number, raw_key, [Problem("", _("The database refused this row."))]))
                else:
                    outcome.row = number
                    result.rows.append(outcome)
                    setattr(result, outcome.action, getattr(result, outcome.action) + 1)
            if result.errors or dry_run:
                transaction.set_rollback(True)
        return result

    def _department(self, values):
        if self.department is not None:
            return self.department
        text = cell_text(values.get("department"))
        if not text:
            raise RowRefusedError([Problem("department", _("required: which department the row belongs to"))])
        department = self.departments.get(text.lower())
        if department is None:
            message = _("“%(value)s” is not a department you may import into.") % {"value": text}
            raise RowRefusedError([Problem("department", message)])
        return department

    def _key(self, raw: str) -> str:
        if not raw:
            return ""
        try:
            return self.sheet.normalise_key(raw)
        except ApplicationError as exc:
            raise RowRefusedError(problems_of(exc, self.sheet.columns)) from None

    def _fields(self, values: dict, department, key: str) -> dict:
        fields, problems = {}, []
        for name, raw in values.items():
            column = self.columns[name]
            if column.read_only or name in (self.sheet.key, "department"):
                continue
            if not cell_text(raw):
                if column.blank == "empty":
                    fields[name] = ""
                elif column.blank == "none":
                    fields[name] = None
                continue
            try:
                fields[name] = self._value(column, raw, department)
            except ValueError as exc:
                problems.append(Problem(name, str(exc)))
        if problems:
            # Like a form, name every bad column at once: what the service says about the rest is added.
            named = {p.column for p in problems}
            problems += [p for p in self._trial(department, key, fields) if p.column and p.column not in named]
            order = list(self.columns)
            raise RowRefusedError(sorted(problems, key=lambda p: order.index(p.column) if p.column in order else -1))
        return fields

    def _trial(self, department, key: str, fields: dict) -> list[Problem]:
        """The service's problems with the cells that could be read (always undone)."""
        try:
            with transaction.atomic():
                self._apply(department, key, dict(fields))
                raise _Undo
        except _Undo:
            return []
        except RowRefusedError as exc:
            return exc.problems
        except ApplicationError as exc:
            return problems_of(exc, self.sheet.columns)
        except (IntegrityError, DataError):
            return []

    def _value(self, column: Column, raw, department):
        if column.kind == "ref":
            return self.sheet.resolve(column, cell_text(raw), department=department, create_missing=self.create_missing)
        if column.kind == "choice":
            return self._choice(column, cell_text(raw))
        if column.kind in CONVERTERS:
            return CONVERTERS[column.kind](raw)
        return cell_text(raw)

    def _choice(self, column: Column, text: str) -> str:
        if column.name not in self.choices:
            known = {}
            for value, label in column.choices:
                known.update(dict.fromkeys(_in_both_languages(label), value))
                known[str(value).lower()] = value
            self.choices[column.name] = known
        # An unknown value goes to the service as it is: its refusal is the form's message.
        return self.choices[column.name].get(text.lower(), text.lower())

    def _apply(self, department, key: str, fields: dict) -> RowOutcome:
        if department.pk not in self.existing:
            self.existing[department.pk] = self.sheet.existing(department)
        record = self.existing[department.pk].get(key) if key else None
        if record is None:
            record = self.sheet.create(department=department, user=self.user, key=key, fields=fields, note=self.note)
            key = str(getattr(record, self.sheet.key))
            return RowOutcome(0, "created", department.code, key, self.sheet.label(record))
        if self.sheet.in_trash(record):
            message = _("Barcode %(barcode)s belongs to a record in the trash; restore it first.") % {"barcode": key}
            raise RowRefusedError([Problem(self.sheet.key, message)])
        changed = self.sheet.update(record=record, user=self.user, fields=fields, note=self.note)
        return RowOutcome(
            0, "updated" if changed else "unchanged", department.code, key, self.sheet.label(record), list(changed)
        )


def import_sheet(
    sheet: Sheet, *, file, user, department=None, departments: Iterable = (), create_missing: bool = False,
    dry_run: bool = False, filename: str = "",
) -> ImportResult:  # fmt: skip
    """Import an uploaded CSV or xlsx file into `department` (or, when None, into the department each row
    names among `departments`). Raises ApplicationError for a problem of the whole file; row problems are
    in the result. With `dry_run` (or any row refused) nothing is kept."""
    table = read_table(file)
    run = _Import(
        sheet, user=user, department=department, departments=departments, create_missing=create_missing,
        filename=filename or getattr(file, "name", "") or "",
    )  # fmt: skip
    return run.run(table, dry_run=dry_run)
