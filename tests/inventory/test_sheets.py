"""Tools and consumables as sheets: CSV and xlsx export, import through the services, the pages'
upload → preview → confirm."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from inventory.models import Category, Consumable, StockMovement, Tool
from inventory.services import tool_soft_delete
from inventory.sheets import TOOL_COLUMNS
from scandy_site.core import tabular
from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent
from tests.factories import CategoryFactory, ConsumableFactory, LocationFactory, ToolFactory, WorkerFactory
from tests.fuzz import FUZZ, NASTY, texts
from tests.sheets import body_of, csv_rows, run_import, upload, xlsx_cells, xlsx_upload

TOOLS_EXPORT = "/inventory/tools/export.csv"
TOOLS_XLSX = "/inventory/tools/export.xlsx"
TOOLS_IMPORT = "/inventory/tools/import/"
CONSUMABLES_EXPORT = "/inventory/consumables/export.csv"
CONSUMABLES_XLSX = "/inventory/consumables/export.xlsx"
CONSUMABLES_IMPORT = "/inventory/consumables/import/"


def import_tools(department, user, file, **kwargs):
    return run_import("tools", department, user, file, **kwargs)


def import_consumables(department, user, file, **kwargs):
    return run_import("consumables", department, user, file, **kwargs)


def problems(result) -> dict[int, list[tuple[str, str]]]:
    return {e.row: [(p.column, p.message) for p in e.problems] for e in result.errors}


@pytest.fixture
def tools(department):
    category = CategoryFactory(department=department, name="Elektrowerkzeug")
    location = LocationFactory(department=department, name="Regal A")
    return [
        ToolFactory(
            department=department, barcode="T-1", name="Bohrhammer", category=category, location=location,
            purchase_date=datetime.date(2024, 5, 1), purchase_price=Decimal("249.90"), serial_number="SN-1",
            custom_fields={"Spannung": "18 V"},
        ),
        ToolFactory(department=department, barcode="T-2", name="=HYPERLINK(\"x\")", status="defective"),
    ]  # fmt: skip


# --- export ------------------------------------------------------------------------------------------


def test_csv_export_has_the_api_columns_and_values(page_client_for, admin_user, tools):
    response = page_client_for(admin_user).get(TOOLS_EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tools-werkstatt-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == [c.name for c in TOOL_COLUMNS]
    first = next(r for r in rows if r["barcode"] == "T-1")
    assert first["category"] == "Elektrowerkzeug"
    assert first["location"] == "Regal A"
    assert first["purchase_date"] == "2024-05-01"
    assert first["purchase_price"] == "249.90"
    assert first["status"] == "available"
    assert first["department"] == "werkstatt"
    # A cell that looks like a formula is defused for spreadsheet programs.
    assert next(r for r in rows if r["barcode"] == "T-2")["name"] == '\'=HYPERLINK("x")'


def test_xlsx_export_has_typed_cells_and_no_formulas(page_client_for, admin_user, tools):
    response = page_client_for(admin_user).get(TOOLS_XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == tabular.XLSX_CONTENT_TYPE
    assert 'filename="tools-werkstatt-' in response["Content-Disposition"]
    assert '.xlsx"' in response["Content-Disposition"]
    header, rows = xlsx_cells(response)
    assert header == [c.name for c in TOOL_COLUMNS]
    by_barcode = {row[0].value: dict(zip(header, row, strict=True)) for row in rows}
    first = by_barcode["T-1"]
    assert first["purchase_date"].is_date and first["purchase_date"].value == datetime.datetime(2024, 5, 1)
    assert first["purchase_price"].data_type == "n" and first["purchase_price"].value == pytest.approx(249.9)
    assert first["purchase_price"].number_format == "0.00"
    assert first["created_at"].is_date
    assert first["category"].value == "Elektrowerkzeug"
    name = by_barcode["T-2"]["name"]
    # Stored as text (never a formula), with the quote prefix that keeps Excel from making one of it.
    assert (name.value, name.data_type, name.quotePrefix) == ('=HYPERLINK("x")', "s", True)


def test_export_honours_the_list_filters_and_the_department(page_client_for, admin_user, tools, other_department):
    ToolFactory(department=other_department, barcode="T-9", status="defective")
    client = page_client_for(admin_user)
    assert [r["barcode"] for r in csv_rows(client.get(TOOLS_EXPORT, {"status": "defective"}))] == ["T-2"]
    assert [r["barcode"] for r in csv_rows(client.get(TOOLS_EXPORT, {"q": "bohr"}))] == ["T-1"]
    everywhere = csv_rows(client.get(TOOLS_EXPORT, {"department": "all", "status": "defective"}))
    assert sorted(r["barcode"] for r in everywhere) == ["T-2", "T-9"]
    _header, rows = xlsx_cells(client.get(TOOLS_XLSX, {"status": "defective"}))
    assert [row[0].value for row in rows] == ["T-2"]


def test_consumable_export(page_client_for, admin_user, employee, department):
    ConsumableFactory(department=department, barcode="C-1", name="Kabelbinder", current_stock=3, min_stock=5)
    ConsumableFactory(department=department, barcode="C-2", name="Dübel", current_stock=50, min_stock=5)
    client = page_client_for(employee)
    rows = csv_rows(client.get(CONSUMABLES_EXPORT))
    assert {r["barcode"]: r["current_stock"] for r in rows} == {"C-1": "3", "C-2": "50"}
    assert [r["barcode"] for r in csv_rows(client.get(CONSUMABLES_EXPORT, {"below_min": "true"}))] == ["C-1"]
    header, cells = xlsx_cells(client.get(CONSUMABLES_XLSX))
    stock = header.index("current_stock")
    assert {row[0].value: row[stock].value for row in cells} == {"C-1": 3, "C-2": 50}


def test_the_list_pages_link_both_exports(page_client_for, admin_user, tools):
    html = page_client_for(admin_user).get("/inventory/tools/?status=defective").content.decode()
    assert f'href="{TOOLS_EXPORT}?status=defective"' in html
    assert f'href="{TOOLS_XLSX}?status=defective"' in html


@pytest.mark.parametrize("url", [TOOLS_EXPORT, TOOLS_XLSX, CONSUMABLES_EXPORT, CONSUMABLES_XLSX])
def test_export_query_count_does_not_grow(page_client_for, admin_user, department, django_assert_max_num_queries,
                                          url):  # fmt: skip
    factory = ToolFactory if "tools" in url else ConsumableFactory
    category, location = CategoryFactory(department=department), LocationFactory(department=department)
    for _n in range(40):
        factory(department=department, category=category, location=location)
    client = page_client_for(admin_user)
    client.get(url)  # warm the per-process caches

    # session, user, allowed departments, then all rows with category, location and department in one query
    with django_assert_max_num_queries(4):
        response = client.get(url)
    rows = csv_rows(response) if url.endswith(".csv") else xlsx_cells(response)[1]
    assert len(rows) == 40


# --- round trip, updates -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [TOOLS_EXPORT, TOOLS_XLSX])
def test_round_trip_export_then_import(page_client_for, admin_user, tools, department, other_department, url):
    exported = body_of(page_client_for(admin_user).get(url))
    file = lambda: SimpleUploadedFile(url.rsplit("/", 1)[1], exported)  # noqa: E731
    events = ChangeEvent.objects.count()

    same = import_tools(department, admin_user, file())
    assert (same.created, same.updated, same.unchanged, same.errors) == (0, 0, 2, [])
    assert ChangeEvent.objects.count() == events

    # Into another department: new records; its missing category and location are created on request.
    copied = import_tools(other_department, admin_user, file(), create_missing=True)
    assert (copied.created, copied.committed) == (2, True)
    copy = Tool.objects.get(department=other_department, barcode="T-1")
    original = tools[0]
    for name in ("name", "purchase_date", "purchase_price", "serial_number", "custom_fields", "status"):
        assert getattr(copy, name) == getattr(original, name), name
    assert copy.category.department == other_department
    assert copy.category.name == "Elektrowerkzeug"
    assert Tool.objects.get(department=other_department, barcode="T-2").name == '=HYPERLINK("x")'


def test_existing_barcodes_are_updated_through_the_service(admin_user, tools, department):
    text = 'barcode;name;status\nT-1;Bohrhammer SDS;maintenance\nT-2;=HYPERLINK("x");defective\nT-3;Neu;\n'
    result = import_tools(department, admin_user, upload(text, name="inventur.csv"))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert [(r.row, r.action, r.changed) for r in result.rows] == [
        (2, "updated", ["name", "status"]), (3, "unchanged", []), (4, "created", []),
    ]  # fmt: skip
    tool = Tool.objects.get(barcode="T-1")
    assert (tool.name, tool.status) == ("Bohrhammer SDS", "maintenance")
    # Columns that are not in the file stay as they were.
    assert tool.purchase_price == Decimal("249.90")
    event = ChangeEvent.objects.filter(entity="tool", object_id=tool.pk, action="updated").get()
    assert event.changes == {"name": ["Bohrhammer", "Bohrhammer SDS"], "status": ["available", "maintenance"]}
    assert event.user == admin_user
    assert (event.note, event.note_params) == ("Imported from %(file)s", {"file": "inventur.csv"})
    assert Tool.objects.get(barcode="T-3").status == "available"


def test_consumable_stock_from_csv(admin_user, department):
    existing = ConsumableFactory(department=department, barcode="C-1", current_stock=20, min_stock=5)
    ConsumableFactory(department=department, barcode="C-2", current_stock=8, min_stock=5)
    text = (
        "barcode,name,current_stock,min_stock,cost_per_unit\n"
        f"C-1,{existing.name},25,5,\n"
        f"C-2,{Consumable.objects.get(barcode='C-2').name},8,,\n"
        'C-3,Kabelbinder,7,10,"0,35"\n'
    )
    with translation.override("en"):
        result = import_consumables(department, admin_user, upload(text, name="bestand.csv"))
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 1, 1, [])
    existing.refresh_from_db()
    assert existing.current_stock == 25
    adjustment = existing.movements.first()
    assert (adjustment.delta, adjustment.kind, adjustment.user) == (5, StockMovement.Kind.IMPORT, admin_user)
    assert adjustment.reason == "Imported from bestand.csv"
    new = Consumable.objects.get(barcode="C-3")
    assert (new.current_stock, new.min_stock, new.cost_per_unit) == (7, 10, Decimal("0.35"))
    assert list(new.movements.values_list("delta", flat=True)) == [7]


def test_xlsx_cells_keep_their_types(admin_user, department):
    """What a spreadsheet program writes: numbers as numbers (a barcode too), dates as dates, the page's
    German column titles as header, choice values by their German label."""
    file = xlsx_upload(
        [
            ["Barcode", "Name", "Kaufdatum", "purchase_price", "Status", "maintenance_due"],
            [12345, "Akkuschrauber", datetime.datetime(2025, 3, 1), 89.9, "defekt", "15.06.2026"],
            [None, None, None, None, None, None],  # an empty row in between is skipped
            ["X-2", "Säge", datetime.date(2024, 1, 31), 12, "", None],
        ]
    )
    result = import_tools(department, admin_user, file)
    assert (result.created, result.errors) == (2, [])
    drill = Tool.objects.get(barcode="12345")
    assert drill.purchase_date == datetime.date(2025, 3, 1)
    assert drill.purchase_price == Decimal("89.9")
    assert drill.status == Tool.Status.DEFECTIVE
    assert drill.maintenance_due == datetime.date(2026, 6, 15)
    saw = Tool.objects.get(barcode="X-2")
    assert (saw.purchase_date, saw.purchase_price, saw.status) == (datetime.date(2024, 1, 31), 12, "available")
    assert [r.row for r in result.rows] == [2, 4]


def test_xlsx_consumable_stock_as_number_cells(admin_user, department):
    rows = [["barcode", "name", "current_stock", "min_stock"], ["C-1", "Schrauben", 7.0, 2], ["C-2", "Muttern", 2.5, 0]]
    with translation.override("en"):
        result = import_consumables(department, admin_user, xlsx_upload(rows))
    assert problems(result) == {3: [("current_stock", "“2.5” is not a whole number.")]}
    assert not Consumable.objects.exists()
    rows[2][2] = 3
    assert import_consumables(department, admin_user, xlsx_upload(rows)).created == 2
    assert Consumable.objects.get(barcode="C-1").current_stock == 7


# --- errors: nothing committed -----------------------------------------------------------------------


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_committed(admin_user, department, tools):
    WorkerFactory(department=department, barcode="W-1")
    text = "\n".join(
        [
            "barcode;name;category;purchase_date;status;purchase_price",
            "N-1;Gut;Elektrowerkzeug;2024-01-01;available;10",  # row 2: fine
            "N-2;Kategorie fehlt;Gibt es nicht;;;",  # row 3
            "N-3;Datum;;31.02.2024;;",  # row 4
            "N-1;Doppelt;;;;",  # row 5: barcode already in row 2
            "N-4;Status;;;kaputt;",  # row 6
            "W-1;Karte eines Mitarbeiters;;;;",  # row 7: barcode of a worker
            "N 5;Leerzeichen;;;;",  # row 8: not a valid barcode
            "N-6;;;;;",  # row 9: name missing
            "T-1;Bohrhammer;;;lent;",  # row 10: lent only by lending
            "N-7;Preis;;;;abc",  # row 11
            "N-8;Zwei Fehler;Gibt es nicht;gestern;;",  # row 12: two columns at once
            "N-9;Zu viel;;;;;extra",  # row 13: a value beyond the header
        ]
    )
    tool_count, category_count, events = Tool.objects.count(), Category.objects.count(), ChangeEvent.objects.count()
    with translation.override("en"):
        result = import_tools(department, admin_user, text)
    assert not result.committed
    found = problems(result)
    assert list(found) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    columns = {row: [column for column, _message in items] for row, items in found.items()}
    assert columns == {
        3: ["category"], 4: ["purchase_date"], 5: ["barcode"], 6: ["status"], 7: ["barcode"], 8: ["barcode"],
        9: ["name"], 10: ["status"], 11: ["purchase_price"], 12: ["category", "purchase_date"], 13: [""],
    }  # fmt: skip
    assert "Gibt es nicht" in found[3][0][1]
    assert "31.02.2024" in found[4][0][1]
    assert "row 2" in found[5][0][1]
    assert "W-1" in found[7][0][1]
    assert "row 12, column purchase_date: “gestern” is not a date (YYYY-MM-DD or DD.MM.YYYY)." in result.error_lines()
    assert (Tool.objects.count(), Category.objects.count(), ChangeEvent.objects.count()) == (
        tool_count, category_count, events,
    )  # fmt: skip
    assert not Tool.objects.filter(barcode="N-1").exists()


def test_a_trashed_barcode_is_a_row_error(admin_user, department, tools):
    tool_soft_delete(tool=tools[0], user=admin_user)
    result = import_tools(department, admin_user, "barcode;name\nT-1;Bohrhammer\n")
    assert list(problems(result)) == [2]
    column, message = problems(result)[2][0]
    assert column == "barcode"
    assert "Papierkorb" in message  # German, the default language


def test_a_dry_run_reports_but_keeps_nothing(admin_user, department, tools):
    events = ChangeEvent.objects.count()
    result = import_tools(department, admin_user, "barcode;name\nT-1;Umbenannt\nN-1;Neu\n", dry_run=True)
    assert (result.ok, result.committed, result.created, result.updated) == (True, False, 1, 1)
    assert not Tool.objects.filter(barcode="N-1").exists()
    assert Tool.objects.get(barcode="T-1").name == "Bohrhammer"
    assert ChangeEvent.objects.count() == events


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "header"),
        ("name;status\nBohrer;available\n", "barcode"),
        ("barcode;nmae\nX-1;Bohrer\n", "nmae"),
        ("barcode;name;name\nX-1;a;b\n", "twice"),
    ],
)
def test_file_level_problems(admin_user, department, text, fragment):
    with pytest.raises(ApplicationError) as caught, translation.override("en"):
        import_tools(department, admin_user, text)
    assert caught.value.code == "VALIDATION_ERROR"
    assert fragment in caught.value.message


def test_not_utf8_is_refused(admin_user, department):
    file = SimpleUploadedFile("x.csv", "barcode;name\nX-1;Größe\n".encode("cp1252"))
    with pytest.raises(ApplicationError) as caught:
        import_tools(department, admin_user, file)
    assert "UTF-8" in caught.value.message


# --- format: separators, BOM, limits -----------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_separator_and_bom_are_detected(admin_user, department, separator, bom):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(["barcode", "name", "description", "purchase_date"])
    writer.writerow(["S-1", "Säge, groß", "Zähne; 24", "01.03.2025"])
    result = import_tools(department, admin_user, upload(buffer.getvalue(), bom=bom))
    assert (result.created, result.errors) == (1, [])
    tool = Tool.objects.get(barcode="S-1")
    assert (tool.name, tool.description) == ("Säge, groß", "Zähne; 24")
    assert tool.purchase_date == datetime.date(2025, 3, 1)


def test_too_many_bytes_are_refused(admin_user, department):
    text = "barcode;name;description\n" + "X-1;a;" + "x" * tabular.MAX_BYTES + "\n"
    with pytest.raises(ApplicationError) as caught:
        import_tools(department, admin_user, text)
    assert caught.value.code == "FILE_TOO_LARGE"
    assert not Tool.objects.exists()


def test_too_many_rows_are_refused(admin_user, department):
    text = "barcode;name\n" + "".join(f"R-{n};Teil {n}\n" for n in range(tabular.MAX_ROWS + 1))
    with pytest.raises(ApplicationError) as caught:
        import_tools(department, admin_user, text)
    assert caught.value.code == "FILE_TOO_LARGE"
    assert "10000" in caught.value.message
    assert not Tool.objects.exists()


# --- pages: upload -> preview -> confirm ---------------------------------------------------------------


def pending_files() -> list[str]:
    try:
        return storages["uploads"].listdir("sheets")[1]
    except FileNotFoundError:
        return []


def test_upload_previews_then_confirm_imports(page_client_for, admin_user, department, tools):
    client = page_client_for(admin_user)
    assert client.get(TOOLS_IMPORT).status_code == 200
    preview = client.post(TOOLS_IMPORT, {"file": upload("barcode;name\nT-1;Bohrhammer\nT-2;Umbenannt\nN-1;Neu\n")})
    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.dry_run, result.created, result.updated, result.unchanged) == (True, 1, 1, 1)
    html = preview.content.decode()
    assert 'data-testid="import-preview"' in html and "Neu" in html
    # Nothing written yet; the file waits for the confirmation.
    assert not Tool.objects.filter(barcode="N-1").exists()
    assert len(pending_files()) == 1

    done = client.post(TOOLS_IMPORT, {"token": preview.context["token"]})
    assert done.status_code == 302 and done["Location"] == "/inventory/tools/"
    new = Tool.objects.get(barcode="N-1")
    assert new.created_by == admin_user
    assert Tool.objects.get(barcode="T-2").name == "Umbenannt"
    assert pending_files() == []
    assert "1 angelegt, 1 geändert, 1 unverändert" in client.get("/inventory/tools/").content.decode()

    # A second click on "Import now" finds nothing to import twice.
    again = client.post(TOOLS_IMPORT, {"token": preview.context["token"]}, follow=True)
    assert "Diese Vorschau gilt nicht mehr" in again.content.decode()
    assert Tool.objects.filter(barcode="N-1").count() == 1


def test_preview_lists_errors_by_row_and_column_and_keeps_no_file(page_client_for, admin_user, department):
    response = page_client_for(admin_user).post(
        TOOLS_IMPORT, {"file": upload("barcode;name;category\nA-1;Gut;\nA-2;Schlecht;Unbekannt\n")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html and "Unbekannt" in html and "<code>category</code>" in html
    assert [e.row for e in response.context["result"].errors] == [3]
    assert "token" not in response.context
    assert not Tool.objects.exists()
    assert pending_files() == []


def test_create_missing_checkbox_is_kept_until_the_confirmation(page_client_for, admin_user, department):
    client = page_client_for(admin_user)
    text = "barcode;name;category;location\nA-1;Gut;Neue Kategorie;Neues Regal\n"
    preview = client.post(CONSUMABLES_IMPORT, {"file": upload(text), "create_missing": "on"})
    assert preview.context["result"].created == 1
    assert not Category.objects.exists()
    client.post(CONSUMABLES_IMPORT, {"token": preview.context["token"]})
    consumable = Consumable.objects.get(barcode="A-1")
    assert (consumable.category.name, consumable.location.name) == ("Neue Kategorie", "Neues Regal")


def test_a_change_between_preview_and_confirmation_is_seen(page_client_for, admin_user, department, tools):
    client = page_client_for(admin_user)
    preview = client.post(TOOLS_IMPORT, {"file": upload("barcode;name\nT-1;Umbenannt\n")})
    assert preview.context["result"].ok
    tool_soft_delete(tool=tools[0], user=admin_user)
    response = client.post(TOOLS_IMPORT, {"token": preview.context["token"]})
    assert response.status_code == 200
    assert [e.row for e in response.context["result"].errors] == [2]
    assert Tool.objects.get(barcode="T-1").name == "Bohrhammer"
    assert pending_files() == []


def test_import_page_shows_file_errors(page_client_for, admin_user, department, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_BYTES", 20)
    response = page_client_for(admin_user).post(TOOLS_IMPORT, {"file": upload("barcode;name\nA-1;Ein langer Name\n")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Tool.objects.exists()


def test_all_departments_import_by_the_department_column(page_client_for, admin_user, department, other_department):
    client = page_client_for(admin_user)
    without = client.post(f"{TOOLS_IMPORT}?department=all", {"file": upload("barcode;name\nA-1;Gut\n")})
    assert without.context["form"].errors["file"]
    text = "barcode;name;department\nA-1;Werkbank;werkstatt\nA-1;Drucker;Büro\n"
    preview = client.post(f"{TOOLS_IMPORT}?department=all", {"file": upload(text)})
    assert [(r.department, r.barcode) for r in preview.context["result"].rows] == [
        ("werkstatt", "A-1"),
        ("buero", "A-1"),
    ]
    client.post(f"{TOOLS_IMPORT}?department=all", {"token": preview.context["token"]})
    assert Tool.objects.get(department=other_department, barcode="A-1").name == "Drucker"
    assert Tool.objects.get(department=department, barcode="A-1").name == "Werkbank"


def test_the_department_column_is_ignored_when_one_department_is_chosen(admin_user, department, other_department):
    result = import_tools(department, admin_user, "barcode;name;department\nA-1;Gut;buero\n")
    assert result.created == 1
    assert Tool.objects.get(barcode="A-1").department == department


@pytest.mark.parametrize("url", [TOOLS_IMPORT, CONSUMABLES_IMPORT])
def test_only_admins_import(page_client_for, admin_user, employee, plain_user, participant, url):
    for user in (employee, plain_user, participant):
        assert page_client_for(user).get(url).status_code == 403
        assert page_client_for(user).post(url, {"file": upload("barcode;name\nA-1;Gut\n")}).status_code == 403
    assert not Tool.objects.exists() and not Consumable.objects.exists()


def test_the_import_link_is_shown_to_admins_only(page_client_for, admin_user, employee, department):
    assert 'data-testid="import-link"' in page_client_for(admin_user).get("/inventory/tools/").content.decode()
    assert 'data-testid="import-link"' not in page_client_for(employee).get("/inventory/tools/").content.decode()


@pytest.mark.parametrize("url", [TOOLS_EXPORT, TOOLS_XLSX, CONSUMABLES_EXPORT, CONSUMABLES_XLSX])
def test_participants_may_not_export(page_client_for, admin_user, participant, url):
    assert page_client_for(participant).get(url).status_code == 403


@pytest.mark.parametrize("url", [TOOLS_EXPORT, TOOLS_XLSX, TOOLS_IMPORT])
def test_anonymous_users_are_sent_to_the_login(client, admin_user, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- fuzz: whatever the cells hold, an answer and never a half-written import ----------------------


_cells = st.one_of(texts, st.sampled_from(NASTY[:25]).map(str), st.integers().map(str))


@FUZZ
@given(rows=st.lists(st.lists(_cells, min_size=1, max_size=8), max_size=6), xlsx=st.booleans())
def test_any_cells_give_a_result_or_a_file_error(admin_user, department, rows, xlsx):
    header = [
        "barcode",
        "name",
        "category",
        "status",
        "purchase_date",
        "purchase_price",
        "custom_fields",
        "serial_number",
    ]
    if xlsx:
        # What a workbook can hold at all: no lone surrogates, no control characters.
        clean = [[ILLEGAL_CHARACTERS_RE.sub("", c.encode("utf-8", "replace").decode()) for c in row] for row in rows]
        file = xlsx_upload([header, *clean])
    else:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=";").writerows([header, *rows])
        file = upload(buffer.getvalue().encode("utf-8", "replace").decode("utf-8"))
    before = Tool.objects.count()
    try:
        result = import_tools(department, admin_user, file)
    except ApplicationError as exc:
        assert exc.code in ("VALIDATION_ERROR", "FILE_TOO_LARGE", "UNSUPPORTED_FILE_TYPE")
        assert Tool.objects.count() == before
        return
    if not result.committed:
        assert Tool.objects.count() == before
    assert all(p.message for e in result.errors for p in e.problems)


def test_import_query_count_is_the_services_per_row_and_nothing_more(admin_user, department,
                                                                     django_assert_max_num_queries):  # fmt: skip
    """Per row: a savepoint and the service's own work (barcode registry, insert, history); the file's
    categories, locations and existing records are each read once, not per row."""
    new = "barcode;name;category;location\n" + "".join(f"Q-{i};Teil {i};Kat;Regal\n" for i in range(20))
    with django_assert_max_num_queries(430):  # measured: 418
        assert run_import("tools", department, admin_user, new, create_missing=True).created == 20
    renamed = "barcode;name;category\n" + "".join(f"Q-{i};Neu {i};Kat\n" for i in range(20))
    with django_assert_max_num_queries(400):  # measured: 384
        assert run_import("tools", department, admin_user, renamed).updated == 20
