"""Helpers for sheet import and export tests: uploads in both formats, reading downloads back."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from scandy_site.core.sheets import get_sheet, import_sheet


def upload(text: str, *, bom: bool = False, name: str = "import.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + text).encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows: list[list], *, name: str = "import.xlsx") -> SimpleUploadedFile:
    """A workbook as a spreadsheet program writes it: the first sheet holds the rows, typed as given."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def run_import(kind: str, department, user, file, **kwargs):
    if isinstance(file, str):
        file = upload(file)
    return import_sheet(get_sheet(kind), file=file, user=user, department=department, **kwargs)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    text = body_of(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";"))


def xlsx_cells(response):
    """The first sheet of a downloaded workbook: (header, rows of cell objects)."""
    workbook = load_workbook(io.BytesIO(body_of(response)))
    rows = list(workbook.worksheets[0].iter_rows())
    return [c.value for c in rows[0]], rows[1:]
