"""The integrations API through HTTP: reads from the local tables (also while the remote systems are
down), local edits that survive syncs, sync triggers through django-q2, runs and status."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from integrations import services
from integrations.models import Customer, Device, Order, Product, SyncConflict, SyncRun
from tests.factories.integrations import CustomerFactory, DeviceFactory, OrderFactory, ProductFactory
from tests.fakes.shop import shop_order, shop_product
from tests.fakes.thingsboard import tb_customer, tb_device, tb_uuid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _set_up(admin_user):
    """An admin exists, so the instance is past the setup wizard."""


@pytest.fixture
def q_sync(monkeypatch):
    """django-q2 runs queued tasks at once, in this process."""
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)


@pytest.fixture
def employee_api(api_for, employee):
    return api_for(employee)


@pytest.fixture
def user_api(api_for, plain_user):
    return api_for(plain_user)


def data(response):
    assert response.status_code < 400, response.content
    return response.json()["data"]


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "error"
    return body


# --- Customers ------------------------------------------------------------------------------------------------


def test_customer_list_search_filter_and_roles(api, user_api, api_for, participant):
    CustomerFactory(name="Alpha GmbH", city="Berlin")
    CustomerFactory(name="Beta AG", city="München")
    gone = CustomerFactory(name="Gamma KG", remote_deleted_at=timezone.now(), remote_hash="x")
    page = data(user_api.get("/api/customers"))
    assert [c["name"] for c in page["results"]] == ["Alpha GmbH", "Beta AG", "Gamma KG"]
    assert data(user_api.get("/api/customers?search=beta"))["count"] == 1
    assert [c["name"] for c in data(user_api.get("/api/customers?city=münchen"))["results"]] == ["Beta AG"]
    assert [c["id"] for c in data(user_api.get("/api/customers?deleted=true"))["results"]] == [gone.id]
    assert data(user_api.get("/api/customers?origin=local"))["count"] == 2
    assert data(api.get("/api/customers?ordering=-name"))["results"][0]["name"] == "Gamma KG"
    error(api_for(participant).get("/api/customers"), 403)
    error(api_for(None).get("/api/customers"), 401)


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_counts_do_not_grow_with_the_rows(api, django_assert_max_num_queries, count):
    for n in range(count):
        customer = CustomerFactory()
        DeviceFactory(customer=customer)
        DeviceFactory(customer=None, customer_id=f"unknown-{n}")
        order = OrderFactory()
        order.items.create(name="x", quantity=1, price=Decimal(1), product_id="1")
        ProductFactory()
    for url in ("/api/customers", "/api/devices", "/api/shop/orders", "/api/shop/products", "/api/sync/runs"):
        with django_assert_max_num_queries(4):
            assert api.get(url + "?page_size=100").status_code == 200


def test_create_a_local_customer(employee_api, user_api):
    body = {"name": "Werkstatt Nord", "email": "nord@example.org", "additional_info": {"note": "Tür hinten"}}
    response = employee_api.post("/api/customers", body, format="json")
    assert response.status_code == 201, response.content
    created = data(response)
    assert created["origin"] == "local" and len(created["id"]) == 36
    assert Customer.objects.get(pk=created["id"]).additional_info == {"note": "Tür hinten"}
    error(user_api.post("/api/customers", {"name": "x"}, format="json"), 403)
    body = error(employee_api.post("/api/customers", {"name": "y", "email": "no-mail"}, format="json"), 400)
    assert "email" in body["errors"]
    body = error(employee_api.post("/api/customers", {"name": "y", "additional_info": [1]}, format="json"), 400)
    assert "additional_info" in body["errors"]
    error(employee_api.post("/api/customers", {"title": "no name"}, format="json"), 400)
    error(employee_api.post("/api/customers", ["not", "an", "object"], format="json"), 400)


def test_customer_detail_etag_and_patch(employee_api):
    customer = CustomerFactory(name="Alpha")
    response = employee_api.get(f"/api/customers/{customer.id}")
    tag = response["ETag"]
    response = employee_api.patch(f"/api/customers/{customer.id}", {"phone": "+49 1"}, format="json",
                                  HTTP_IF_MATCH=tag)  # fmt: skip
    assert data(response)["phone"] == "+49 1"
    stale = employee_api.patch(f"/api/customers/{customer.id}", {"phone": "+49 2"}, format="json", HTTP_IF_MATCH=tag)
    error(stale, 412)
    error(employee_api.get("/api/customers/does-not-exist"), 404)


# --- Devices ---------------------------------------------------------------------------------------------------


def test_devices_with_customer_names_and_the_unknown_customer(user_api):
    customer = CustomerFactory(name="Alpha")
    DeviceFactory(name="A-1", customer=customer, type="thermo")
    DeviceFactory(name="B-1", customer=None, customer_id="9b2f0000-0000-0000-0000-000000000000")
    DeviceFactory(name="C-1", customer=None)
    rows = {d["name"]: d for d in data(user_api.get("/api/devices"))["results"]}
    assert (rows["A-1"]["customer"], rows["A-1"]["customer_name"]) == (customer.id, "Alpha")
    assert (rows["B-1"]["customer"], rows["B-1"]["customer_name"]) == ("9b2f0000-0000-0000-0000-000000000000", None)
    assert (rows["C-1"]["customer"], rows["C-1"]["customer_name"]) == (None, None)
    names = lambda query: [d["name"] for d in data(user_api.get("/api/devices" + query))["results"]]  # noqa: E731
    assert names("?state=unknown") == ["B-1"]
    assert names("?state=unassigned") == ["C-1"]
    assert names("?state=assigned") == ["A-1"]
    assert names(f"?customer={customer.id}") == ["A-1"]
    assert names("?customer=9b2f0000-0000-0000-0000-000000000000") == ["B-1"]
    assert names("?search=alpha") == ["A-1"]
    assert names("?type=thermo") == ["A-1"]
    error(user_api.get("/api/devices?state=bogus"), 400)


def test_reads_answer_while_the_remote_systems_are_down(user_api, api, settings):
    settings.THINGSBOARD_URL = "http://127.0.0.1:9"
    settings.SHOP_API_URL = "http://127.0.0.1:9"
    settings.THINGSBOARD_USERNAME = settings.THINGSBOARD_PASSWORD = settings.SHOP_API_TOKEN = "x"
    DeviceFactory()
    OrderFactory()
    ProductFactory()
    for url in ("/api/customers", "/api/devices"):
        assert data(user_api.get(url))["count"] >= 1
    for url in ("/api/shop/orders", "/api/shop/products", "/api/shop/orders/stats", "/api/sync/runs",
                "/api/sync/status"):  # fmt: skip
        assert api.get(url).status_code == 200, url


# --- Sync triggers ---------------------------------------------------------------------------------------------


def test_customer_sync_is_queued_and_run_by_the_worker(
    employee_api, fake_tb, q_sync, django_capture_on_commit_callbacks
):
    fake_tb.customers = [tb_customer(1), tb_customer(2)]
    fake_tb.devices = [tb_device(1, customer=1)]
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_api.post("/api/customers/sync")
    assert response.status_code == 202, response.content
    started = response.json()["data"]
    assert started["source"] == "thingsboard" and not started["already_running"]
    run = SyncRun.objects.get(pk=started["run_id"])
    assert (run.status, run.trigger, run.created) == (SyncRun.Status.SUCCEEDED, "api", 3)
    assert Device.objects.get().customer.name == "Kunde 1"
    detail = data(employee_api.get(f"/api/sync/runs/{run.pk}"))
    assert detail["summary"].startswith("created=3 ") and detail["started_by"] == "employee"


def test_a_second_trigger_reports_the_run_in_progress(employee_api, fake_tb):
    first = data(employee_api.post("/api/customers/sync"))
    again = employee_api.post("/api/customers/sync")
    assert again.status_code == 202
    assert again.json()["data"] == {**first, "already_running": True}
    # German by default (the autouse English of tests/integrations covers only code run outside a request).
    assert (
        again.json()["message"]
        == f"Eine Synchronisierung von ThingsBoard ist bereits eingereiht (Lauf #{first['run_id']})."
    )
    english = employee_api.post("/api/customers/sync", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert english == f"A ThingsBoard sync is already queued (run #{first['run_id']})."
    assert SyncRun.objects.count() == 1


def test_sync_needs_the_capability_and_a_configuration(user_api, employee_api, settings):
    error(user_api.post("/api/customers/sync"), 403)
    error(user_api.post("/api/shop/sync-orders"), 403)
    settings.THINGSBOARD_URL = ""
    body = error(employee_api.post("/api/customers/sync"), 400)
    assert "THINGSBOARD_URL" in body["message"]
    error(employee_api.post("/api/customers/sync", ["x"], format="json"), 400)
    error(employee_api.post("/api/customers/sync", {"dry_run": "maybe"}, format="json"), 400)
    error(employee_api.get("/api/customers/sync"), 405)


def test_shop_sync_triggers_queue_one_record_type(employee_api, fake_shop, q_sync, django_capture_on_commit_callbacks):
    fake_shop.products = [shop_product(1)]
    fake_shop.orders = [shop_order(1)]
    with django_capture_on_commit_callbacks(execute=True):
        products = data(employee_api.post("/api/shop/sync-products"))
    with django_capture_on_commit_callbacks(execute=True):
        orders = data(employee_api.post("/api/shop/sync-orders", {"dry_run": True}, format="json"))
    assert products["entities"] == ["products"] and orders["entities"] == ["orders"]
    assert Product.objects.count() == 1 and Order.objects.count() == 0  # the orders run was a dry run
    assert SyncRun.objects.get(pk=orders["run_id"]).created == 1


def test_sync_status(api, fake_tb, admin_user):
    fake_tb.customers = [tb_customer(1)]
    run = services.sync_now(source="thingsboard", trigger="command")
    customer = Customer.objects.get()
    services.customer_update(customer=customer, user=admin_user, city="Köln")
    fake_tb.customers[0]["city"] = "Bonn"
    services.sync_now(source="thingsboard", trigger="command")
    status = data(api.get("/api/sync/status"))
    assert set(status) == {"thingsboard", "shop"}
    thingsboard = status["thingsboard"]
    assert thingsboard["configured"] and thingsboard["running"] is None
    assert thingsboard["last_run"]["id"] == run.pk + 1 and thingsboard["open_conflicts"] == 1
    assert status["shop"]["configured"] is False and status["shop"]["last_run"] is None
    runs = data(api.get("/api/sync/runs?source=thingsboard"))
    assert runs["count"] == 2 and runs["results"][0]["conflicts"] == 1


# --- Shop --------------------------------------------------------------------------------------------------------


@pytest.fixture
def shop_data(fake_shop):
    fake_shop.products = [shop_product(1, price="10.00", stock=5), shop_product(2)]
    fake_shop.orders = [
        shop_order(1, status="completed", created_at="2026-03-02T10:00:00+01:00",
                   items=[{"product_id": 1, "name": "Produkt 1", "quantity": 2, "price": "10.00"}]),
        shop_order(2, status="cancelled", created_at="2026-03-02T11:00:00+01:00", total="5.00"),
        shop_order(3, status="processing", created_at="2026-03-03T11:00:00+01:00", total="7.50"),
    ]  # fmt: skip
    services.sync_now(source="shop", trigger="command")
    return fake_shop


def test_orders_list_detail_and_stats(api, shop_data):
    orders = data(api.get("/api/shop/orders"))["results"]
    assert [o["external_id"] for o in orders] == ["1003", "1002", "1001"]
    assert orders[2]["item_count"] == 1
    order = Order.objects.get(external_id="1001")
    detail = data(api.get(f"/api/shop/orders/{order.pk}"))
    assert detail["items"] == [{"position": 1, "product_id": "1", "name": "Produkt 1", "quantity": 2,
                                "price": "10.00", "line_total": "20.00"}]  # fmt: skip
    assert data(api.get("/api/shop/orders?status=CANCELLED"))["count"] == 1
    assert data(api.get("/api/shop/orders?since=2026-03-03"))["count"] == 1
    stats = data(api.get("/api/shop/orders/stats"))
    assert (stats["total_orders"], Decimal(stats["total_revenue"])) == (3, Decimal("27.50"))
    by_status = {row["status"]: (row["count"], Decimal(row["revenue"])) for row in stats["by_status"]}
    assert by_status == {"cancelled": (1, Decimal("5.00")), "completed": (1, Decimal("20.00")),
                         "processing": (1, Decimal("7.50"))}  # fmt: skip
    assert [(d["day"], d["count"], Decimal(d["revenue"])) for d in stats["by_day"]] == [
        ("2026-03-02", 2, Decimal("20.00")), ("2026-03-03", 1, Decimal("7.50")),
    ]  # fmt: skip
    assert data(api.get("/api/shop/orders/stats?until=2026-03-02"))["total_orders"] == 2
    error(api.get("/api/shop/orders/stats?since=2026-03-05&until=2026-03-01"), 400)
    error(api.get("/api/shop/orders/stats?since=soon"), 400)
    error(api.get("/api/shop/orders/999999"), 404)


def test_order_edits_survive_the_next_sync(employee_api, shop_data):
    order = Order.objects.get(external_id="1003")
    tag = employee_api.get(f"/api/shop/orders/{order.pk}")["ETag"]
    response = employee_api.put(f"/api/shop/orders/{order.pk}/status", {"status": "shipped"}, format="json",
                                HTTP_IF_MATCH=tag)  # fmt: skip
    assert data(response)["status"] == "shipped"
    error(employee_api.put(f"/api/shop/orders/{order.pk}/status", {"status": "x"}, format="json", HTTP_IF_MATCH=tag),
          412)  # fmt: skip
    saved = data(employee_api.put(f"/api/shop/orders/{order.pk}", {"notes": "Abholung Fr", "customer_phone": "0170"},
                                  format="json"))  # fmt: skip
    assert (saved["notes"], saved["customer_phone"], saved["status"]) == ("Abholung Fr", "0170", "shipped")
    shop_data.orders[2].update(status="completed", customer_phone="0999", customer_name="Neu")
    services.sync_now(source="shop", trigger="command")
    order.refresh_from_db()
    assert (order.status, order.customer_phone, order.notes, order.customer_name) == (
        "shipped", "0170", "Abholung Fr", "Neu",
    )  # fmt: skip
    assert SyncConflict.objects.filter(resolved_at=None).count() == 2
    error(employee_api.put(f"/api/shop/orders/{order.pk}/status", {"status": "  "}, format="json"), 400)
    error(employee_api.put(f"/api/shop/orders/{order.pk}", {"total": "-1"}, format="json"), 400)


def test_product_field_endpoints(employee_api, user_api, shop_data):
    product = Product.objects.get(external_id="1")
    base = f"/api/shop/products/{product.pk}"
    assert data(employee_api.put(f"{base}/stock", {"stock": 42}, format="json"))["stock"] == 42
    assert data(employee_api.put(f"{base}/price", {"price": "12.50"}, format="json"))["price"] == "12.50"
    assert data(employee_api.put(f"{base}/cost", {"cost": "4.10"}, format="json"))["cost"] == "4.10"
    assert data(employee_api.put(f"{base}/hidden", {"hidden": True}, format="json"))["hidden"] is True
    analytics = {"views": 10, "note": "Renner"}
    assert (
        data(employee_api.put(f"{base}/analytics", {"analytics": analytics}, format="json"))["analytics"] == analytics
    )
    error(employee_api.put(f"{base}/cost", {"cost": "-1"}, format="json"), 400)
    error(employee_api.put(f"{base}/stock", {"stock": 10**12}, format="json"), 400)
    error(employee_api.put(f"{base}/analytics", {"analytics": [1, 2]}, format="json"), 400)
    error(employee_api.put(f"{base}/hidden", {}, format="json"), 400)
    error(user_api.put(f"{base}/stock", {"stock": 1}, format="json"), 403)
    error(user_api.get("/api/shop/products"), 403)  # shop data is for staff
    shop_data.products[0].update(stock=1, price="11.00", name="Neu")
    services.sync_now(source="shop", trigger="command")
    product.refresh_from_db()
    assert (product.stock, product.price, product.cost, product.hidden, product.name) == (
        42, Decimal("12.50"), Decimal("4.10"), True, "Neu",
    )  # fmt: skip


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/api/customers", {"name": "\x00"}),
        ("post", "/api/customers", {"name": "x" * 300}),
        ("patch", "/api/customers/{customer}", {"additional_info": {"a": "\x00"}}),
        ("put", "/api/shop/orders/{order}", {"status": None}),
        ("put", "/api/shop/orders/{order}/status", "plain text"),
        ("put", "/api/shop/products/{product}/price", {"price": "1e999"}),
        ("put", "/api/shop/products/{product}/analytics", {"analytics": {"a": {"b": {"c": {"d": {"e": {"f": {
            "g": {"h": {"i": 1}}}}}}}}}}),
        ("post", "/api/shop/sync-orders", {"dry_run": [1]}),
        ("get", "/api/devices?ordering=customer__bogus", None),
    ],
)  # fmt: skip
def test_malformed_requests_never_give_a_500(api, method, path, body):
    ids = {"customer": CustomerFactory().id, "order": OrderFactory().pk, "product": ProductFactory().pk}
    response = getattr(api, method)(path.format(**ids), body, format="json")
    assert response.status_code < 500, response.content
    assert response.json()["status"] in ("success", "error")


def test_runs_list_filters(api):
    SyncRun.objects.create(source="shop", trigger="schedule", status="succeeded", finished_at=timezone.now())
    SyncRun.objects.create(source="thingsboard", trigger="api", status="failed", message="HTTP 500",
                           finished_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    assert [r["source"] for r in data(api.get("/api/sync/runs?status=failed"))["results"]] == ["thingsboard"]
    assert data(api.get("/api/sync/runs?trigger=schedule"))["count"] == 1
    error(api.get("/api/sync/runs/abc"), 404)


def test_conflict_ids_are_per_record(fake_tb, admin_user):
    fake_tb.customers = [tb_customer(1), tb_customer(2)]
    services.sync_now(source="thingsboard", trigger="command")
    for n in (1, 2):
        services.customer_update(customer=Customer.objects.get(pk=tb_uuid(1, n)), user=admin_user, city="X")
        fake_tb.customers[n - 1]["city"] = "Y"
    services.sync_now(source="thingsboard", trigger="command")
    assert sorted(SyncConflict.objects.values_list("object_id", flat=True)) == [tb_uuid(1, 1), tb_uuid(1, 2)]


def test_roles_for_sync_runs(api_for, plain_user, employee):
    error(api_for(plain_user).get("/api/sync/runs"), 403)
    assert api_for(employee).get("/api/sync/status").status_code == 200
