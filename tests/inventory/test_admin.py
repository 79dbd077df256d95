"""The Django admin back office: role permissions, writes through the services, trash, actions."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import BarcodeRegistration, Consumable, MaintenanceRecord, StockMovement, Tool
from inventory.services import consumable_adjust_stock, consumable_soft_delete, tool_add_maintenance, tool_soft_delete
from lending.models import Worker
from scandy_site.accounts.models import User
from scandy_site.accounts.roles import Role
from scandy_site.core.models import ChangeEvent, SiteConfiguration
from tests.admin_helpers import form_data, messages_of, post_action
from tests.factories import CategoryFactory, ConsumableFactory, LocationFactory, ToolFactory, WorkerFactory
from tests.factories.inventory import MaintenanceRecordFactory

TOOLS = "/admin/inventory/tool/"
CONSUMABLES = "/admin/inventory/consumable/"
WORKERS = "/admin/lending/worker/"
USERS = "/admin/accounts/user/"


@pytest.fixture
def admin_client(page_client_for, admin_user):
    return page_client_for(admin_user)


@pytest.fixture
def employee_client(client, admin_user, employee):
    # admin_user exists, so the setup wizard is out of the way.
    client.force_login(employee)
    return client


# --- pages load, permissions --------------------------------------------------------------------------


ADMIN_PAGES = [
    "/admin/",
    TOOLS,
    f"{TOOLS}add/",
    CONSUMABLES,
    f"{CONSUMABLES}add/",
    "/admin/inventory/category/",
    "/admin/inventory/category/add/",
    "/admin/inventory/location/",
    "/admin/inventory/maintenancerecord/",
    "/admin/inventory/maintenancerecord/add/",
    "/admin/inventory/stockmovement/",
    "/admin/inventory/barcoderegistration/",
    WORKERS,
    f"{WORKERS}add/",
    USERS,
    f"{USERS}add/",
    "/admin/accounts/department/",
    "/admin/core/changeevent/",
]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_load_for_admin(admin_client, department, url):
    ToolFactory(department=department)
    ConsumableFactory(department=department)
    WorkerFactory(department=department)
    response = admin_client.get(url)
    assert response.status_code == 200, url


def test_change_pages_load_for_admin(admin_client, department, admin_user):
    tool = ToolFactory(department=department)
    consumable = ConsumableFactory(department=department)
    worker = WorkerFactory(department=department)
    event = ChangeEvent.objects.first()
    for url in (
        f"{TOOLS}{tool.pk}/change/",
        f"{CONSUMABLES}{consumable.pk}/change/",
        f"{WORKERS}{worker.pk}/change/",
        f"{USERS}{admin_user.pk}/change/",
        f"/admin/accounts/department/{department.pk}/change/",
        f"/admin/core/changeevent/{event.pk}/change/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_employee_sees_inventory_and_workers_but_not_users(employee_client, department):
    tool = ToolFactory(department=department)
    index = employee_client.get("/admin/")
    assert index.status_code == 200
    models = {m["object_name"] for app in index.context["app_list"] for m in app["models"]}
    assert {"Tool", "Consumable", "Worker", "Category", "Location"} <= models
    assert not models & {"User", "Department", "ChangeEvent", "SiteConfiguration"}
    for url in (TOOLS, f"{TOOLS}add/", f"{TOOLS}{tool.pk}/change/", CONSUMABLES, WORKERS, f"{WORKERS}add/"):
        assert employee_client.get(url).status_code == 200, url
    for url in (USERS, f"{USERS}add/", "/admin/accounts/department/", "/admin/core/changeevent/"):
        assert employee_client.get(url).status_code in (403, 404), url


def test_users_without_staff_role_cannot_enter_the_admin(client, admin_user, plain_user):
    client.force_login(plain_user)
    response = client.get(TOOLS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_employee_sees_only_tools_of_own_departments(employee_client, department, other_department):
    own = ToolFactory(department=department)
    ToolFactory(department=other_department)
    response = employee_client.get(TOOLS)
    assert list(response.context["cl"].result_list) == [own]
    add_form = employee_client.get(f"{WORKERS}add/").context["adminform"].form
    assert list(add_form.fields["department"].queryset) == [department]
    assert add_form.initial["department"] == department.pk


# --- writes go through the services -------------------------------------------------------------------


def test_add_tool_goes_through_the_service(admin_client, admin_user, department):
    category = CategoryFactory(department=department, name="Elektrowerkzeug")
    page = admin_client.get(f"{TOOLS}add/")
    data = form_data(page, department=department.pk, barcode="T-100", name="Bohrhammer", category=category.pk)
    response = admin_client.post(f"{TOOLS}add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tool = Tool.objects.get(barcode="T-100")
    assert tool.category == category
    assert tool.created_by == admin_user
    assert BarcodeRegistration.objects.filter(department=department, barcode="T-100", kind="tool").exists()
    event = ChangeEvent.objects.get(entity="tool", object_id=tool.pk)
    assert event.action == "created"
    assert event.user == admin_user


def test_add_tool_with_a_barcode_in_use_shows_the_error_and_saves_nothing(admin_client, department):
    ConsumableFactory(department=department, barcode="X-1")
    events = ChangeEvent.objects.count()
    page = admin_client.get(f"{TOOLS}add/")
    response = admin_client.post(f"{TOOLS}add/", form_data(page, department=department.pk, barcode="X-1", name="Säge"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "barcode" in form.errors
    assert "X-1" in " ".join(form.non_field_errors())
    assert not Tool.objects.exists()
    assert ChangeEvent.objects.count() == events


def test_change_with_a_refused_barcode_keeps_the_new_maintenance_row_out_too(admin_client, department):
    tool = ToolFactory(department=department, barcode="T-1", name="Flex")
    WorkerFactory(department=department, barcode="W-1")
    events = ChangeEvent.objects.count()
    page = admin_client.get(f"{TOOLS}{tool.pk}/change/")
    data = form_data(page, barcode="W-1", name="Flex neu")
    data.update(
        {
            "maintenance_records-TOTAL_FORMS": "1",
            "maintenance_records-0-date": "2025-03-01",
            "maintenance_records-0-description": "Kohlebürsten getauscht",
            "maintenance_records-0-tool": str(tool.pk),
        }
    )
    response = admin_client.post(f"{TOOLS}{tool.pk}/change/", data)
    assert response.status_code == 200
    assert "barcode" in response.context["adminform"].form.errors
    tool.refresh_from_db()
    assert (tool.barcode, tool.name) == ("T-1", "Flex")
    assert not MaintenanceRecord.objects.exists()
    assert ChangeEvent.objects.count() == events


def test_change_tool_and_add_maintenance_write_history(admin_client, admin_user, department):
    tool = ToolFactory(department=department, barcode="T-1", name="Flex")
    page = admin_client.get(f"{TOOLS}{tool.pk}/change/")
    data = form_data(page, name="Flex 125")
    data.update(
        {
            "maintenance_records-TOTAL_FORMS": "1",
            "maintenance_records-0-date": "2025-03-01",
            "maintenance_records-0-description": "Kohlebürsten getauscht",
            "maintenance_records-0-cost": "12.50",
            "maintenance_records-0-tool": str(tool.pk),
        }
    )
    response = admin_client.post(f"{TOOLS}{tool.pk}/change/", data)
    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.name == "Flex 125"
    record = MaintenanceRecord.objects.get(tool=tool)
    assert record.created_by == admin_user
    changes = [e.changes for e in ChangeEvent.objects.filter(entity="tool", object_id=tool.pk, action="updated")]
    assert {"name": ["Flex", "Flex 125"]} in changes
    assert any("maintenance" in c for c in changes)
    history = admin_client.get(f"{TOOLS}{tool.pk}/change/")
    assert "Flex 125" in history.content.decode()  # shown in the history inline


def test_status_lent_is_refused_on_the_form(admin_client, department):
    tool = ToolFactory(department=department)
    page = admin_client.get(f"{TOOLS}{tool.pk}/change/")
    response = admin_client.post(f"{TOOLS}{tool.pk}/change/", form_data(page, status="lent"))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    tool.refresh_from_db()
    assert tool.status == "available"


def test_add_consumable_books_the_initial_stock(admin_client, department):
    page = admin_client.get(f"{CONSUMABLES}add/")
    data = form_data(page, department=department.pk, barcode="C-9", name="Kabelbinder", current_stock="40")
    assert admin_client.post(f"{CONSUMABLES}add/", data).status_code == 302
    consumable = Consumable.objects.get(barcode="C-9")
    assert consumable.current_stock == 40
    assert list(consumable.movements.values_list("delta", flat=True)) == [40]


def test_worker_admin_uses_the_barcode_registry(admin_client, admin_user, department):
    ToolFactory(department=department, barcode="B-1")
    page = admin_client.get(f"{WORKERS}add/")
    refused = admin_client.post(
        f"{WORKERS}add/", form_data(page, department=department.pk, barcode="B-1", first_name="Ida", last_name="Koch")
    )
    assert refused.status_code == 200
    assert "barcode" in refused.context["adminform"].form.errors
    assert not Worker.objects.exists()
    created = admin_client.post(
        f"{WORKERS}add/", form_data(page, department=department.pk, barcode="W-7", first_name="Ida", last_name="Koch")
    )
    assert created.status_code == 302
    worker = Worker.objects.get(barcode="W-7")
    assert BarcodeRegistration.objects.filter(barcode="W-7", kind="worker", object_id=worker.pk).exists()
    assert ChangeEvent.objects.filter(entity="worker", object_id=worker.pk, action="created", user=admin_user).exists()


# --- trash, restore, purge, actions -------------------------------------------------------------------


def test_trash_filter_hides_trashed_records_by_default(admin_client, admin_user, department):
    alive = ToolFactory(department=department)
    trashed = ToolFactory(department=department)
    tool_soft_delete(tool=trashed, user=admin_user)
    assert list(admin_client.get(TOOLS).context["cl"].result_list) == [alive]
    assert list(admin_client.get(f"{TOOLS}?trash=trash").context["cl"].result_list) == [trashed]
    assert set(admin_client.get(f"{TOOLS}?trash=all").context["cl"].result_list) == {alive, trashed}


def test_trashed_record_is_shown_read_only(admin_client, admin_user, department):
    tool = ToolFactory(department=department)
    tool_soft_delete(tool=tool, user=admin_user)
    page = admin_client.get(f"{TOOLS}{tool.pk}/change/")
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert admin_client.post(f"{TOOLS}{tool.pk}/change/", {"name": "x"}).status_code == 403


def test_status_actions_go_through_the_service(admin_client, admin_user, department):
    tools = [ToolFactory(department=department) for _ in range(2)]
    response = post_action(admin_client, TOOLS, "mark_defective", tools)
    assert response.status_code == 302
    assert set(Tool.objects.values_list("status", flat=True)) == {"defective"}
    events = ChangeEvent.objects.filter(entity="tool", action="updated", user=admin_user)
    assert {tuple(e.changes["status"]) for e in events} == {("available", "defective")}
    post_action(admin_client, TOOLS, "mark_available", tools)
    assert set(Tool.objects.values_list("status", flat=True)) == {"available"}


def test_trash_restore_and_purge_actions(admin_client, department):
    tool = ToolFactory(department=department, barcode="T-5")
    post_action(admin_client, TOOLS, "move_to_trash", [tool])
    tool.refresh_from_db()
    assert tool.is_deleted
    post_action(admin_client, f"{TOOLS}?trash=trash", "restore_from_trash", [tool])
    tool.refresh_from_db()
    assert not tool.is_deleted
    assert ChangeEvent.objects.filter(object_id=tool.pk, entity="tool", action="restored").exists()

    refused = post_action(admin_client, TOOLS, "purge", [tool])
    # The admin speaks German by default.
    assert any("Papierkorb" in m for m in messages_of(refused))
    assert Tool.objects.filter(pk=tool.pk).exists()

    post_action(admin_client, TOOLS, "move_to_trash", [tool])
    post_action(admin_client, f"{TOOLS}?trash=trash", "purge", [tool])
    assert not Tool.objects.filter(pk=tool.pk).exists()
    assert not BarcodeRegistration.objects.filter(barcode="T-5").exists()
    # The barcode is free again.
    ToolFactory(department=department, barcode="T-5")


def test_delete_view_moves_to_trash_then_deletes_for_good(admin_client, department):
    consumable = ConsumableFactory(department=department, barcode="C-5")
    confirm = admin_client.get(f"{CONSUMABLES}{consumable.pk}/delete/")
    assert confirm.context["trash_only"] is True
    response = admin_client.post(f"{CONSUMABLES}{consumable.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    consumable.refresh_from_db()
    assert consumable.is_deleted
    assert any("Papierkorb" in m for m in messages_of(response))

    confirm = admin_client.get(f"{CONSUMABLES}{consumable.pk}/delete/")
    assert confirm.context["trash_only"] is False
    assert not confirm.context["perms_lacking"]  # its stock movements go with it
    admin_client.post(f"{CONSUMABLES}{consumable.pk}/delete/", {"post": "yes"})
    assert not Consumable.objects.filter(pk=consumable.pk).exists()
    assert not BarcodeRegistration.objects.filter(barcode="C-5").exists()


def test_adjust_stock_action_asks_then_adjusts(admin_client, admin_user, department):
    plenty = ConsumableFactory(department=department, current_stock=20)
    scarce = ConsumableFactory(department=department, current_stock=2)
    ask = post_action(admin_client, CONSUMABLES, "adjust_stock", [plenty, scarce])
    assert ask.status_code == 200
    assert ask.templates[0].name == "admin/inventory/adjust_stock.html"

    done = admin_client.post(
        CONSUMABLES,
        {
            "action": "adjust_stock",
            ACTION_CHECKBOX_NAME: [str(plenty.pk), str(scarce.pk)],
            "apply": "1",
            "delta": "-5",
            "reason": "Inventur",
        },
    )
    assert done.status_code == 302
    plenty.refresh_from_db()
    scarce.refresh_from_db()
    assert (plenty.current_stock, scarce.current_stock) == (15, 2)
    movement = plenty.movements.first()
    assert (movement.delta, movement.reason, movement.user) == (-5, "Inventur", admin_user)
    assert any(scarce.name in m for m in messages_of(done))  # refused: not enough in stock


def test_adjust_stock_action_rejects_zero(admin_client, department):
    consumable = ConsumableFactory(department=department, current_stock=20)
    response = admin_client.post(
        CONSUMABLES,
        {
            "action": "adjust_stock",
            ACTION_CHECKBOX_NAME: [str(consumable.pk)],
            "apply": "1",
            "delta": "0",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "delta" in response.context["form"].errors
    assert StockMovement.objects.filter(consumable=consumable).count() == 1


def test_export_selected_as_csv(admin_client, department):
    tools = [ToolFactory(department=department, barcode=f"E-{n}") for n in range(3)]
    response = post_action(admin_client, TOOLS, "export_csv", tools[:2])
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "E-0" in body and "E-1" in body and "E-2" not in body


def test_worker_trash_and_restore(admin_client, department):
    worker = WorkerFactory(department=department)
    post_action(admin_client, WORKERS, "move_to_trash", [worker])
    worker.refresh_from_db()
    assert worker.deleted_at is not None
    assert list(admin_client.get(WORKERS).context["cl"].result_list) == []
    post_action(admin_client, f"{WORKERS}?trash=trash", "restore_from_trash", [worker])
    worker.refresh_from_db()
    assert worker.deleted_at is None


def test_history_is_read_only(admin_client, department):
    ToolFactory(department=department)
    event = ChangeEvent.objects.get()
    assert admin_client.post(f"/admin/core/changeevent/{event.pk}/change/", {"note": "x"}).status_code == 403
    assert admin_client.post(f"/admin/core/changeevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ChangeEvent.objects.filter(pk=event.pk, note="").exists()


# --- users, site configuration ------------------------------------------------------------------------


def test_thingsboard_password_is_write_only(admin_client, employee):
    url = f"{USERS}{employee.pk}/change/"
    page = admin_client.get(url)
    response = admin_client.post(
        url, form_data(page, thingsboard_username="tb@example.org", thingsboard_password="Tb-Secret-77")
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.get_thingsboard_password() == "Tb-Secret-77"
    html = admin_client.get(url).content.decode()
    assert "Tb-Secret-77" not in html
    assert employee.thingsboard_password_encrypted not in html

    # Blank keeps the stored password; the clear box removes it.
    admin_client.post(url, form_data(admin_client.get(url), first_name="Erika"))
    employee.refresh_from_db()
    assert (employee.first_name, employee.get_thingsboard_password()) == ("Erika", "Tb-Secret-77")
    admin_client.post(url, form_data(admin_client.get(url), thingsboard_password_clear="on"))
    employee.refresh_from_db()
    assert employee.thingsboard_password_encrypted == ""


def test_add_user_validates_the_password_and_sets_role_and_departments(admin_client, department):
    page = admin_client.get(f"{USERS}add/")
    base = form_data(page, username="neu", role="employee", departments=[str(department.pk)])
    weak = admin_client.post(
        f"{USERS}add/", {**base, "usable_password": "true", "password1": "1234", "password2": "1234"}
    )
    assert weak.status_code == 200
    assert "password2" in weak.context["adminform"].form.errors or "password1" in weak.context["adminform"].form.errors
    assert not User.objects.filter(username="neu").exists()
    good = "Lange-Leiter-93"
    created = admin_client.post(
        f"{USERS}add/", {**base, "usable_password": "true", "password1": good, "password2": good}
    )
    assert created.status_code == 302
    user = User.objects.get(username="neu")
    assert user.role == Role.EMPLOYEE and user.is_staff
    assert list(user.departments.all()) == [department]
    assert user.check_password(good)


def test_the_last_admin_cannot_be_demoted(admin_client, admin_user):
    url = f"{USERS}{admin_user.pk}/change/"
    response = admin_client.post(url, form_data(admin_client.get(url), role="user"))
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_site_configuration_is_a_singleton_and_names_the_admin(admin_client):
    config = SiteConfiguration.current()
    config.system_name = "Werkhalle Nord"
    config.save()
    response = admin_client.get("/admin/core/siteconfiguration/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/core/siteconfiguration/{config.pk}/change/")
    assert admin_client.get("/admin/core/siteconfiguration/add/").status_code == 403
    assert admin_client.get(f"/admin/core/siteconfiguration/{config.pk}/delete/").status_code == 403
    assert "Werkhalle Nord" in admin_client.get("/admin/").content.decode()


# --- query counts -------------------------------------------------------------------------------------


def _fill(department, rows: int) -> None:
    category = CategoryFactory(department=department)
    while Tool.objects.count() < rows:
        tool = ToolFactory(department=department, category=category)
        consumable = ConsumableFactory(department=department, category=category)
        WorkerFactory(department=department)
        CategoryFactory(department=department)
        LocationFactory(department=department)
        MaintenanceRecordFactory(tool=tool)
        if Tool.objects.count() % 7 == 0:
            tool_soft_delete(tool=tool, user=None)
        consumable_adjust_stock(consumable=consumable, user=None, delta=-1, reason="Ausgabe")


# Pinned from a measurement (+2 for slack); the count must not grow with the number of rows.
PINNED_PAGES = [
    (TOOLS, 16),
    (f"{TOOLS}?trash=all", 16),
    (CONSUMABLES, 16),
    (WORKERS, 14),
    ("/admin/core/changeevent/", 14),
    ("/admin/inventory/stockmovement/", 13),
    ("/admin/inventory/barcoderegistration/", 14),
    (USERS, 14),
    ("/admin/inventory/category/", 13),
    ("/admin/inventory/location/", 13),
    ("/admin/inventory/maintenancerecord/", 12),
]


@pytest.mark.parametrize(("url", "pinned"), PINNED_PAGES)
def test_changelist_query_count_is_pinned(admin_client, department, django_assert_max_num_queries, url, pinned):
    SiteConfiguration.current()
    _fill(department, 3)
    admin_client.get(url)  # warm the per-process caches (setup state)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    _fill(department, 40)
    with django_assert_max_num_queries(pinned), CaptureQueriesContext(connection) as many:
        assert admin_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_change_page_query_count_is_pinned(admin_client, admin_user, department, django_assert_max_num_queries):
    SiteConfiguration.current()
    tool = ToolFactory(department=department)
    consumable = ConsumableFactory(department=department, current_stock=100)
    for n in range(30):
        consumable_adjust_stock(consumable=consumable, user=admin_user, delta=-1, reason=f"Ausgabe {n}")
        tool_add_maintenance(tool=tool, user=admin_user, date=datetime.date(2025, 1, 1), description=f"Prüfung {n}")
    for url in (f"{CONSUMABLES}{consumable.pk}/change/", f"{TOOLS}{tool.pk}/change/"):
        with django_assert_max_num_queries(16):
            page = admin_client.get(url)
        assert page.status_code == 200
    # The read-only inlines show the latest rows only.
    stock_inline = admin_client.get(f"{CONSUMABLES}{consumable.pk}/change/").context["inline_admin_formsets"][0]
    assert len(stock_inline.formset.initial_forms) == 20


def test_trashed_consumable_cannot_be_adjusted(admin_client, admin_user, department):
    consumable = ConsumableFactory(department=department, current_stock=5)
    consumable_soft_delete(consumable=consumable, user=admin_user)
    response = admin_client.post(
        f"{CONSUMABLES}?trash=trash",
        {
            "action": "adjust_stock",
            ACTION_CHECKBOX_NAME: [str(consumable.pk)],
            "apply": "1",
            "delta": "3",
            "reason": "x",
        },
    )
    assert response.status_code == 302
    consumable.refresh_from_db()
    assert consumable.current_stock == 5
    assert any("Papierkorb" in m for m in messages_of(response))


def test_maintenance_record_admin_adds_through_the_service(admin_client, admin_user, department):
    tool = ToolFactory(department=department)
    page = admin_client.get("/admin/inventory/maintenancerecord/add/")
    data = form_data(page, tool=tool.pk, date=datetime.date(2025, 1, 2).isoformat(), description="Prüfung DGUV V3")
    assert admin_client.post("/admin/inventory/maintenancerecord/add/", data).status_code == 302
    record = MaintenanceRecord.objects.get()
    assert (record.tool, record.created_by) == (tool, admin_user)
    assert ChangeEvent.objects.filter(entity="tool", object_id=tool.pk, changes__has_key="maintenance").exists()
