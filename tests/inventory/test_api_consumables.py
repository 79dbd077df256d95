"""`/api/consumables` (CONTRACT section 3): CRUD, stock only through adjust-stock, forecast, lists."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from inventory import services
from inventory.models import Consumable, StockMovement
from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent
from tests.factories import CategoryFactory, ConsumableFactory, LocationFactory, WorkerFactory

CONTRACT_FIELDS = {"current_stock", "min_stock", "max_stock", "unit", "cost_per_unit", "supplier"}


def ok(response, status=200):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "success"
    return body["data"]


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == "error"
    assert body["code"] == code, body
    return body


def stock(barcode="C-1"):
    return Consumable.objects.get(barcode=barcode).current_stock


@pytest.fixture
def screws(department, admin_user):
    return ConsumableFactory(
        department=department,
        barcode="C-1",
        name="Schrauben M4",
        unit="Stk",
        min_stock=10,
        max_stock=200,
        current_stock=50,
        cost_per_unit="0.05",
        supplier="Würth",
        created_by=admin_user,
    )


# --- create, read, update ----------------------------------------------------------------------


def test_create_with_initial_stock(api, department, admin_user):
    payload = {
        "barcode": "C-9",
        "name": "Kabelbinder",
        "unit": "Pck",
        "min_stock": 5,
        "max_stock": 50,
        "cost_per_unit": "2.40",
        "supplier": "Conrad",
        "current_stock": 12,
    }
    data = ok(api.post("/api/consumables", payload, format="json"), 201)
    assert set(data) >= CONTRACT_FIELDS
    assert {key: data[key] for key in payload} == payload
    assert data["below_min"] is False
    movement = StockMovement.objects.get(consumable__barcode="C-9")
    assert (movement.delta, movement.stock_after, movement.kind, movement.user) == (12, 12, "receipt", admin_user)


def test_create_without_stock_starts_at_zero(api, department):
    data = ok(
        api.post("/api/consumables", {"barcode": "C-9", "name": "Kabelbinder", "min_stock": 1}, format="json"), 201
    )
    assert data["current_stock"] == 0
    assert data["below_min"] is True
    assert not StockMovement.objects.exists()


def test_patch_cannot_change_the_stock(api, screws):
    body = error(api.patch("/api/consumables/C-1", {"current_stock": 70}, format="json"), 400, "VALIDATION_ERROR")
    assert "current_stock" in body["errors"]
    assert stock() == 50


def test_patch_changes_only_the_sent_fields_and_ignores_server_fields(api, screws, other_department):
    before = ok(api.get("/api/consumables/C-1"))
    payload = {
        "supplier": "Hornbach",
        "below_min": True,
        "created_at": "2001-01-01T00:00:00Z",
        "department": other_department.code,
    }
    after = ok(api.patch("/api/consumables/C-1", payload, format="json"))
    assert after["supplier"] == "Hornbach"
    assert after["below_min"] is False
    assert {key for key in before if before[key] != after[key]} == {"supplier", "updated_at"}


def test_put_echoing_the_unchanged_stock_works(api, screws):
    current = ok(api.get("/api/consumables/C-1"))
    payload = {
        key: current[key]
        for key in ("barcode", "unit", "min_stock", "max_stock", "cost_per_unit", "supplier", "current_stock")
    }
    payload["name"] = "Schrauben M5"
    data = ok(api.put("/api/consumables/C-1", payload, format="json"))
    assert data["name"] == "Schrauben M5"
    assert data["current_stock"] == 50


def test_put_with_a_different_stock_is_refused(api, screws):
    payload = {"barcode": "C-1", "name": "Schrauben", "current_stock": 49}
    error(api.put("/api/consumables/C-1", payload, format="json"), 400, "VALIDATION_ERROR")
    assert stock() == 50


def test_min_above_max_is_refused(api, screws):
    body = error(api.patch("/api/consumables/C-1", {"min_stock": 500}, format="json"), 400, "VALIDATION_ERROR")
    assert "non_field_errors" in body["errors"]


def test_negative_cost_per_unit_is_refused_on_update(api, screws):
    body = error(api.patch("/api/consumables/C-1", {"cost_per_unit": "-0.10"}, format="json"), 400, "VALIDATION_ERROR")
    assert "cost_per_unit" in body["errors"]


def test_negative_cost_is_refused_by_the_service_too(department):
    with pytest.raises(ApplicationError) as caught:
        services.consumable_create(department=department, user=None, barcode="C-3", name="x", cost_per_unit=-1)
    assert caught.value.code == "VALIDATION_ERROR"
    assert "cost_per_unit" in caught.value.errors


def test_stale_if_match_is_refused(api, screws):
    stale = api.get("/api/consumables/C-1")["ETag"]
    ok(api.post("/api/consumables/C-1/adjust-stock", {"delta": -1, "reason": "Verbrauch"}, format="json"), 201)
    response = api.patch("/api/consumables/C-1", {"name": "x"}, format="json", HTTP_IF_MATCH=stale)
    error(response, 412, "PRECONDITION_FAILED")


def test_delete_is_soft(api, screws, admin_user):
    assert ok(api.delete("/api/consumables/C-1")) == {"barcode": "C-1", "deleted": True}
    error(api.get("/api/consumables/C-1"), 404, "NOT_FOUND")
    assert ok(api.get("/api/consumables"))["count"] == 0
    error(api.post("/api/consumables/C-1/adjust-stock", {"delta": 1, "reason": "x"}, format="json"), 404, "NOT_FOUND")
    screws.refresh_from_db()
    assert screws.deleted_at is not None
    event = ChangeEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Consumable), object_id=screws.pk
    ).latest("id")
    assert (event.action, event.user) == ("deleted", admin_user)


# --- adjust stock ------------------------------------------------------------------------------


def test_adjust_stock_down_and_up(api, screws, admin_user):
    data = ok(api.post("/api/consumables/C-1/adjust-stock", {"delta": -20, "reason": "Montage"}, format="json"), 201)
    assert (data["delta"], data["stock_after"], data["reason"]) == (-20, 30, "Montage")
    assert data["user"] == admin_user.username
    assert data["consumable"] == "C-1"
    assert data["worker"] is None
    data = ok(api.post("/api/consumables/C-1/adjust-stock", {"delta": 5, "reason": "Lieferung"}, format="json"), 201)
    assert (data["kind"], data["stock_after"]) == ("receipt", 35)
    assert stock() == 35
    event = ChangeEvent.objects.filter(object_id=screws.pk, entity="consumable").latest("id")
    assert event.changes == {"current_stock": [30, 35]}
    assert event.note == "Lieferung"


def test_adjust_to_exactly_zero_then_insufficient(api, screws):
    ok(api.post("/api/consumables/C-1/adjust-stock", {"delta": -50, "reason": "alles"}, format="json"), 201)
    assert ok(api.get("/api/consumables/C-1"))["below_min"] is True
    body = error(
        api.post("/api/consumables/C-1/adjust-stock", {"delta": -1, "reason": "mehr"}, format="json"),
        409,
        "INSUFFICIENT_STOCK",
    )
    assert "delta" in body["errors"]
    assert stock() == 0
    assert StockMovement.objects.filter(consumable=screws).count() == 2


def test_insufficient_stock_leaves_everything_unchanged(api, screws):
    before = ok(api.get("/api/consumables/C-1"))
    error(
        api.post("/api/consumables/C-1/adjust-stock", {"delta": -51, "reason": "zu viel"}, format="json"),
        409,
        "INSUFFICIENT_STOCK",
    )
    assert ok(api.get("/api/consumables/C-1")) == before
    assert StockMovement.objects.filter(consumable=screws).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"delta": 0, "reason": "x"}, "delta"),
        ({"reason": "x"}, "delta"),
        ({"delta": "viele", "reason": "x"}, "delta"),
        ({"delta": 1.5, "reason": "x"}, "delta"),
        ({"delta": 10**7, "reason": "x"}, "delta"),
        ({"delta": 1}, "reason"),
        ({"delta": 1, "reason": "   "}, "reason"),
        ({"delta": 1, "reason": "x" * 256}, "reason"),
        ({"delta": 1, "reason": "x", "worker_barcode": ["W-1"]}, "worker_barcode"),
    ],
)
def test_adjust_stock_validation(api, screws, payload, field):
    body = error(api.post("/api/consumables/C-1/adjust-stock", payload, format="json"), 400, "VALIDATION_ERROR")
    assert field in body["errors"]
    assert stock() == 50


def test_adjust_stock_cannot_overflow(api, department):
    ConsumableFactory(department=department, barcode="C-2", current_stock=services.MAX_STOCK - 5)
    error(
        api.post("/api/consumables/C-2/adjust-stock", {"delta": 10, "reason": "x"}, format="json"),
        400,
        "VALIDATION_ERROR",
    )
    ok(api.post("/api/consumables/C-2/adjust-stock", {"delta": 5, "reason": "x"}, format="json"), 201)
    assert stock("C-2") == services.MAX_STOCK


def test_adjust_stock_for_a_known_worker(api, screws, department):
    WorkerFactory(department=department, barcode="W-1")
    data = ok(
        api.post(
            "/api/consumables/C-1/adjust-stock",
            {"delta": -3, "reason": "Ausgabe", "worker_barcode": "W-1"},
            format="json",
        ),
        201,
    )
    assert data["worker"] == "W-1"
    assert StockMovement.objects.get(pk=data["id"]).worker.barcode == "W-1"


def test_adjust_stock_with_an_empty_worker_barcode(api, screws):
    data = ok(
        api.post(
            "/api/consumables/C-1/adjust-stock", {"delta": -3, "reason": "x", "worker_barcode": ""}, format="json"
        ),
        201,
    )
    assert data["worker"] is None


def test_adjust_stock_for_an_unknown_worker(api, screws):
    body = error(
        api.post(
            "/api/consumables/C-1/adjust-stock", {"delta": -3, "reason": "x", "worker_barcode": "W-404"}, format="json"
        ),
        404,
        "UNKNOWN_BARCODE",
    )
    assert "worker_barcode" in body["errors"]
    assert stock() == 50


def test_adjust_stock_for_a_worker_of_another_department(api, screws, other_department):
    # The barcode exists, but not where the consumable is: for this department it is unknown.
    WorkerFactory(department=other_department, barcode="W-9")
    error(
        api.post(
            "/api/consumables/C-1/adjust-stock", {"delta": -3, "reason": "x", "worker_barcode": "W-9"}, format="json"
        ),
        404,
        "UNKNOWN_BARCODE",
    )
    assert stock() == 50


def test_service_refuses_a_worker_of_another_department(screws, other_department):
    worker = WorkerFactory(department=other_department, barcode="W-9")
    with pytest.raises(ApplicationError) as caught:
        services.consumable_adjust_stock(consumable=screws, user=None, delta=-1, reason="x", worker=worker)
    assert caught.value.code == "VALIDATION_ERROR"
    assert stock() == 50


def test_movements_are_listed_newest_first(api, screws):
    for delta in (-1, -2, -3):
        ok(api.post("/api/consumables/C-1/adjust-stock", {"delta": delta, "reason": "x"}, format="json"), 201)
    data = ok(api.get("/api/consumables/C-1/movements?page_size=2"))
    assert data["count"] == 4
    assert [row["delta"] for row in data["results"]] == [-3, -2]


# --- forecast ----------------------------------------------------------------------------------


def _backdate(movement_id, days):
    StockMovement.objects.filter(pk=movement_id).update(created_at=timezone.now() - timedelta(days=days))


@pytest.mark.parametrize(("max_stock", "suggested"), [(None, 5), (100, 70)])
def test_forecast_from_the_last_90_days(api, department, max_stock, suggested):
    ConsumableFactory(department=department, barcode="C-5", min_stock=20, max_stock=max_stock, current_stock=100)
    for delta, days_ago in ((-30, 10), (-15, 89), (-45, 100), (20, 1)):
        data = ok(api.post("/api/consumables/C-5/adjust-stock", {"delta": delta, "reason": "x"}, format="json"), 201)
        _backdate(data["id"], days_ago)
    # Stock 100 - 30 - 15 - 45 + 20 = 30. In the window: 45 used (the -45 is 100 days old, the +20 is a receipt),
    # 45 / 90 = 0.5 a day; (30 - 20) / 0.5 = 20 days to the minimum, 30 / 0.5 = 60 days to empty.
    # Without a maximum the order covers minimum + 30 days of use: 20 + 15 - 30 = 5; with one it fills up: 100 - 30.
    forecast = ok(api.get("/api/consumables/C-5/forecast"))
    assert forecast == {
        "barcode": "C-5",
        "current_stock": 30,
        "min_stock": 20,
        "max_stock": max_stock,
        "period_days": 90,
        "average_daily_use": 0.5,
        "days_until_min": 20.0,
        "days_until_empty": 60.0,
        "suggested_order_quantity": suggested,
    }


def test_forecast_without_use(api, screws):
    forecast = ok(api.get("/api/consumables/C-1/forecast"))
    assert forecast["average_daily_use"] == 0
    assert forecast["days_until_min"] is None
    assert forecast["days_until_empty"] is None
    assert forecast["suggested_order_quantity"] == 150


def test_forecast_below_minimum_says_zero_days(api, screws):
    ok(api.post("/api/consumables/C-1/adjust-stock", {"delta": -45, "reason": "x"}, format="json"), 201)
    forecast = ok(api.get("/api/consumables/C-1/forecast"))
    assert forecast["average_daily_use"] == 0.5
    assert forecast["days_until_min"] == 0.0
    assert forecast["days_until_empty"] == 10.0


# --- lists -------------------------------------------------------------------------------------


@pytest.fixture
def store(department):
    paint = CategoryFactory(department=department, name="Farbe")
    cellar = LocationFactory(department=department, name="Keller")
    ConsumableFactory(
        department=department,
        barcode="C-10",
        name="Abdeckband",
        min_stock=10,
        current_stock=3,
        category=paint,
        supplier="Hornbach",
    )
    ConsumableFactory(
        department=department,
        barcode="C-11",
        name="Bürsten",
        min_stock=5,
        current_stock=5,
        location=cellar,
        supplier="Würth",
    )
    ConsumableFactory(
        department=department,
        barcode="C-12",
        name="Cellulose",
        min_stock=8,
        current_stock=0,
        category=paint,
        location=cellar,
        supplier="Würth",
    )


def barcodes(data):
    return [row["barcode"] for row in data["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["C-10", "C-11", "C-12"]),
        ("below_min=true", ["C-10", "C-12"]),
        ("below_min=false", ["C-11"]),
        ("category=Farbe", ["C-10", "C-12"]),
        ("location=keller", ["C-11", "C-12"]),
        ("supplier=würth", ["C-11", "C-12"]),
        ("search=hornbach", ["C-10"]),
        ("q=bürst", ["C-11"]),
        ("ordering=current_stock", ["C-12", "C-10", "C-11"]),
        ("ordering=-min_stock", ["C-10", "C-12", "C-11"]),
        ("below_min=true&ordering=-name", ["C-12", "C-10"]),
        ("page_size=2&page=2", ["C-12"]),
    ],
)
def test_list_filters(api, store, query, expected):
    assert barcodes(ok(api.get(f"/api/consumables?{query}"))) == expected


def test_list_rows_carry_below_min(api, store):
    rows = {row["barcode"]: row["below_min"] for row in ok(api.get("/api/consumables"))["results"]}
    assert rows == {"C-10": True, "C-11": False, "C-12": True}


@pytest.mark.parametrize("count", [10, 100])
def test_list_query_count_does_not_grow_with_the_rows(api, department, django_assert_max_num_queries, count):
    category = CategoryFactory(department=department, name="Farbe")
    location = LocationFactory(department=department, name="Keller")
    for i in range(count):
        ConsumableFactory(department=department, category=category, location=location, barcode=f"Q{i:04d}")
    # setup check, token + user, allowed departments, count, one page of rows with their relations
    with django_assert_max_num_queries(5):
        data = ok(api.get("/api/consumables?page_size=500"))
    assert data["count"] == count
    assert all(row["category"] == "Farbe" for row in data["results"])
