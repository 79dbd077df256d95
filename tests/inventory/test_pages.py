"""The tool and consumable pages, driven through the test client as a browser would."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from inventory import selectors, services
from inventory.models import Consumable, MaintenanceRecord, StockMovement, Tool
from lending import services as lending_services
from scandy_site.accounts.roles import Role
from tests.factories import CategoryFactory, ConsumableFactory, LocationFactory, ToolFactory, WorkerFactory


@pytest.fixture(autouse=True)
def _set_up(admin_user):
    """An admin exists, so the instance is past the setup wizard."""


@pytest.fixture
def pages(page_client_for):
    """A logged-in client that reads the pages in English (messages are asserted by their text)."""

    def make(user):
        client = page_client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def editor(pages, plain_user):
    return pages(plain_user)


@pytest.fixture
def staff(pages, employee):
    return pages(employee)


def html(response) -> str:
    return response.content.decode()


def rows(response) -> list[str]:
    """Barcodes of the table rows, in page order."""
    return re.findall(r'<tr data-barcode="([^"]+)"', html(response))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Tool list ---------------------------------------------------------------------------------


def test_tool_list_shows_only_the_current_department_with_status_badges(editor, department, other_department):
    ToolFactory(department=department, barcode="T-1", name="Bohrhammer")
    ToolFactory(department=department, barcode="T-2", name="Zange", status=Tool.Status.DEFECTIVE)
    ToolFactory(department=other_department, barcode="T-X", name="Fremd")

    response = editor.get(reverse("inventory:tools"))

    assert response.status_code == 200
    assert sorted(rows(response)) == ["T-1", "T-2"]
    assert 'class="badge badge--defective"' in html(response)
    assert 'class="badge badge--available"' in html(response)


def test_tool_list_filters_by_text_status_category_and_location(editor, department):
    drills = CategoryFactory(department=department, name="Bohren")
    shelf = LocationFactory(department=department, name="Regal A")
    ToolFactory(department=department, barcode="T-1", name="Bohrhammer", category=drills, location=shelf)
    ToolFactory(department=department, barcode="T-2", name="Akkubohrer", category=drills, status=Tool.Status.DEFECTIVE)
    ToolFactory(department=department, barcode="T-3", name="Zange", serial_number="SN-77", location=shelf)
    url = reverse("inventory:tools")

    assert sorted(rows(editor.get(url, {"q": "bohr"}))) == ["T-1", "T-2"]
    assert rows(editor.get(url, {"q": "SN-77"})) == ["T-3"]
    assert rows(editor.get(url, {"status": "defective"})) == ["T-2"]
    assert sorted(rows(editor.get(url, {"category": "Bohren"}))) == ["T-1", "T-2"]
    assert sorted(rows(editor.get(url, {"location": "Regal A"}))) == ["T-1", "T-3"]
    assert rows(editor.get(url, {"category": "Bohren", "location": "Regal A"})) == ["T-1"]
    empty = editor.get(url, {"q": "nothing-like-this"})
    assert rows(empty) == []
    assert "No tool matches" in html(empty)


def test_tool_list_filter_selects_offer_the_departments_categories_and_locations(editor, department, other_department):
    CategoryFactory(department=department, name="Bohren")
    CategoryFactory(department=other_department, name="Papier")
    LocationFactory(department=department, name="Regal A")

    page = html(editor.get(reverse("inventory:tools")))

    assert '<option value="Bohren"' in page
    assert '<option value="Regal A"' in page
    assert "Papier" not in page


def test_maintenance_due_link_from_the_dashboard_filters_the_list(editor, department):
    ToolFactory(department=department, barcode="T-DUE", maintenance_due=datetime.date(2026, 1, 10))
    ToolFactory(department=department, barcode="T-LATER", maintenance_due=datetime.date(2030, 1, 1))
    ToolFactory(department=department, barcode="T-NONE")

    response = editor.get(reverse("inventory:tools"), {"maintenance_due_before": "2026-06-30"})

    assert rows(response) == ["T-DUE"]
    # Kept when the other filters change.
    assert '<input type="hidden" name="maintenance_due_before" value="2026-06-30">' in html(response)


def test_tool_list_orders_and_paginates_by_fifty(editor, department):
    for number in range(60):
        ToolFactory(department=department, barcode=f"T-{number:03d}", name=f"Werkzeug {number:03d}")
    url = reverse("inventory:tools")

    first = editor.get(url)
    assert len(rows(first)) == 50
    assert rows(first)[0] == "T-000"
    assert "Page 1 of 2" in html(first)
    second = editor.get(url, {"page": 2})
    assert rows(second) == [f"T-{n:03d}" for n in range(50, 60)]

    descending = editor.get(url, {"ordering": "-barcode"})
    assert rows(descending)[:2] == ["T-059", "T-058"]
    # An unknown ordering falls back to the default instead of failing.
    assert rows(editor.get(url, {"ordering": "password"}))[0] == "T-000"


def test_live_filter_request_gets_only_the_results(editor, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrhammer")
    ToolFactory(department=department, barcode="T-2", name="Zange")

    response = editor.get(reverse("inventory:tools"), {"q": "zange"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in html(response)
    assert rows(response) == ["T-2"]
    assert "HX-Request" in response["Vary"]


def test_a_scanned_barcode_in_the_search_opens_the_tool(editor, department):
    ToolFactory(department=department, barcode="T-100", name="Bohrhammer")
    ToolFactory(department=department, barcode="T-1000", name="Zange")

    response = editor.get(reverse("inventory:tools"), {"q": "T-100"})

    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:tool-detail", args=["T-100"])


def test_list_pages_link_to_the_exports_with_the_current_filter(editor, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    ConsumableFactory(department=department, barcode="C-1", name="Schrauben")

    tools = html(editor.get(reverse("inventory:tools"), {"q": "bohr"}))
    assert f'href="{reverse("inventory:tools-export")}?q=bohr"' in tools
    assert f'href="{reverse("inventory:tools-export-xlsx")}?q=bohr"' in tools
    # Importing is for admins (CONTRACT section 4): no link for anyone else.
    assert f'href="{reverse("inventory:tools-import")}"' not in tools
    consumables = html(editor.get(reverse("inventory:consumables")))
    assert f'href="{reverse("inventory:consumables-export")}"' in consumables
    assert f'href="{reverse("inventory:consumables-import")}"' not in consumables
    # The live filter replaces the results block, export link included, so it follows the filter.
    live = html(editor.get(reverse("inventory:consumables"), {"q": "schr"}, headers={"HX-Request": "true"}))
    assert f'href="{reverse("inventory:consumables-export")}?q=schr"' in live


def label_form(page: str) -> tuple[str, str, list[str]]:
    """The list's label selection: where it goes, which kind it asks for, which barcodes it offers."""
    form = re.search(r'<form class="label-selection" method="get" action="([^"]+)".*?</form>', page, re.S)
    assert form, "no label selection form"
    kind = re.search(r'<input type="hidden" name="kind" value="([^"]+)">', form.group(0)).group(1)
    return form.group(1), kind, re.findall(r'<input type="checkbox" name="barcode" value="([^"]+)">', form.group(0))


def test_list_rows_can_be_selected_for_a_label_sheet(editor, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    ToolFactory(department=department, barcode="T-2", name="Zange")
    ConsumableFactory(department=department, barcode="C-1", name="Schrauben")

    tools = html(editor.get(reverse("inventory:tools")))
    assert label_form(tools) == ("/labels/", "tool", ["T-1", "T-2"])
    assert 'data-testid="print-labels"' in tools
    consumables = html(editor.get(reverse("inventory:consumables")))
    assert label_form(consumables) == ("/labels/", "consumable", ["C-1"])
    # The live filter swaps the whole block, so the selection follows the filter.
    live = html(editor.get(reverse("inventory:tools"), {"q": "zange"}, headers={"HX-Request": "true"}))
    assert label_form(live) == ("/labels/", "tool", ["T-2"])


def test_the_selected_barcodes_give_a_label_sheet(editor, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    ToolFactory(department=department, barcode="T-2", name="Zange")
    action, kind, _barcodes = label_form(html(editor.get(reverse("inventory:tools"))))

    # What the browser sends when two boxes are ticked.
    response = editor.get(action, {"kind": kind, "barcode": ["T-2", "T-1"]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_an_empty_list_offers_no_label_button(editor, department):
    page = html(editor.get(reverse("inventory:tools")))
    assert "No tools yet" in page
    assert 'data-testid="print-labels"' not in page


def test_detail_pages_link_to_their_label(editor, department):
    ToolFactory(department=department, barcode="T-1")
    ConsumableFactory(department=department, barcode="C-1")

    tool = html(editor.get(reverse("inventory:tool-detail", args=["T-1"])))
    assert 'href="/labels/?kind=tool&amp;barcode=T-1"' in tool
    consumable = html(editor.get(reverse("inventory:consumable-detail", args=["C-1"])))
    assert 'href="/labels/?kind=consumable&amp;barcode=C-1"' in consumable


def test_a_long_history_folds_its_older_entries(editor, plain_user, department):
    tool = ToolFactory(department=department, barcode="T-1", created_by=plain_user)
    for number in range(8):
        services.tool_update(tool=tool, user=plain_user, name=f"Bohrer {number}")

    page = html(editor.get(reverse("inventory:tool-detail", args=["T-1"])))

    assert page.count('<li class="timeline__item') == 9  # created + 8 changes, all on the page
    visible, folded = page.split('<details class="disclosure timeline-more">', 1)
    assert visible.count('<li class="timeline__item') == 6
    assert "Show 3 older changes" in folded
    assert "Bohrer 7" in visible  # newest first


def test_tool_list_query_count_does_not_grow_with_rows(editor, department, django_assert_max_num_queries):
    categories = [CategoryFactory(department=department, name=f"Kategorie {n}") for n in range(5)]
    locations = [LocationFactory(department=department, name=f"Regal {n}") for n in range(5)]
    for number in range(60):
        ToolFactory(
            department=department, barcode=f"T-{number:03d}", category=categories[number % 5],
            location=locations[number % 5],
        )  # fmt: skip
    url = reverse("inventory:tools")
    editor.get(url)  # warm the per-process caches (setup state, content types)

    # session, user, allowed departments, category names, location names, count, site configuration, one page of
    # rows, the open lendings (borrower and due date) of that page
    with django_assert_max_num_queries(10):  # one of them: where live updates start
        response = editor.get(url)
    assert len(rows(response)) == 50


# --- Tool detail, create, edit -----------------------------------------------------------------


def test_tool_detail_shows_fields_custom_fields_maintenance_and_history(editor, plain_user, department):
    tool = ToolFactory(
        department=department, barcode="T-1", name="Bohrhammer", serial_number="SN-4711",
        custom_fields={"Voltage": "230 V"}, created_by=plain_user,
    )  # fmt: skip
    services.tool_add_maintenance(
        tool=tool, user=plain_user, date=datetime.date(2026, 3, 1), description="Carbon brushes replaced"
    )
    services.tool_set_status(tool=tool, user=plain_user, status=Tool.Status.DEFECTIVE)

    page = html(editor.get(reverse("inventory:tool-detail", args=["T-1"])))

    assert "Bohrhammer" in page
    assert "SN-4711" in page
    assert "Voltage" in page and "230 V" in page
    assert "Carbon brushes replaced" in page
    assert 'data-testid="history"' in page
    assert page.count('<li class="timeline__item') == 3  # created, maintenance, status
    assert 'data-status="defective"' in page
    # Status buttons for the other settable statuses, never "lent".
    assert 'data-action="status-available"' in page
    assert 'data-action="status-maintenance"' in page
    assert 'data-action="status-defective"' not in page
    assert "status-lent" not in page


def test_unknown_or_foreign_barcode_is_404(editor, department, other_department):
    ToolFactory(department=other_department, barcode="T-X")
    assert editor.get(reverse("inventory:tool-detail", args=["NOPE"])).status_code == 404
    assert editor.get(reverse("inventory:tool-detail", args=["T-X"])).status_code == 404
    assert editor.get(reverse("inventory:consumable-detail", args=["T-X"])).status_code == 404


def test_a_barcode_in_two_departments_asks_for_one_in_the_all_view(pages, admin_user, department, other_department):
    ToolFactory(department=department, barcode="T-1")
    ToolFactory(department=other_department, barcode="T-1")
    client = pages(admin_user)
    client.post(reverse("accounts:switch-department"), {"department": "all", "next": "/"})

    response = client.get(reverse("inventory:tool-detail", args=["T-1"]))

    assert response.status_code == 400
    assert 'data-testid="error-page"' in html(response)
    assert "Barcode T-1 exists in several departments; choose one." in html(response)


def test_create_tool_through_the_form(editor, plain_user, department):
    category = CategoryFactory(department=department, name="Bohren")
    location = LocationFactory(department=department, name="Regal A")

    response = editor.post(
        reverse("inventory:tool-create"),
        {
            "barcode": "T-NEW", "name": "Schlagbohrer", "description": "Mit Koffer", "category": category.pk,
            "location": location.pk, "status": "available", "condition": "new", "serial_number": "SN-1",
            "purchase_date": "2026-01-15", "purchase_price": "129.90", "maintenance_due": "",
            "custom_fields": "Voltage: 18 V\nWeight: 1.6 kg",
        },
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:tool-detail", args=["T-NEW"])
    tool = Tool.objects.get(barcode="T-NEW")
    assert (tool.department, tool.category, tool.location) == (department, category, location)
    assert tool.custom_fields == {"Voltage": "18 V", "Weight": "1.6 kg"}
    assert tool.created_by == plain_user
    assert str(tool.purchase_price) == "129.90"
    follow = editor.get(response["Location"])
    assert "Tool “Schlagbohrer” created." in messages_of(follow)


def test_tool_form_offers_only_the_departments_categories(editor, department, other_department):
    CategoryFactory(department=department, name="Bohren")
    foreign = CategoryFactory(department=other_department, name="Papier")

    page = html(editor.get(reverse("inventory:tool-create")))
    assert "Bohren" in page
    assert "Papier" not in page

    response = editor.post(
        reverse("inventory:tool-create"),
        {"barcode": "T-1", "name": "X", "status": "available", "condition": "good", "category": foreign.pk},
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not Tool.objects.filter(barcode="T-1").exists()


def test_tool_form_cannot_set_lent(editor, department):
    response = editor.post(
        reverse("inventory:tool-create"), {"barcode": "T-1", "name": "X", "status": "lent", "condition": "good"}
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert '<option value="lent"' not in html(response)
    assert not Tool.objects.exists()


def test_service_error_on_create_is_shown_in_the_form(editor, department):
    ConsumableFactory(department=department, barcode="SHARED")

    response = editor.post(
        reverse("inventory:tool-create"), {"barcode": "SHARED", "name": "X", "status": "available", "condition": "good"}
    )

    assert response.status_code == 200
    assert "Barcode SHARED is already used in this department." in html(response)
    assert response.context["form"].errors["barcode"] == ["already in use"]
    assert not Tool.objects.filter(barcode="SHARED").exists()


def test_invalid_custom_fields_are_a_form_error(editor, department):
    response = editor.post(
        reverse("inventory:tool-create"),
        {"barcode": "T-1", "name": "X", "status": "available", "condition": "good", "custom_fields": "no colon"},
    )
    assert response.status_code == 200
    assert "custom_fields" in response.context["form"].errors


def test_edit_tool_saves_only_what_changed(editor, plain_user, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer", serial_number="SN-1", custom_fields={"a": "1"})
    url = reverse("inventory:tool-edit", args=["T-1"])
    form = editor.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"category": "", "location": "", "purchase_date": "", "purchase_price": "", "maintenance_due": ""})
    data["name"] = "Schlagbohrer"

    response = editor.post(url, data)

    assert response.status_code == 302
    tool = Tool.objects.get(barcode="T-1")
    assert tool.name == "Schlagbohrer"
    assert tool.custom_fields == {"a": "1"}
    change = tool_history(tool)[0]
    assert change.changes == {"name": ["Bohrer", "Schlagbohrer"]}
    assert change.user == plain_user


def tool_history(tool):
    return list(selectors.history_for(tool))


def test_edit_can_change_the_barcode(editor, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    url = reverse("inventory:tool-edit", args=["T-1"])
    response = editor.post(url, {"barcode": "T-2", "name": "Bohrer", "status": "available", "condition": "good"})
    assert response["Location"] == reverse("inventory:tool-detail", args=["T-2"])
    assert Tool.objects.get().barcode == "T-2"


def test_create_with_all_departments_asks_for_one(pages, admin_user, department, other_department):
    client = pages(admin_user)
    client.post(reverse("accounts:switch-department"), {"department": "all", "next": "/"})

    response = client.get(reverse("inventory:tool-create"))

    assert response.status_code == 200
    assert 'data-testid="choose-department"' in html(response)
    assert 'data-testid="tool-form"' not in html(response)
    assert f'value="{other_department.code}"' in html(response)
    # Choosing one goes back to the form, now in that department.
    chosen = client.post(
        reverse("accounts:switch-department"), {"department": other_department.code, "next": "/inventory/tools/new/"}
    )
    assert chosen["Location"] == "/inventory/tools/new/"
    assert 'data-testid="tool-form"' in html(client.get("/inventory/tools/new/"))


# --- Tool status, maintenance, delete -----------------------------------------------------------


def test_mark_defective_and_back(editor, department):
    ToolFactory(department=department, barcode="T-1")
    url = reverse("inventory:tool-status", args=["T-1"])

    response = editor.post(url, {"status": "defective"}, follow=True)
    assert Tool.objects.get().status == Tool.Status.DEFECTIVE
    assert "Status set to “defective”." in messages_of(response)

    editor.post(url, {"status": "maintenance"})
    assert Tool.objects.get().status == Tool.Status.MAINTENANCE
    editor.post(url, {"status": "available"})
    assert Tool.objects.get().status == Tool.Status.AVAILABLE


def test_status_lent_is_refused(editor, department):
    ToolFactory(department=department, barcode="T-1")
    response = editor.post(reverse("inventory:tool-status", args=["T-1"]), {"status": "lent"}, follow=True)
    assert Tool.objects.get().status == Tool.Status.AVAILABLE
    assert "This status cannot be set here." in messages_of(response)


def test_status_change_of_a_lent_tool_shows_the_service_error(editor, plain_user, department):
    tool = ToolFactory(department=department, barcode="T-1")
    worker = WorkerFactory(department=department)
    lending_services.lending_checkout(tool=tool, worker=worker, user=plain_user)

    response = editor.post(reverse("inventory:tool-status", args=["T-1"]), {"status": "defective"}, follow=True)

    assert Tool.objects.get().status == Tool.Status.LENT
    assert "The tool is lent out; take it back before changing its status." in messages_of(response)
    # The page offers no status buttons for a lent tool.
    assert 'data-action="status-' not in html(response)


def test_add_maintenance_record(editor, department):
    ToolFactory(department=department, barcode="T-1")

    response = editor.post(
        reverse("inventory:tool-maintenance", args=["T-1"]),
        {"date": "2026-05-04", "description": "Gereinigt", "cost": "12.50", "performed_by": "Werkstatt",
         "next_due": "2026-11-04"},
    )  # fmt: skip

    assert response.status_code == 302
    record = MaintenanceRecord.objects.get()
    assert (record.date, record.description, str(record.cost)) == (datetime.date(2026, 5, 4), "Gereinigt", "12.50")
    assert Tool.objects.get().maintenance_due == datetime.date(2026, 11, 4)


def test_invalid_maintenance_form_shows_errors_on_the_detail_page(editor, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    response = editor.post(reverse("inventory:tool-maintenance", args=["T-1"]), {"date": "", "description": ""})
    assert response.status_code == 400
    assert set(response.context["maintenance_form"].errors) == {"date", "description"}
    assert "Bohrer" in html(response)
    assert not MaintenanceRecord.objects.exists()


def test_move_tool_to_trash(staff, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    url = reverse("inventory:tool-delete", args=["T-1"])

    confirm = staff.get(url)
    assert confirm.status_code == 200
    assert 'data-testid="confirm-delete"' in html(confirm)
    assert Tool.objects.alive().count() == 1

    response = staff.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inventory:tools")
    assert "“Bohrer” was moved to the trash." in messages_of(response)
    assert Tool.objects.alive().count() == 0
    assert staff.get(reverse("inventory:tool-detail", args=["T-1"])).status_code == 404


def test_a_lent_tool_cannot_be_trashed(staff, employee, department):
    tool = ToolFactory(department=department, barcode="T-1")
    lending_services.lending_checkout(tool=tool, worker=WorkerFactory(department=department), user=employee)

    response = staff.post(reverse("inventory:tool-delete", args=["T-1"]), follow=True)

    assert "A lent tool cannot be deleted; take it back first." in messages_of(response)
    assert Tool.objects.alive().count() == 1


# --- Consumables -------------------------------------------------------------------------------


def test_consumable_list_filters_below_minimum(editor, department, other_department):
    ConsumableFactory(department=department, barcode="C-LOW", current_stock=2, min_stock=5)
    ConsumableFactory(department=department, barcode="C-OK", current_stock=20, min_stock=5, supplier="Würth")
    ConsumableFactory(department=other_department, barcode="C-X", current_stock=0, min_stock=5)
    url = reverse("inventory:consumables")

    everything = editor.get(url)
    assert sorted(rows(everything)) == ["C-LOW", "C-OK"]
    assert "stock-pill--low" in html(everything)
    assert rows(editor.get(url, {"below_min": "true"})) == ["C-LOW"]
    assert rows(editor.get(url, {"q": "würth"})) == ["C-OK"]
    assert rows(editor.get(url, {"ordering": "stock"})) == ["C-LOW", "C-OK"]
    assert rows(editor.get(url, {"ordering": "-stock"})) == ["C-OK", "C-LOW"]


def test_consumable_list_query_count_does_not_grow_with_rows(editor, department, django_assert_max_num_queries):
    category = CategoryFactory(department=department, name="Schrauben")
    for number in range(60):
        ConsumableFactory(department=department, barcode=f"C-{number:03d}", category=category)
    url = reverse("inventory:consumables")
    editor.get(url)

    with django_assert_max_num_queries(9):  # one of them: where live updates start
        response = editor.get(url)
    assert len(rows(response)) == 50


def test_consumable_detail_shows_stock_forecast_movements_and_history(editor, plain_user, department):
    consumable = ConsumableFactory(
        department=department, barcode="C-1", name="Schrauben", current_stock=40, min_stock=10, max_stock=100
    )
    services.consumable_adjust_stock(consumable=consumable, user=plain_user, delta=-9, reason="Auftrag 4711")

    page = html(editor.get(reverse("inventory:consumable-detail", args=["C-1"])))

    assert re.search(r'data-testid="current-stock"><span class="big-number__value">31</span>', page)
    assert 'data-testid="stock-gauge"' in page
    assert 'aria-valuenow="31"' in page
    assert 'data-testid="forecast"' in page
    assert "Auftrag 4711" in page
    assert page.count('<li class="timeline__item') == 3  # created, initial stock, adjustment
    # Suggested order fills up to the maximum.
    assert "69 Stk" in page


def test_adjust_stock(editor, plain_user, department):
    ConsumableFactory(department=department, barcode="C-1", current_stock=10)
    url = reverse("inventory:consumable-adjust", args=["C-1"])
    assert editor.get(url).status_code == 200

    response = editor.post(url, {"delta": "-3", "reason": "Auftrag 12"}, follow=True)

    assert Consumable.objects.get().current_stock == 7
    movement = StockMovement.objects.filter(reason="Auftrag 12").get()
    assert (movement.delta, movement.stock_after, movement.user) == (-3, 7, plain_user)
    assert "Stock changed by -3 to 7 Stk." in messages_of(response)


def test_adjust_below_zero_shows_the_service_error_and_keeps_the_stock(editor, department):
    ConsumableFactory(department=department, barcode="C-1", current_stock=2)

    response = editor.post(reverse("inventory:consumable-adjust", args=["C-1"]), {"delta": "-5", "reason": "x"})

    assert response.status_code == 200
    assert "Only 2 Stk in stock." in html(response)
    assert response.context["form"].errors["delta"] == ["more than in stock"]
    assert Consumable.objects.get().current_stock == 2


def test_adjust_needs_a_nonzero_change_and_a_reason(editor, department):
    ConsumableFactory(department=department, barcode="C-1", current_stock=2)
    response = editor.post(reverse("inventory:consumable-adjust", args=["C-1"]), {"delta": "0", "reason": ""})
    assert set(response.context["form"].errors) == {"delta", "reason"}


def test_create_and_edit_consumable(editor, plain_user, department):
    location = LocationFactory(department=department, name="Lager")
    response = editor.post(
        reverse("inventory:consumable-create"),
        {"barcode": "C-NEW", "name": "Kabelbinder", "current_stock": "25", "unit": "Stk", "min_stock": "10",
         "max_stock": "100", "cost_per_unit": "0.05", "supplier": "Würth", "location": location.pk},
    )  # fmt: skip
    assert response["Location"] == reverse("inventory:consumable-detail", args=["C-NEW"])
    consumable = Consumable.objects.get(barcode="C-NEW")
    assert (consumable.current_stock, consumable.location, consumable.created_by) == (25, location, plain_user)
    assert consumable.movements.get().reason == "Initial stock"

    edit_url = reverse("inventory:consumable-edit", args=["C-NEW"])
    edit_page = editor.get(edit_url)
    assert "current_stock" not in edit_page.context["form"].fields
    response = editor.post(
        edit_url,
        {"barcode": "C-NEW", "name": "Kabelbinder 200 mm", "unit": "Stk", "min_stock": "10", "max_stock": "100",
         "cost_per_unit": "0.05", "supplier": "Würth", "location": location.pk},
    )  # fmt: skip
    assert response.status_code == 302
    consumable.refresh_from_db()
    assert (consumable.name, consumable.current_stock) == ("Kabelbinder 200 mm", 25)


def test_consumable_maximum_below_minimum_is_a_form_error(editor, department):
    response = editor.post(
        reverse("inventory:consumable-create"),
        {"barcode": "C-1", "name": "X", "current_stock": "0", "unit": "Stk", "min_stock": "10", "max_stock": "5"},
    )
    assert response.context["form"].errors["max_stock"] == ["The maximum must not be below the minimum."]
    assert not Consumable.objects.exists()


def test_move_consumable_to_trash(staff, department):
    ConsumableFactory(department=department, barcode="C-1", name="Schrauben")
    url = reverse("inventory:consumable-delete", args=["C-1"])
    assert staff.get(url).status_code == 200
    response = staff.post(url, follow=True)
    assert "“Schrauben” was moved to the trash." in messages_of(response)
    assert Consumable.objects.alive().count() == 0


def test_all_departments_list_shows_the_department_column(pages, admin_user, department, other_department):
    ToolFactory(department=department, barcode="T-1")
    ToolFactory(department=other_department, barcode="T-2")
    client = pages(admin_user)
    client.post(reverse("accounts:switch-department"), {"department": "all", "next": "/"})

    response = client.get(reverse("inventory:tools"))

    assert sorted(rows(response)) == ["T-1", "T-2"]
    assert other_department.name in html(response)


def test_an_employee_sees_trash_buttons_a_user_does_not(pages, make_user, department):
    ToolFactory(department=department, barcode="T-1")
    delete_url = reverse("inventory:tool-delete", args=["T-1"])
    assert delete_url in html(pages(make_user(Role.EMPLOYEE)).get(reverse("inventory:tool-detail", args=["T-1"])))
    assert delete_url not in html(pages(make_user(Role.USER)).get(reverse("inventory:tool-detail", args=["T-1"])))
