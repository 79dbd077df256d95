"""Reading and writing tables (scandy_site.core.tabular): formats told apart by content, limits, typed
cells, formulas defused."""

import datetime
import io
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from scandy_site.core import tabular
from scandy_site.core.errors import ApplicationError
from tests.sheets import xlsx_upload


def refused(file) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught, translation.override("en"):
        tabular.read_table(file)
    return caught.value


def test_csv_and_xlsx_are_told_apart_by_content_not_name():
    as_csv = tabular.read_table(SimpleUploadedFile("liste.xlsx", b"barcode;name\nT-1;Bohrer\n"))
    assert (as_csv.format, as_csv.header, as_csv.rows) == ("csv", ["barcode", "name"], [(2, ["T-1", "Bohrer"])])
    as_xlsx = tabular.read_table(xlsx_upload([["barcode", "name"], ["T-1", 7]], name="liste.csv"))
    assert (as_xlsx.format, as_xlsx.header, as_xlsx.rows) == ("xlsx", ["barcode", "name"], [(2, ["T-1", 7])])


def test_row_numbers_count_blank_rows_as_a_spreadsheet_does():
    table = tabular.read_table(xlsx_upload([[None], ["barcode"], [None], ["T-1"], ["  "], ["T-2"]]))
    assert table.header == ["barcode"]
    assert [number for number, _cells in table.rows] == [4, 6]


def test_the_first_sheet_is_read_and_far_away_cells_are_cut_off():
    workbook = Workbook()
    first = workbook.active
    first.append(["barcode"])
    first.append(["T-1"])
    first.cell(row=2, column=5000, value="weit weg")
    workbook.create_sheet("Zweites").append(["nicht", "gelesen"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = tabular.read_table(SimpleUploadedFile("x.xlsx", buffer.getvalue()))
    assert table.header == ["barcode"]
    assert len(table.rows[0][1]) == tabular.MAX_COLUMNS


def test_old_excel_files_are_refused_with_a_hint():
    error = refused(SimpleUploadedFile("liste.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))
    assert error.code == "UNSUPPORTED_FILE_TYPE"
    assert ".xlsx" in error.message


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hallo.txt", "kein Excel")
    assert refused(SimpleUploadedFile("x.xlsx", buffer.getvalue())).code == "UNSUPPORTED_FILE_TYPE"
    assert refused(SimpleUploadedFile("x.xlsx", b"PK\x03\x04 broken")).code == "UNSUPPORTED_FILE_TYPE"


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED", 10_000)
    file = xlsx_upload([["barcode", "description"], *[[f"T-{n}", "x" * 100] for n in range(200)]])
    assert len(file) < 10_000  # small on disk, large unpacked
    assert refused(file).code == "FILE_TOO_LARGE"


def test_an_empty_file_needs_a_header():
    assert "header" in refused(SimpleUploadedFile("x.csv", b"\n\n")).message
    assert "header" in refused(xlsx_upload([])).message


def test_binary_text_is_refused():
    assert refused(SimpleUploadedFile("x.csv", b"barcode\x00name\n")).code == "VALIDATION_ERROR"


def test_detect_delimiter():
    assert tabular.detect_delimiter("barcode;name;status") == ";"
    assert tabular.detect_delimiter("barcode,name,status") == ","
    assert tabular.detect_delimiter("barcode") == ","


def test_csv_cells_by_type(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    moment = datetime.datetime(2025, 7, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
    lines = list(
        tabular.csv_lines(["a"] * 7, [[None, True, False, moment, datetime.date(2025, 1, 2), Decimal("1.50"), "-1"]])
    )
    assert lines[0].startswith("\ufeff")
    assert lines[1] == ";yes;no;2025-07-01T12:00:00+02:00;2025-01-02;1.50;'-1\r\n"


def test_xlsx_text_is_never_a_formula_and_control_characters_are_dropped():
    written = tabular.xlsx_file(["a", "b", "c"], [["=1+1", "@SUM(A1)", "Glocke\x07"]])
    row = list(load_workbook(written).active.iter_rows())[1]
    assert [(c.value, c.data_type, bool(c.quotePrefix)) for c in row] == [
        ("=1+1", "s", True), ("@SUM(A1)", "s", True), ("Glocke", "s", False),
    ]  # fmt: skip


def test_what_the_converters_make_of_cells():
    assert tabular.to_date(datetime.datetime(2025, 3, 1, 0, 0)) == datetime.date(2025, 3, 1)
    assert tabular.to_date("01.03.2025") == tabular.to_date("2025-03-01") == datetime.date(2025, 3, 1)
    assert tabular.to_decimal(0.35) == Decimal("0.35")
    assert tabular.to_decimal("1.234,56") == tabular.to_decimal("1,234.56") == Decimal("1234.56")
    assert tabular.to_int(7.0) == tabular.to_int("7") == 7
    assert [tabular.to_bool(v) for v in (True, "Ja", "x", 1, "nein", "", 0)] == [True] * 4 + [False] * 3
    assert tabular.cell_text(12345.0) == "12345"
    bad = [
        (tabular.to_date, 45000), (tabular.to_decimal, "abc"), (tabular.to_int, -1), (tabular.to_int, 2.5),
        (tabular.to_bool, "vielleicht"), (tabular.to_decimal, True),
    ]  # fmt: skip
    for convert, value in bad:
        with pytest.raises(ValueError):
            convert(value)
