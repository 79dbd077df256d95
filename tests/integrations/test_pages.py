"""The pages of the integrations, driven through the test client as a browser would: devices and
customers from the local tables only, shop orders and products with local edits, the customer sync
page and the back office."""

import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from integrations import services
from integrations.models import Customer, Order, Product, SyncConflict, SyncRun
from scandy_site.accounts import roles
from tests.factories.integrations import CustomerFactory, DeviceFactory, OrderFactory, ProductFactory
from tests.fakes.shop import shop_order, shop_product
from tests.fakes.thingsboard import tb_customer, tb_device, tb_uuid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _set_up(admin_user):
    """An admin exists, so the instance is past the setup wizard."""


def german(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "de"
    return client


@pytest.fixture
def pages(page_client_for):
    def make(user):
        client = page_client_for(user)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def device_rows(response) -> list[str]:
    return re.findall(r'<tr data-device="([^"]+)"', html(response))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Devices and customers ---------------------------------------------------------------------------------


def test_devices_page_shows_customer_names_and_fallbacks_without_calling_thingsboard(pages, plain_user, fake_tb):
    alpha = CustomerFactory(name="Alpha GmbH")
    DeviceFactory(id="d-1", name="Sensor Nord", customer=alpha, label="Halle 1")
    DeviceFactory(id="d-2", name="Sensor Süd", customer=None, customer_id="c0ffee00-0000-0000-0000-000000000000")
    DeviceFactory(id="d-3", name="Sensor West", customer=None, remote_deleted_at=timezone.now())
    page = html(pages(plain_user).get("/inventory/devices/"))
    assert "Alpha GmbH" in page and "Halle 1" in page
    assert "Unknown customer" in page and "No customer" in page
    assert "deleted in ThingsBoard" in page
    assert fake_tb.requests == []  # served from the local tables only


def test_devices_page_filters(pages, employee):
    alpha = CustomerFactory(name="Alpha")
    DeviceFactory(id="a", name="Thermo 1", customer=alpha, type="thermo")
    DeviceFactory(id="b", name="Door 1", customer=alpha, type="door")
    DeviceFactory(id="c", name="Door 2", customer=None, customer_id="gone-customer", type="door")
    DeviceFactory(id="d", name="Door 3", customer=None, type="door")
    client = pages(employee)
    assert device_rows(client.get("/inventory/devices/?type=door")) == ["b", "c", "d"]
    assert device_rows(client.get("/inventory/devices/?q=thermo")) == ["a"]
    assert device_rows(client.get("/inventory/devices/?q=alpha")) == ["b", "a"]
    assert device_rows(client.get("/inventory/devices/?state=unknown")) == ["c"]
    assert device_rows(client.get("/inventory/devices/?state=unassigned")) == ["d"]
    response = client.get(f"/inventory/devices/?customer={alpha.id}")
    assert device_rows(response) == ["b", "a"] and 'data-testid="customer-chip"' in html(response)
    assert device_rows(client.get("/inventory/devices/?customer=gone-customer")) == ["c"]
    assert device_rows(client.get("/inventory/devices/?ordering=-name")) == ["a", "d", "c", "b"]
    assert device_rows(client.get("/inventory/devices/?ordering=bogus&state=bogus")) == ["b", "c", "d", "a"]
    partial = client.get("/inventory/devices/?q=door", HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial) and len(device_rows(partial)) == 3
    assert "No device matches" in html(client.get("/inventory/devices/?q=nothing"))


def test_devices_page_query_count_does_not_grow(pages, plain_user, django_assert_max_num_queries):
    customers = [CustomerFactory() for _ in range(5)]
    for n in range(120):
        DeviceFactory(customer=customers[n % 5] if n % 7 else None, type=f"type-{n % 4}")
    client = pages(plain_user)
    client.get("/inventory/devices/")  # warm caches (content types, site configuration)
    with django_assert_max_num_queries(10):
        assert len(device_rows(client.get("/inventory/devices/?page=2"))) == 50
    with django_assert_max_num_queries(10):
        assert client.get("/inventory/devices/?state=assigned&q=Sensor&ordering=customer").status_code == 200


def test_pages_need_their_capability(pages, participant, plain_user):
    assert pages(participant).get("/inventory/devices/").status_code == 403
    assert pages(participant).get("/inventory/customers/").status_code == 403
    assert pages(plain_user).get("/shop/orders/").status_code == 403
    assert pages(plain_user).get("/admin/customer-sync/").status_code == 302  # not staff: the admin login


def test_customer_page_with_device_counts(pages, plain_user):
    alpha = CustomerFactory(name="Alpha")
    CustomerFactory(name="Beta")
    DeviceFactory(customer=alpha)
    DeviceFactory(customer=alpha)
    page = html(pages(plain_user).get("/inventory/customers/?ordering=-devices"))
    assert page.index("Alpha") < page.index("Beta")
    assert f'?customer={alpha.id}">2</a>' in page


def test_navigation_entries(pages, plain_user, employee):
    assert 'data-nav="devices"' in html(pages(plain_user).get("/inventory/devices/"))
    assert 'data-nav="shop"' not in html(pages(plain_user).get("/inventory/devices/"))
    assert 'data-nav="shop"' in html(pages(employee).get("/inventory/devices/"))


# --- Starting a sync from a page ----------------------------------------------------------------------------


def test_sync_button_queues_a_run_and_returns(pages, employee, plain_user, fake_shop):
    client = pages(employee)
    assert 'data-testid="sync-now"' in html(client.get("/shop/orders/"))
    response = client.post("/integrations/sync/shop/", {"next": "/shop/orders/?status=x"}, follow=True)
    assert response.redirect_chain[-1][0] == "/shop/orders/?status=x"
    run = SyncRun.objects.get()
    assert (run.source, run.status, run.started_by) == ("shop", "queued", employee)
    assert "queued" in messages_of(response)[0]
    response = client.post("/integrations/sync/shop/", {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/" and "already" in messages_of(response)[0]
    assert pages(plain_user).post("/integrations/sync/shop/").status_code == 403
    assert 'data-testid="sync-now"' not in html(pages(plain_user).get("/inventory/devices/"))


def test_sync_button_without_configuration_says_what_is_missing(pages, employee, settings):
    settings.THINGSBOARD_URL = ""
    response = pages(employee).post("/integrations/sync/thingsboard/", {"next": "/inventory/devices/"}, follow=True)
    assert "THINGSBOARD_URL" in messages_of(response)[0]
    assert not SyncRun.objects.exists()


# --- Shop pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def shop_synced(fake_shop):
    fake_shop.products = [shop_product(1, price="10.00", stock=4), shop_product(2, name="Versteckt")]
    items = [{"product_id": 1, "name": "Produkt 1", "quantity": 3, "price": "10.00"}]
    fake_shop.orders = [shop_order(1, created_at=timezone.now().isoformat(), items=items)]
    services.sync_now(source="shop", trigger="command")
    return fake_shop


def test_order_pages_and_a_local_edit(pages, employee, shop_synced):
    client = pages(employee)
    order = Order.objects.get()
    assert "#1001" in html(client.get("/shop/orders/"))
    page = html(client.get(f"/shop/orders/{order.pk}/"))
    assert "Produkt 1" in page and "30.00 €" in page
    form = {"status": "shipped", "total": "30.00", "customer_name": order.customer_name, "customer_phone": "0170 1",
            "notes": "Abholung"}  # fmt: skip
    response = client.post(f"/shop/orders/{order.pk}/", form, follow=True)
    assert "stays when the shop is synced again" in messages_of(response)[0]
    page = html(response)
    assert page.count("edited here") == 2  # status and phone differ from the shop's values now
    shop_synced.orders[0]["status"] = "completed"
    services.sync_now(source="shop", trigger="command")
    order.refresh_from_db()
    assert (order.status, order.notes) == ("shipped", "Abholung")
    assert 'data-testid="conflicts"' in html(client.get(f"/shop/orders/{order.pk}/"))
    bad = client.post(f"/shop/orders/{order.pk}/", {"status": "shipped", "total": "-5"})
    assert bad.status_code == 400 and Order.objects.get().total == Decimal("30.00")


def test_order_edit_needs_shop_edit(pages, employee, shop_synced, monkeypatch):
    order = Order.objects.get()
    monkeypatch.setitem(roles.CAPABILITIES, "shop.edit", frozenset({"admin"}))
    response = pages(employee).post(f"/shop/orders/{order.pk}/", {"status": "x"})
    assert response.status_code == 403


def test_product_pages_hidden_filter_edit_and_trend(pages, employee, shop_synced):
    client = pages(employee)
    hidden = Product.objects.get(external_id="2")
    services.product_update(product=hidden, user=employee, hidden=True)
    listing = html(client.get("/shop/products/"))
    assert "Produkt 1" in listing and "Versteckt" not in listing
    assert "Versteckt" in html(client.get("/shop/products/?hidden=all"))
    assert "Produkt 1" not in html(client.get("/shop/products/?hidden=yes"))
    product = Product.objects.get(external_id="1")
    page = html(client.get(f"/shop/products/{product.pk}/"))
    assert re.search(r'data-testid="sold-30">3<', page)
    response = client.post(f"/shop/products/{product.pk}/", {"name": "Produkt 1", "category": "Zubehör",
                           "price": "12.00", "stock": "9", "is_active": "on", "cost": "4.00"}, follow=True)  # fmt: skip
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.price, product.stock, product.cost) == (Decimal("12.00"), 9, Decimal("4.00"))
    assert client.post(f"/shop/products/{product.pk}/", {"name": "x", "stock": "1", "cost": "-1"}).status_code == 400


# --- /admin/customer-sync/ ---------------------------------------------------------------------------------------


def test_customer_sync_page_is_for_administrators(pages, admin_user, employee, fake_tb):
    CustomerFactory(name="Alpha GmbH")
    page = html(pages(admin_user).get("/admin/customer-sync/"))
    assert "Alpha GmbH" in page
    assert f"service account ({fake_tb.username})" in page
    assert fake_tb.password not in page
    assert pages(employee).get("/admin/customer-sync/").status_code == 403


def test_customer_sync_page_starts_and_follows_a_run(pages, admin_user, fake_tb, monkeypatch,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    monkeypatch.setattr("django_q.conf.Conf.SYNC", True)
    fake_tb.customers = [tb_customer(1)]
    fake_tb.devices = [tb_device(1, customer=1)]
    client = pages(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/customer-sync/", follow=True)
    assert "queued" in messages_of(response)[0]
    run = SyncRun.objects.get()
    assert (run.trigger, run.status, run.created) == ("admin", "succeeded", 2)
    status = html(client.get("/admin/customer-sync/status/"))
    assert "created=2" in status and "hx-trigger" not in status  # nothing running: no more polling
    assert "Kunde 1" in html(client.get("/admin/customer-sync/?q=kunde"))


def test_customer_sync_page_polls_while_a_run_is_active(pages, admin_user, fake_tb):
    services.sync_request(source="thingsboard", trigger="api", enqueue=False)
    status = html(pages(admin_user).get("/admin/customer-sync/status/"))
    assert 'hx-trigger="every 2s"' in status and 'data-testid="active-run"' in status


def test_customer_sync_page_without_credentials(pages, admin_user, settings):
    settings.THINGSBOARD_URL = "http://127.0.0.1:9"
    settings.THINGSBOARD_USERNAME = settings.THINGSBOARD_PASSWORD = ""
    page = html(pages(admin_user).get("/admin/customer-sync/"))
    assert "No ThingsBoard credentials" in page and 'data-testid="start-sync"' not in page


# --- Back office -------------------------------------------------------------------------------------------------


def test_admin_sources_with_sync_buttons(pages, admin_user, fake_tb):
    client = pages(admin_user)
    page = html(client.get("/admin/integrations/syncsource/"))
    assert 'data-testid="sync-thingsboard"' in page and 'data-testid="sync-shop"' in page
    response = client.post("/admin/integrations/syncsource/thingsboard/sync/", follow=True)
    assert "queued" in messages_of(response)[0]
    assert SyncRun.objects.get().trigger == "admin"
    response = client.post("/admin/integrations/syncsource/shop/sync/", follow=True)
    assert "SHOP_API_URL" in messages_of(response)[0]
    assert client.get("/admin/integrations/syncsource/shop/sync/").status_code == 405


def test_admin_conflicts_take_remote_and_keep_local(pages, admin_user, employee, fake_tb):
    fake_tb.customers = [tb_customer(1), tb_customer(2)]
    services.sync_now(source="thingsboard", trigger="command")
    for n in (1, 2):
        services.customer_update(customer=Customer.objects.get(pk=tb_uuid(1, n)), user=admin_user, city="Hier")
        fake_tb.customers[n - 1]["city"] = "Dort"
    services.sync_now(source="thingsboard", trigger="command")
    client = german(pages(admin_user))
    page = html(client.get("/admin/integrations/syncconflict/"))
    assert page.count("Dort") >= 2
    # Record type and field by their German names, not their codes ("customers", "city").
    assert page.count('<td class="field-entity_label">Kunden</td>') == 2
    assert page.count('<td class="field-field_name">Ort</td>') == 2
    first, second = SyncConflict.objects.order_by("object_id")
    client.post("/admin/integrations/syncconflict/", {"action": "take_remote", "_selected_action": [first.pk]})
    client.post("/admin/integrations/syncconflict/", {"action": "keep_local", "_selected_action": [second.pk]})
    assert Customer.objects.get(pk=first.object_id).city == "Dort"
    assert Customer.objects.get(pk=second.object_id).city == "Hier"
    assert not SyncConflict.objects.filter(resolved_at=None).exists()
    assert "Dort" not in html(client.get("/admin/integrations/syncconflict/"))  # the list shows open ones
    assert "Dort" in html(client.get("/admin/integrations/syncconflict/?state=all"))
    assert pages(employee).get("/admin/integrations/syncconflict/").status_code == 403


def test_admin_edit_of_a_synced_customer_is_kept(pages, admin_user, fake_tb):
    fake_tb.customers = [tb_customer(1)]
    services.sync_now(source="thingsboard", trigger="command")
    customer = Customer.objects.get()
    client = german(pages(admin_user))
    url = f"/admin/integrations/customer/{customer.pk}/change/"
    names = ("name", "title", "email", "phone", "address", "address2", "zip", "city", "state", "country")
    form = {name: getattr(customer, name) or "" for name in names}
    form.update(additional_info='{"description": ""}', phone="+49 999")
    assert client.post(url, form).status_code == 302
    fake_tb.customers[0]["phone"] = "+49 000"
    services.sync_now(source="thingsboard", trigger="command")
    customer.refresh_from_db()
    assert customer.phone == "+49 999"
    assert '<div class="readonly">Telefon</div>' in html(client.get(url))  # "lokal geändert: Telefon"


def test_admin_runs_show_skipped_records(pages, admin_user, fake_tb):
    fake_tb.customers = [tb_customer(1, createdTime="broken")]
    run = services.sync_now(source="thingsboard", trigger="command")
    page = html(german(pages(admin_user)).get(f"/admin/integrations/syncrun/{run.pk}/change/"))
    # The record type in German; the message in the language of the run (English here, see conftest).
    assert f"Kunden {tb_uuid(1, 1)}: createdTime: expected milliseconds since 1970" in page
    assert '<div class="readonly">Kunden, Geräte</div>' in page
    assert "failed=1" in html(pages(admin_user).get("/admin/integrations/syncrun/"))


@pytest.mark.parametrize("url", ["customer", "device", "product", "order", "producttrend", "syncrun", "syncsource"])
def test_admin_lists_render(pages, admin_user, url):
    DeviceFactory(customer=None, customer_id="unknown")
    OrderFactory().items.create(name="x", quantity=1, product_id="1")
    ProductFactory()
    assert pages(admin_user).get(f"/admin/integrations/{url}/").status_code == 200
