"""Shop orders and products from a real local HTTP server speaking the shop API of CONTRACT 5.2:
body shapes, paging, items, trends, local edits and local-only fields, failures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from integrations import services
from integrations.models import Order, OrderItem, Product, ProductTrend, SyncRun
from integrations.shop import product_trends_rebuild
from tests.fakes.shop import PAGING, SHAPES, shop_order, shop_product

pytestmark = pytest.mark.django_db


def sync(entities=None, **kwargs) -> SyncRun:
    return services.sync_now(source="shop", trigger=SyncRun.Trigger.COMMAND, entities=entities, **kwargs)


@pytest.fixture
def shop(fake_shop, monkeypatch):
    monkeypatch.setattr("integrations.shop.PER_PAGE", 3)
    fake_shop.products = [shop_product(n) for n in range(1, 9)]
    fake_shop.orders = [
        shop_order(n, items=[{"product_id": n % 3 + 1, "name": f"Produkt {n % 3 + 1}", "quantity": n, "price": "2.50"}])
        for n in range(1, 8)
    ]
    return fake_shop


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("paging", PAGING)
def test_every_body_shape_and_paging_style(shop, shape, paging):
    shop.shape, shop.paging = shape, paging
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert (Product.objects.count(), Order.objects.count(), run.created) == (8, 7, 15)
    pages = [int(r.query["page"]) for r in shop.requests if r.path == "/products"]
    # 8 products in pages of 3: pages 1-3, plus the empty page 4 when nothing says how many there are
    # (a bare array cannot say).
    assert pages == ([1, 2, 3, 4] if paging == "empty" or shape == "list" else [1, 2, 3])
    assert all(r.headers["authorization"] == shop.token for r in shop.requests)
    assert all(r.query["per_page"] == "3" for r in shop.requests)


def test_a_shop_that_ignores_paging_is_read_once(shop):
    shop.ignore_paging = True
    shop.shape = "list"
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert Product.objects.count() == 8
    assert [r.query["page"] for r in shop.requests if r.path == "/products"] == ["1", "2"]


def test_products_and_orders_with_items_are_mapped(shop):
    shop.orders.append(
        shop_order(50, status="completed", total="12.40", customer_name="Jörg Ærøskøbing", customer_phone=None,
                   created_at="2026-03-05T23:30:00Z",
                   items=[{"product_id": "2", "name": "Produkt 2", "quantity": 1, "price": "2.40"},
                          {"product_id": None, "name": "Versand", "quantity": 1, "price": "10.00"}])
    )  # fmt: skip
    run = sync()
    assert run.failed == 0
    product = Product.objects.get(external_id="5")
    assert (product.name, product.price, product.stock, product.category, product.is_active) == (
        "Produkt 5", Decimal("14.90"), 5, "Zubehör", True,
    )  # fmt: skip
    order = Order.objects.get(external_id="1050")
    assert (order.status, order.total, order.customer_name, order.customer_phone) == (
        "completed", Decimal("12.40"), "Jörg Ærøskøbing", "",
    )  # fmt: skip
    assert order.ordered_at == datetime.datetime(2026, 3, 5, 23, 30, tzinfo=datetime.UTC)
    items = list(order.items.order_by("position").values_list("product_id", "name", "quantity", "price"))
    assert items == [("2", "Produkt 2", 1, Decimal("2.40")), (None, "Versand", 1, Decimal("10.00"))]


def test_changed_items_replace_the_old_ones(shop):
    sync()
    order = Order.objects.get(external_id="1001")
    shop.orders[0]["items"] = [{"product_id": 4, "name": "Produkt 4", "quantity": 3, "price": "1.00"}]
    run = sync(["orders"])
    assert run.updated == 1
    assert list(order.items.values_list("product_id", "quantity")) == [("4", 3)]
    assert sync(["orders"]).unchanged == 7


def test_local_edits_survive_and_local_only_fields_are_never_written(shop, admin_user):
    sync()
    product = Product.objects.get(external_id="1")
    services.product_update(
        product=product, user=admin_user, stock=99, price=Decimal("1.00"), cost=Decimal("0.40"), hidden=True,
        analytics={"margin": "high"},
    )  # fmt: skip
    order = Order.objects.get(external_id="1002")
    services.order_update(order=order, user=admin_user, status="shipped", notes="Abgeholt")
    # The shop changes other fields, and sends keys that look like the local-only ones.
    shop.products[0].update(name="Produkt eins", cost="9.99", hidden=False, analytics={"x": 1}, notes="no")
    shop.orders[1].update(customer_name="Neu", notes="from the shop")
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    product.refresh_from_db()
    order.refresh_from_db()
    assert (product.name, product.stock, product.price) == ("Produkt eins", 99, Decimal("1.00"))
    assert (product.cost, product.hidden, product.analytics) == (Decimal("0.40"), True, {"margin": "high"})
    assert (order.customer_name, order.status, order.notes) == ("Neu", "shipped", "Abgeholt")
    assert (run.updated, run.preserved, run.conflicts) == (2, 2, 0)
    # The shop changes the edited stock too: a conflict, the local value stays.
    shop.products[0]["stock"] = 3
    run = sync(["products"])
    product.refresh_from_db()
    assert (run.conflicts, product.stock) == (1, 99)


def test_trends_are_rebuilt_from_the_orders(shop, admin_user):
    shop.orders = [
        shop_order(1, created_at="2026-03-02T10:00:00+01:00", items=[{"product_id": 1, "name": "A", "quantity": 2,
                                                                       "price": "5.00"}]),
        shop_order(2, created_at="2026-03-02T18:00:00+01:00", items=[{"product_id": 1, "name": "A", "quantity": 1,
                                                                       "price": "5.00"}]),
        shop_order(3, created_at="2026-03-03T09:00:00+01:00", items=[{"product_id": 2, "name": "B", "quantity": 4,
                                                                       "price": "1.25"}]),
        shop_order(4, status="cancelled", created_at="2026-03-03T09:00:00+01:00",
                   items=[{"product_id": 2, "name": "B", "quantity": 100, "price": "1.25"}]),
    ]  # fmt: skip
    sync()
    trends = list(ProductTrend.objects.order_by("product_id", "day").values_list("product_id", "day", "quantity",
                                                                                   "revenue", "orders"))  # fmt: skip
    assert trends == [
        ("1", datetime.date(2026, 3, 2), 3, Decimal("15.00"), 2),
        ("2", datetime.date(2026, 3, 3), 4, Decimal("5.00"), 1),
    ]
    # A local cancellation takes the order out of the trends at once.
    services.order_update(order=Order.objects.get(external_id="1003"), user=admin_user, status="cancelled")
    assert not ProductTrend.objects.filter(product_id="2").exists()
    assert product_trends_rebuild() == 1


def test_vanished_orders_are_marked_and_leave_the_trends(shop):
    sync()
    # Orders 1, 4 and 7 sold product 2 (1 + 4 + 7 pieces).
    assert ProductTrend.objects.get(product_id="2").quantity == 12
    gone = shop.orders.pop()
    assert sync().deleted == 1
    order = Order.objects.get(external_id=str(gone["id"]))
    assert order.remote_deleted_at is not None and order.items.exists()
    assert ProductTrend.objects.get(product_id="2").quantity == 5


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda shop: shop.fail("orders", 3), "HTTP 500 (/orders, page 3)"),
        (lambda shop: shop.fail("orders", 2, status=401), "refused the API token (HTTP 401, /orders, page 2)"),
        (lambda shop: shop.truncate("products", 2), "not valid JSON (/products, page 2)"),
        (lambda shop: shop.slow("orders", 1, seconds=3), "did not answer within 0.5 s"),
        (lambda shop: setattr(shop, "shape", "unknown"), "holds no list of products"),
    ],
    ids=["500-page-3", "401-mid-run", "truncated", "timeout", "no-list"],
)
def test_a_failing_shop_changes_nothing(shop, settings, breakage, message, admin_user):
    sync()
    services.order_update(order=Order.objects.get(external_id="1001"), user=admin_user, notes="lokal")
    before = (list(Product.objects.values()), list(Order.objects.values()), list(OrderItem.objects.values()),
              list(ProductTrend.objects.values()))  # fmt: skip
    shop.products[0]["price"] = "1.00"
    shop.orders.pop()
    settings.SYNC_HTTP_TIMEOUT = 0.5
    breakage(shop)
    run = sync()
    assert run.status == SyncRun.Status.FAILED
    assert message in run.message, run.message
    after = (list(Product.objects.values()), list(Order.objects.values()), list(OrderItem.objects.values()),
             list(ProductTrend.objects.values()))  # fmt: skip
    assert after == before


def test_bad_records_are_skipped(shop):
    shop.products.append(shop_product(20, price="teuer"))
    shop.products.append(shop_product(21, stock=10**12))
    shop.products.append({"name": "no id"})
    shop.orders.append(
        shop_order(30, total="1.00", items=[{"product_id": 1, "name": "A", "quantity": "viele", "price": "1"}])
    )
    shop.orders.append(shop_order(31, total="1.00", items="not a list"))
    shop.products.append(shop_product(22, name=None, price=None, stock=None, category=None, is_active=None,
                                      updated_at=None))  # fmt: skip
    run = sync()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.failed == 5
    nulls = Product.objects.get(external_id="22")
    assert (nulls.name, nulls.price, nulls.stock, nulls.category, nulls.is_active) == ("", None, 0, "", True)
    assert {e["remote_id"] for e in run.errors} == {"20", "21", None, "1030", "1031"}


def test_run_messages_are_written_in_the_language_of_the_run(shop):
    # Stored on the run as written: skipped records and the failure of the source alike, even when the
    # failure happens in the thread that fetches the next pages.
    shop.products.append(shop_product(20, price="teuer"))
    shop.orders.append(shop_order(30, total="1.00", items="not a list"))
    with translation.override("de"):
        run = sync()
    messages = {e["remote_id"]: e["message"] for e in run.errors}
    assert messages == {"20": "price: 'teuer' ist keine Zahl", "1030": "items: Liste erwartet"}
    shop.fail("orders", 3)
    with translation.override("de"):
        run = sync()
    assert run.message == "Der Shop hat mit HTTP 500 geantwortet (/orders, Seite 3)."
    with translation.override("en"):
        run = sync()
    assert run.message == "The shop answered with HTTP 500 (/orders, page 3)."


def test_not_configured(settings, db):
    settings.SHOP_API_URL = ""
    from scandy_site.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        sync()
    assert "SHOP_API_URL" in refused.value.message
