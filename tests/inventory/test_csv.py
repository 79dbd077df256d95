"""CSV export and import of tools and consumables: pages and the rules in inventory.csv_io."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from inventory import csv_io
from inventory.models import Category, Consumable, StockMovement, Tool
from inventory.services import tool_soft_delete
from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent
from tests.factories import CategoryFactory, ConsumableFactory, LocationFactory, ToolFactory, WorkerFactory

TOOLS_EXPORT = "/inventory/tools/export.csv"
TOOLS_IMPORT = "/inventory/tools/import/"
CONSUMABLES_EXPORT = "/inventory/consumables/export.csv"
CONSUMABLES_IMPORT = "/inventory/consumables/import/"


def upload(text: str, *, bom: bool = False, name: str = "import.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + text).encode("utf-8"), content_type="text/csv")


def rows_of(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:], newline=""), delimiter=";"))


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def import_tools(department, user, text, **kwargs):
    return csv_io.tools_import_csv(department=department, user=user, file=upload(text), **kwargs)


def import_consumables(department, user, text, **kwargs):
    return csv_io.consumables_import_csv(department=department, user=user, file=upload(text), **kwargs)


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


def test_export_has_the_api_columns_and_values(page_client_for, admin_user, tools):
    response = page_client_for(admin_user).get(TOOLS_EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tools-werkstatt-' in response["Content-Disposition"]
    rows = rows_of(response)
    assert list(rows[0]) == [c.name for c in csv_io.TOOL_COLUMNS]
    first = next(r for r in rows if r["barcode"] == "T-1")
    assert first["category"] == "Elektrowerkzeug"
    assert first["location"] == "Regal A"
    assert first["purchase_date"] == "2024-05-01"
    assert first["purchase_price"] == "249.90"
    assert first["status"] == "available"
    assert first["department"] == "werkstatt"
    # A cell that looks like a formula is defused for spreadsheet programs.
    assert next(r for r in rows if r["barcode"] == "T-2")["name"] == '\'=HYPERLINK("x")'


def test_export_honours_the_list_filters_and_the_department(page_client_for, admin_user, tools, other_department):
    ToolFactory(department=other_department, barcode="T-9", status="defective")
    client = page_client_for(admin_user)
    assert [r["barcode"] for r in rows_of(client.get(TOOLS_EXPORT, {"status": "defective"}))] == ["T-2"]
    assert [r["barcode"] for r in rows_of(client.get(TOOLS_EXPORT, {"q": "bohr"}))] == ["T-1"]
    everywhere = rows_of(client.get(TOOLS_EXPORT, {"department": "all", "status": "defective"}))
    assert sorted(r["barcode"] for r in everywhere) == ["T-2", "T-9"]


def test_consumable_export(page_client_for, admin_user, employee, department):
    ConsumableFactory(department=department, barcode="C-1", name="Kabelbinder", current_stock=3, min_stock=5)
    ConsumableFactory(department=department, barcode="C-2", name="Dübel", current_stock=50, min_stock=5)
    client = page_client_for(employee)
    rows = rows_of(client.get(CONSUMABLES_EXPORT))
    assert {r["barcode"]: r["current_stock"] for r in rows} == {"C-1": "3", "C-2": "50"}
    assert [r["barcode"] for r in rows_of(client.get(CONSUMABLES_EXPORT, {"below_min": "true"}))] == ["C-1"]


# --- round trip, updates -----------------------------------------------------------------------------


def test_round_trip_export_then_import(page_client_for, admin_user, tools, department, other_department):
    exported = body_of(page_client_for(admin_user).get(TOOLS_EXPORT))
    events = ChangeEvent.objects.count()

    same = import_tools(department, admin_user, exported)
    assert (same.created, same.updated, same.unchanged, same.errors) == (0, 0, 2, [])
    assert ChangeEvent.objects.count() == events

    # Into another department: new records; its missing category and location are created on request.
    copied = import_tools(other_department, admin_user, exported, create_missing=True)
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
    result = import_tools(department, admin_user, text)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    tool = Tool.objects.get(barcode="T-1")
    assert (tool.name, tool.status) == ("Bohrhammer SDS", "maintenance")
    # Columns that are not in the file stay as they were.
    assert tool.purchase_price == Decimal("249.90")
    event = ChangeEvent.objects.filter(entity="tool", object_id=tool.pk, action="updated").get()
    assert event.changes == {"name": ["Bohrhammer", "Bohrhammer SDS"], "status": ["available", "maintenance"]}
    assert event.user == admin_user
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
    result = import_consumables(department, admin_user, text)
    assert (result.created, result.updated, result.unchanged, result.errors) == (1, 1, 1, [])
    existing.refresh_from_db()
    assert existing.current_stock == 25
    adjustment = existing.movements.first()
    assert (adjustment.delta, adjustment.kind, adjustment.user) == (5, StockMovement.Kind.IMPORT, admin_user)
    new = Consumable.objects.get(barcode="C-3")
    assert (new.current_stock, new.min_stock, new.cost_per_unit) == (7, 10, Decimal("0.35"))
    assert list(new.movements.values_list("delta", flat=True)) == [7]


# --- errors: nothing committed -----------------------------------------------------------------------


def test_bad_rows_are_listed_and_nothing_is_committed(admin_user, department, tools):
    WorkerFactory(department=department, barcode="W-1")
    text = "\n".join(
        [
            "barcode;name;category;purchase_date;status;purchase_price",
            "N-1;Gut;Elektrowerkzeug;2024-01-01;available;10",  # row 2: fine
            "N-2;Kategorie fehlt;Gibt es nicht;;;",  # row 3
            "N-3;Datum;;31.02.2024;;",  # row 4
            "N-1;Doppelt;;;;",  # row 5: barcode already in row 2
            "N-4;Status;;;verliehen;",  # row 6
            "W-1;Karte eines Mitarbeiters;;;;",  # row 7: barcode of a worker
            "N 5;Leerzeichen;;;;",  # row 8: not a valid barcode
            "N-6;;;;;",  # row 9: name missing
            "T-1;Bohrhammer;;;lent;",  # row 10: lent only by lending
            "N-7;Preis;;;;abc",  # row 11
        ]
    )
    tool_count, category_count, events = Tool.objects.count(), Category.objects.count(), ChangeEvent.objects.count()
    with translation.override("en"):
        result = import_tools(department, admin_user, text)
    assert not result.committed
    assert [e.row for e in result.errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    by_row = {e.row: " ".join(e.messages) for e in result.errors}
    assert "Gibt es nicht" in by_row[3]
    assert "31.02.2024" in by_row[4]
    assert "row 2" in by_row[5]
    assert "status" in by_row[6]
    assert "W-1" in by_row[7]
    assert "name" in by_row[9]
    assert "purchase_price" in by_row[11]
    assert (Tool.objects.count(), Category.objects.count(), ChangeEvent.objects.count()) == (
        tool_count, category_count, events,
    )  # fmt: skip
    assert not Tool.objects.filter(barcode="N-1").exists()


def test_a_trashed_barcode_is_a_row_error(admin_user, department, tools):
    tool_soft_delete(tool=tools[0], user=admin_user)
    result = import_tools(department, admin_user, "barcode;name\nT-1;Bohrhammer\n")
    assert [e.row for e in result.errors] == [2]
    assert "Papierkorb" in result.errors[0].messages[0]  # German, the default language


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
        csv_io.tools_import_csv(department=department, user=admin_user, file=file)
    assert "UTF-8" in caught.value.message


# --- format: separators, BOM, limits -----------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
def test_separator_and_bom_are_detected(admin_user, department, separator, bom):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(["barcode", "name", "description", "purchase_date"])
    writer.writerow(["S-1", "Säge, groß", "Zähne; 24", "01.03.2025"])
    file = upload(buffer.getvalue(), bom=bom)
    result = csv_io.tools_import_csv(department=department, user=admin_user, file=file)
    assert (result.created, result.errors) == (1, [])
    tool = Tool.objects.get(barcode="S-1")
    assert (tool.name, tool.description) == ("Säge, groß", "Zähne; 24")
    assert tool.purchase_date == datetime.date(2025, 3, 1)


def test_detect_delimiter():
    assert csv_io.detect_delimiter("barcode;name;status") == ";"
    assert csv_io.detect_delimiter("barcode,name,status") == ","
    assert csv_io.detect_delimiter("barcode") == ","


def test_too_many_bytes_are_refused(admin_user, department):
    text = "barcode;name;description\n" + "X-1;a;" + "x" * csv_io.MAX_BYTES + "\n"
    with pytest.raises(ApplicationError) as caught:
        import_tools(department, admin_user, text)
    assert caught.value.code == "FILE_TOO_LARGE"
    assert not Tool.objects.exists()


def test_too_many_rows_are_refused(admin_user, department):
    text = "barcode;name\n" + "".join(f"R-{n};Teil {n}\n" for n in range(csv_io.MAX_ROWS + 1))
    with pytest.raises(ApplicationError) as caught:
        import_tools(department, admin_user, text)
    assert caught.value.code == "FILE_TOO_LARGE"
    assert "10000" in caught.value.message
    assert not Tool.objects.exists()


# --- pages and permissions ---------------------------------------------------------------------------


def test_import_page_shows_counts(page_client_for, plain_user, admin_user, department, tools):
    client = page_client_for(plain_user)  # role "user" may edit inventory
    assert client.get(TOOLS_IMPORT).status_code == 200
    response = client.post(TOOLS_IMPORT, {"file": upload("barcode;name\nT-1;Bohrhammer\nN-1;Neu\n")})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.unchanged, result.committed) == (1, 1, True)
    assert Tool.objects.get(barcode="N-1").created_by == plain_user
    assert 'id="import-result"' in response.content.decode()


def test_import_page_lists_row_errors(page_client_for, admin_user, department):
    response = page_client_for(admin_user).post(
        TOOLS_IMPORT, {"file": upload("barcode;name;category\nA-1;Gut;\nA-2;Schlecht;Unbekannt\n")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unbekannt" in html
    assert [e.row for e in response.context["result"].errors] == [3]
    assert not Tool.objects.exists()


def test_import_page_create_missing_checkbox(page_client_for, admin_user, department):
    client = page_client_for(admin_user)
    text = "barcode;name;category;location\nA-1;Gut;Neue Kategorie;Neues Regal\n"
    client.post(CONSUMABLES_IMPORT, {"file": upload(text), "create_missing": "on"})
    consumable = Consumable.objects.get(barcode="A-1")
    assert (consumable.category.name, consumable.location.name) == ("Neue Kategorie", "Neues Regal")


def test_import_page_shows_file_errors(page_client_for, admin_user, department, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_BYTES", 20)
    response = page_client_for(admin_user).post(TOOLS_IMPORT, {"file": upload("barcode;name\nA-1;Ein langer Name\n")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Tool.objects.exists()


def test_import_needs_one_department(page_client_for, admin_user, department):
    response = page_client_for(admin_user).post(
        f"{TOOLS_IMPORT}?department=all", {"file": upload("barcode;name\nA-1;Gut\n")}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Tool.objects.exists()


@pytest.mark.parametrize("url", [TOOLS_EXPORT, CONSUMABLES_EXPORT, TOOLS_IMPORT, CONSUMABLES_IMPORT])
def test_participants_may_neither_export_nor_import(page_client_for, admin_user, participant, url):
    assert page_client_for(participant).get(url).status_code == 403


@pytest.mark.parametrize("url", [TOOLS_EXPORT, TOOLS_IMPORT])
def test_anonymous_users_are_sent_to_the_login(client, admin_user, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_participant_post_to_import_changes_nothing(page_client_for, admin_user, participant, department):
    response = page_client_for(participant).post(TOOLS_IMPORT, {"file": upload("barcode;name\nA-1;Gut\n")})
    assert response.status_code == 403
    assert not Tool.objects.exists()


@pytest.mark.parametrize(("url", "factory"), [(TOOLS_EXPORT, ToolFactory), (CONSUMABLES_EXPORT, ConsumableFactory)])
def test_export_query_count_does_not_grow(page_client_for, admin_user, department, django_assert_max_num_queries,
                                          url, factory):  # fmt: skip
    category, location = CategoryFactory(department=department), LocationFactory(department=department)
    for _n in range(40):
        factory(department=department, category=category, location=location)
    client = page_client_for(admin_user)
    client.get(url)  # warm the per-process caches

    # session, user, allowed departments, then all rows with category, location and department in one query
    with django_assert_max_num_queries(4):
        assert len(rows_of(client.get(url))) == 40
