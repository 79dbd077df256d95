"""Tables in and out: CSV and Excel workbooks (.xlsx) with a header row.

Writing: every list export goes through `download()`, so they all open the same way in a spreadsheet
program. CSV is UTF-8 with BOM, `;`-separated, CRLF; xlsx has typed cells (numbers as numbers, dates
as dates). Text a spreadsheet would take for a formula is defused in both: in CSV by a leading `'`
(taken off again on import), in xlsx by storing it as a text cell with Excel's quote prefix, never as
a formula.

Reading: `read_table()` takes an upload, tells CSV from xlsx by its content, and gives the header and
the non-empty rows with their row numbers as a spreadsheet counts them. CSV cells are strings, xlsx
cells are what the workbook holds (str, int, float, datetime, bool, None); `scandy_site.core.sheets`
turns either into field values.
"""

import csv
import datetime
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# Cells to the right of this column are not read.
MAX_COLUMNS = 100
# An xlsx is a ZIP: what it unpacks to is limited too, so a small file cannot expand into gigabytes.
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
MAX_INT = 2_147_483_647  # an integer column on every supported database
EXPORT_DELIMITER = ";"  # what spreadsheet programs in German locales expect; import takes both
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting like this is a formula to a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# What a yes/no cell may say (either language, and what spreadsheets write for a ticked box).
_TRUE = {"yes", "y", "true", "1", "ja", "j", "x", "wahr"}
_FALSE = {"no", "n", "false", "0", "nein", "falsch", ""}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other old Office files


# --- Writing ---------------------------------------------------------------------------------------


def guard_cell(text: str) -> str:
    """A text cell as a CSV export writes it: defused when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | Decimal | float):
        return str(value)
    return guard_cell(str(value))


class _Line:
    """csv.writer target that hands back each written line."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The lines of a CSV export: UTF-8 BOM first, `;`-separated, CRLF. Cells are values (str, numbers,
    dates, bools, None); text goes through `guard_cell`."""
    writer = csv.writer(_Line(), delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    # The BOM makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def xlsx_file(header: list[str], rows: Iterable[list], *, title: str = "Scandy"):
    """An xlsx workbook with one sheet (header row in bold, frozen), as an open file positioned at 0.
    Written row by row (openpyxl's write-only mode): memory stays small for long lists."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(name):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        return cell

    def cell(value):
        if isinstance(value, datetime.datetime):
            # Excel has no time zones: local time, as the pages show it.
            value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
            value = value.replace(microsecond=0)  # to the second, as the CSV export and the pages show it
        elif isinstance(value, float | int | Decimal | datetime.date | bool) or value is None:
            pass
        else:
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            written = WriteOnlyCell(sheet, value=text)
            # A text cell, never a formula; the quote prefix keeps Excel from making it one when edited.
            written.data_type = "s"
            if text.startswith(FORMULA_START):
                written.quotePrefix = True
            return written
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
            written.number_format = "0.00"
        return written

    sheet.append([header_cell(name) for name in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(target)
    target.seek(0)
    return target


def download(header: list[str], rows: Iterable[list], *, basename: str, fmt: str = "csv"):
    """The response of a list export: `basename-YYYY-MM-DD.csv` (streamed) or `.xlsx`."""
    filename = f"{basename}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(header, rows, title=basename), as_attachment=True, filename=filename,
            content_type=XLSX_CONTENT_TYPE,
        )  # fmt: skip
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Reading ---------------------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]  # as written in the file (stripped); "" for an empty header cell
    rows: list[tuple[int, list]]  # (row number as a spreadsheet counts it, the header row being 1 or later; cells)
    format: str  # "csv" or "xlsx"


def _file_error(message, detail, code="VALIDATION_ERROR") -> ApplicationError:
    return ApplicationError(code, message, errors={"file": [detail]})


def _too_large() -> ApplicationError:
    return _file_error(
        _("The file is too large: at most %(mb)d MB and %(rows)d rows.") % {"mb": MAX_BYTES // 2**20, "rows": MAX_ROWS},
        _("too large"),
        code="FILE_TOO_LARGE",
    )


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_table(file) -> Table:
    """Header and rows of an uploaded CSV or xlsx file; raises ApplicationError for problems of the whole
    file (too large, not readable, no header row)."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_large()
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large()
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if raw.startswith(_ZIP_MAGIC):
        header, rows = _read_xlsx(raw)
        fmt = "xlsx"
    elif raw.startswith(_OLE_MAGIC):
        raise _file_error(
            _("This is an old Excel file (.xls). Save it as “Excel workbook (.xlsx)” or as CSV and try again."),
            _("old Excel format"),
            code="UNSUPPORTED_FILE_TYPE",
        )
    else:
        header, rows = _read_csv(raw)
        fmt = "csv"
    if header is None:
        raise _file_error(_("The file is empty; a header row is required."), _("empty"))
    return Table(header=header, rows=rows, format=fmt)


def detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _unguard(text: str) -> str:
    """Undo `guard_cell`: our own export's `'=…` is read back as `=…`."""
    stripped = text.strip()
    if stripped.startswith("'") and stripped[1:2] and stripped[1] in FORMULA_START:
        return stripped[1:]
    return text


def _read_csv(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” (or as an Excel workbook) and try again."),
            _("not UTF-8"),
        ) from exc
    if "\x00" in text:
        raise _file_error(_("The file is neither a CSV text file nor an Excel workbook (.xlsx)."), _("binary"))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line))
    return _collect(([_unguard(c) for c in cells] for cells in reader), _csv_errors)


def _csv_errors(exc: Exception) -> ApplicationError | None:
    if isinstance(exc, csv.Error):
        return _file_error(_("The file is not valid CSV: %(error)s") % {"error": exc}, _("invalid CSV"))
    return None


def _collect(lines, errors):
    """The header row (first non-empty line) and the non-empty rows after it."""
    header, rows = None, []
    try:
        for number, cells in enumerate(lines, start=1):
            cells = list(cells)
            if all(_blank(c) for c in cells):
                continue
            if header is None:
                header = ["" if c is None else str(c).strip() for c in cells]
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_large()
            rows.append((number, cells))
    except ApplicationError:
        raise
    except Exception as exc:
        error = errors(exc)
        if error is None:
            raise
        raise error from exc
    return header, rows


def _not_a_workbook() -> ApplicationError:
    return _file_error(
        _("The file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx or as CSV."),
        _("not a readable .xlsx file"),
        code="UNSUPPORTED_FILE_TYPE",
    )


def _read_xlsx(raw: bytes):
    from openpyxl import load_workbook

    buffer = io.BytesIO(raw)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _not_a_workbook() from exc
    if unpacked > MAX_XLSX_UNPACKED:
        raise _too_large()
    try:
        # data_only: a formula cell gives the value the spreadsheet program last calculated.
        workbook = load_workbook(buffer, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for a bad file
        raise _not_a_workbook() from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return None, []
        # The stored size is often wrong (files written by other programs): read what is there.
        sheet.reset_dimensions()
        # Without max_col a missing row costs nothing; cells far to the right are cut off here.
        rows = (row[:MAX_COLUMNS] for row in sheet.iter_rows(values_only=True))
        return _collect(rows, _xlsx_errors)
    finally:
        workbook.close()


def _xlsx_errors(exc: Exception) -> ApplicationError | None:
    # A broken sheet inside a valid ZIP shows up only while its rows are read.
    return _not_a_workbook()


# --- Cells -> values (what a column of a sheet import makes of a cell) ----------------------------


def cell_text(value) -> str:
    """A cell as text: xlsx numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def to_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD or DD.MM.YYYY).") % {"value": text})


def to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))  # str(0.35) is "0.35": the digits the spreadsheet shows
    else:
        text = cell_text(value).replace(" ", "")
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
        raise ValueError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    return number


def to_int(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = int(cell_text(value))
        except ValueError:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": cell_text(value)}) from None
    if not 0 <= number <= MAX_INT:
        raise ValueError(_("%(value)s is out of range (0 to %(max)s).") % {"value": number, "max": MAX_INT})
    return number


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("“%(value)s” is neither yes nor no.") % {"value": cell_text(value)})


def to_json(value) -> dict:
    try:
        data = json.loads(cell_text(value))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValueError(_('must be a JSON object such as {"key": "value"}'))
    return data


CONVERTERS = {"date": to_date, "decimal": to_decimal, "int": to_int, "bool": to_bool, "json": to_json}
