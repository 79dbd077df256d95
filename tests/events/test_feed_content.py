"""Every kind of change reaches the feed as one event `{"id","type","object_id","changed_fields","at"}`,
however it was made: API, pages, admin, services, sync runs."""

import datetime

import pytest
from django.utils.dateparse import parse_datetime

from integrations import services as integration_services
from integrations.models import Customer, SyncRun
from inventory import services as inventory_services
from inventory.models import Tool
from scandy_site.core.models import ChangeEvent
from tests.admin_helpers import form_data, post_action
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.factories.integrations import OrderFactory, ProductFactory
from tests.factories.media import image_bytes
from tests.factories.tickets import TicketFactory
from tests.fakes.shop import shop_product
from tests.fakes.thingsboard import tb_customer, tb_device
from tests.integrations.conftest import fake_shop, fake_tb  # noqa: F401 (fixtures)
from tickets.models import Ticket

from .conftest import events_after, feed

pytestmark = pytest.mark.django_db


def kinds(events) -> list[tuple[str, str, list]]:
    return [(e["type"], e["object_id"], e["changed_fields"]) for e in events]


@pytest.fixture
def tool(department, admin_user):
    return ToolFactory(department=department, barcode="T-100", name="Bohrmaschine", created_by=admin_user)


def test_the_event_shape(api, department, mark):
    start = mark()
    response = api.post("/api/tools", {"barcode": "T-1", "name": "Säge"}, format="json",
                        HTTP_X_SCANDY_DEPARTMENT=department.code)  # fmt: skip
    assert response.status_code == 201, response.content
    [event] = events_after(api, start)
    assert set(event) == {"id", "type", "object_id", "changed_fields", "at", "department"}
    assert event["id"] > start
    assert event["type"] == "tool.created"
    assert event["object_id"] == "T-1"
    assert {"barcode", "name"} <= set(event["changed_fields"])
    assert event["department"] == "werkstatt"
    assert abs(parse_datetime(event["at"]) - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_tool_changes_through_the_api(api, tool, mark):
    start = mark()
    assert api.patch("/api/tools/T-100", {"name": "Schlagbohrer"}, format="json").status_code == 200
    assert api.post("/api/tools/T-100/maintenance", {"date": "2026-01-10", "description": "Neue Kohlen"},
                    format="json").status_code == 201  # fmt: skip
    assert api.delete("/api/tools/T-100").status_code == 200
    inventory_services.tool_restore(tool=Tool.objects.get(pk=tool.pk), user=None)
    assert kinds(events_after(api, start)) == [
        ("tool.updated", "T-100", ["name"]),
        ("tool.updated", "T-100", ["maintenance"]),
        ("tool.deleted", "T-100", []),
        ("tool.restored", "T-100", []),
    ]


def test_a_new_barcode_names_the_old_one(api, tool, mark):
    start = mark()
    assert api.patch("/api/tools/T-100", {"barcode": "T-200"}, format="json").status_code == 200
    [event] = events_after(api, start)
    assert (event["object_id"], event["previous_object_id"], event["changed_fields"]) == ("T-200", "T-100", ["barcode"])


def test_a_change_that_changes_nothing_is_no_event(api, tool, mark):
    start = mark()
    assert api.patch("/api/tools/T-100", {"name": "Bohrmaschine"}, format="json").status_code == 200
    assert events_after(api, start) == []


def test_stock_lending_and_return(api, department, tool, admin_user, mark):
    ConsumableFactory(department=department, barcode="C-1", current_stock=10)
    WorkerFactory(department=department, barcode="W-1")
    start = mark()
    assert api.post("/api/consumables/C-1/adjust-stock", {"delta": 5, "reason": "Lieferung"},
                    format="json").status_code in (200, 201)  # fmt: skip
    assert api.post("/api/lending/process", {"tool_barcode": "T-100", "worker_barcode": "W-1"},
                    format="json").status_code == 201  # fmt: skip
    assert api.post("/api/lending/process", {"consumable_barcode": "C-1", "worker_barcode": "W-1", "quantity": 2},
                    format="json").status_code == 201  # fmt: skip
    assert api.post("/api/lending/return", {"tool_barcode": "T-100"}, format="json").status_code == 200
    lending_id = str(tool.lendings.get().pk)
    assert kinds(events_after(api, start)) == [
        ("consumable.updated", "C-1", ["current_stock"]),
        ("tool.updated", "T-100", ["status"]),
        ("lending.created", lending_id, ["worker"]),
        ("consumable.updated", "C-1", ["current_stock"]),
        ("tool.updated", "T-100", ["status"]),
        ("lending.updated", lending_id, ["returned_at"]),
    ]


def test_workers(api, department, mark):
    start = mark()
    assert api.post("/api/workers", {"barcode": "W-9", "first_name": "Ada", "last_name": "L"},
                    format="json").status_code == 201  # fmt: skip
    assert api.patch("/api/workers/W-9", {"email": "ada@example.org"}, format="json").status_code == 200
    assert kinds(events_after(api, start)) == [
        ("worker.created", "W-9", ["active", "barcode", "email", "first_name", "last_name"]),
        ("worker.updated", "W-9", ["email"]),
    ]


def test_tickets_messages_and_transitions(api, department, employee, mark):
    start = mark()
    response = api.post("/api/tickets", {"title": "Presse prüfen"}, format="json")
    assert response.status_code == 201, response.content
    number = str(response.json()["data"]["id"])
    assert api.post(f"/api/tickets/{number}/messages", {"body": "Schaue ich mir an"},
                    format="json").status_code == 201  # fmt: skip
    assert api.post(f"/api/tickets/{number}/messages", {"body": "intern", "internal": True},
                    format="json").status_code == 201  # fmt: skip
    assert api.post(f"/api/tickets/{number}/assign", {"username": employee.username},
                    format="json").status_code == 200  # fmt: skip
    assert api.patch(f"/api/tickets/{number}", {"priority": "high"}, format="json").status_code == 200
    events = kinds(events_after(api, start))
    assert events[0][:2] == ("ticket.created", number)
    assert events[1:] == [
        ("ticket.updated", number, ["messages"]),
        ("ticket.updated", number, ["internal_notes"]),
        ("ticket.updated", number, ["assignees"]),
        ("ticket.updated", number, ["status"]),
        ("ticket.updated", number, ["priority"]),
    ]


def test_files_on_a_record(api, tool, mark):
    start = mark()
    upload = api.post("/api/media/tool/T-100/upload", {"file": _png()}, format="multipart")
    assert upload.status_code == 201, upload.content
    name = upload.json()["data"]["filename"]
    assert api.delete(f"/api/media/tool/T-100/{name}").status_code == 200
    assert kinds(events_after(api, start)) == [
        ("tool.updated", "T-100", ["attachments"]),
        ("tool.updated", "T-100", ["attachments"]),
    ]


def _png():
    from tests.factories.media import upload

    return upload("bild.png", image_bytes(), "image/png")


def test_shop_records_edited_here(api, mark):
    order, product = OrderFactory(), ProductFactory()
    start = mark()
    assert api.put(f"/api/shop/orders/{order.pk}/status", {"status": "shipped"}, format="json").status_code == 200
    assert api.put(f"/api/shop/products/{product.pk}/stock", {"stock": 3}, format="json").status_code == 200
    assert kinds(events_after(api, start)) == [
        ("order.updated", str(order.pk), ["status"]),
        ("product.updated", str(product.pk), ["stock"]),
    ]


def test_customers_are_named_by_their_uuid(api, mark):
    start = mark()
    response = api.post("/api/customers", {"name": "Stadtwerke", "city": "Kiel"}, format="json")
    assert response.status_code == 201, response.content
    uuid = response.json()["data"]["id"]
    assert api.patch(f"/api/customers/{uuid}", {"city": "Lübeck"}, format="json").status_code == 200
    created, updated = kinds(events_after(api, start))
    assert created[:2] == ("customer.created", uuid) and {"city", "name"} <= set(created[2])
    assert updated == ("customer.updated", uuid, ["city"])
    # The history row keeps the UUID as the key; the integer column stays empty.
    row = ChangeEvent.objects.filter(entity="customer").latest("id")
    assert (row.object_key, row.object_id) == (uuid, None)


def test_sync_runs_write_events_for_every_record(api, fake_tb, fake_shop, mark):  # noqa: F811
    fake_tb.customers = [tb_customer(1)]
    fake_tb.devices = [tb_device(1, customer=1)]
    fake_shop.products = [shop_product(1)]
    start = mark()
    for source in ("thingsboard", "shop"):
        run = integration_services.sync_now(source=source, trigger=SyncRun.Trigger.COMMAND)
        assert run.status == SyncRun.Status.SUCCEEDED, run.message
    customer = Customer.objects.get()
    types = [(e["type"], e["object_id"]) for e in events_after(api, start)]
    assert ("customer.created", customer.pk) in types
    assert ("device.created", customer.devices.get().pk) in types
    assert [t for t, _ in types if t.startswith("product.")] == ["product.created"]
    # An unchanged second run writes no record and no event.
    second = mark()
    integration_services.sync_now(source="thingsboard", trigger=SyncRun.Trigger.COMMAND)
    assert events_after(api, second) == []


def test_an_admin_edit_is_an_event(admin_client, api, tool, mark):
    url = f"/admin/inventory/tool/{tool.pk}/change/"
    start = mark()
    response = admin_client.post(url, form_data(admin_client.get(url), name="Bohrhammer", condition="worn"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert kinds(events_after(api, start)) == [("tool.updated", "T-100", ["condition", "name"])]


def test_an_admin_deleting_a_ticket_is_an_event(admin_client, api, department, admin_user, mark):
    ticket = TicketFactory(department=department, created_by=admin_user)
    start = mark()
    response = admin_client.post(f"/admin/tickets/ticket/{ticket.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert kinds(events_after(api, start)) == [("ticket.deleted", str(ticket.pk), [])]


def test_an_admin_action_is_an_event(admin_client, api, tool, mark):
    start = mark()
    post_action(admin_client, "/admin/inventory/tool/", "mark_defective", [tool])
    assert kinds(events_after(api, start)) == [("tool.updated", "T-100", ["status"])]


def test_events_come_in_id_order_and_page_by_limit(api, department, mark):
    start = mark()
    for n in range(5):
        ToolFactory(department=department, barcode=f"P-{n}")
    first = feed(api, start, limit=2)
    assert [e["object_id"] for e in first["results"]] == ["P-0", "P-1"]
    assert first["has_more"] is True and first["last_id"] == first["results"][-1]["id"]
    assert f"since={first['last_id']}" in first["next"]
    rest = feed(api, first["last_id"], limit=10)
    assert [e["object_id"] for e in rest["results"]] == ["P-2", "P-3", "P-4"]
    assert rest["has_more"] is False and rest["next"] is None
    assert feed(api, rest["last_id"])["results"] == []
