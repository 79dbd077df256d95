"""Races on PostgreSQL: real threads, each with its own connection, released together by a barrier.

Stock never goes negative however many people take from it at once, and of several simultaneous
creations of one barcode exactly one wins. (SQLite serialises writers, so there is no race to test.)"""

import random

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory import selectors, services
from inventory.models import BarcodeRegistration, Consumable, StockMovement, Tool
from tests.factories import ConsumableFactory
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]


def assert_stock_history_consistent(consumable, start):
    movements = list(StockMovement.objects.filter(consumable=consumable).order_by("id"))
    level = start
    for movement in movements:
        level += movement.delta
        assert movement.stock_after == level >= 0
    consumable.refresh_from_db()
    assert consumable.current_stock == level


# --- stock -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("threads", "deltas"), [(2, [-6, -6]), (20, None)])
def test_concurrent_adjustments_never_go_negative(department, threads, deltas):
    consumable = ConsumableFactory(department=department, barcode="C-RACE", current_stock=10)
    deltas = deltas or [random.Random(i).choice([-3, -2, -1, 1, -4]) for i in range(threads)]

    def adjust(i):
        fresh = selectors.consumable_get(department=department, barcode="C-RACE")
        return services.consumable_adjust_stock(consumable=fresh, user=None, delta=deltas[i], reason=f"thread {i}")

    results = race(threads, adjust)
    assert not [r for r in results if r[0] == "crash"], results
    assert {code for kind, code in results if kind == "error"} <= {"INSUFFICIENT_STOCK"}
    succeeded = [deltas[i] for i, (kind, _value) in enumerate(results) if kind == "ok"]
    consumable.refresh_from_db()
    assert consumable.current_stock == 10 + sum(succeeded) >= 0
    assert_stock_history_consistent(consumable, start=0)
    if threads == 2:
        assert len(succeeded) == 1  # 10 holds one 6, not two
    assert StockMovement.objects.filter(consumable=consumable).count() == 1 + len(succeeded)


def test_last_items_go_to_exactly_one_taker(department):
    consumable = ConsumableFactory(department=department, barcode="C-LAST", current_stock=5)

    def take(i):
        fresh = Consumable.objects.get(pk=consumable.pk)
        return services.consumable_adjust_stock(consumable=fresh, user=None, delta=-4, reason=f"thread {i}")

    results = race(10, take)
    assert sorted(kind for kind, _value in results) == ["error"] * 9 + ["ok"]
    assert {value for kind, value in results if kind == "error"} == {"INSUFFICIENT_STOCK"}
    consumable.refresh_from_db()
    assert consumable.current_stock == 1


def test_concurrent_adjustments_over_http(department, admin_user):
    consumable = ConsumableFactory(department=department, barcode="C-HTTP", current_stock=12)
    token = Token.objects.create(user=admin_user).key

    def adjust(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(
            "/api/consumables/C-HTTP/adjust-stock", {"delta": -5, "reason": f"http {i}"}, format="json"
        )
        return response.status_code, response.json().get("code")

    results = race(8, adjust)
    answers = [value for _kind, value in results]
    assert sorted(answers, key=str) == sorted([(201, None)] * 2 + [(409, "INSUFFICIENT_STOCK")] * 6, key=str)
    consumable.refresh_from_db()
    assert consumable.current_stock == 2
    assert_stock_history_consistent(consumable, start=0)


# --- barcodes ----------------------------------------------------------------------------------


CREATORS = {
    "tool": lambda department, i: services.tool_create(
        department=department, user=None, barcode="DUP-1", name=f"tool {i}"
    ),
    "consumable": lambda department, i: services.consumable_create(
        department=department, user=None, barcode="DUP-1", name=f"consumable {i}"
    ),
}


@pytest.mark.parametrize(
    "kinds",
    [
        ["tool", "consumable"],
        ["tool", "tool"],
        ["tool", "consumable"] * 5,
        ["tool"] * 10,
    ],
    ids=["tool-vs-consumable", "tool-vs-tool", "10-mixed", "10-tools"],
)
def test_one_barcode_created_at_once_has_one_winner(department, kinds):
    results = race(len(kinds), lambda i: CREATORS[kinds[i]](department, i))
    assert not [r for r in results if r[0] == "crash"], results
    assert sorted(kind for kind, _value in results) == ["error"] * (len(kinds) - 1) + ["ok"]
    assert {value for kind, value in results if kind == "error"} == {"BARCODE_IN_USE"}
    assert BarcodeRegistration.objects.filter(department=department, barcode="DUP-1").count() == 1
    assert Tool.objects.filter(barcode="DUP-1").count() + Consumable.objects.filter(barcode="DUP-1").count() == 1


def test_one_barcode_created_at_once_over_http(department, admin_user):
    token = Token.objects.create(user=admin_user).key

    def create(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        path = "/api/tools" if i % 2 else "/api/consumables"
        response = client.post(path, {"barcode": "DUP-2", "name": f"http {i}"}, format="json")
        return response.status_code, response.json().get("code")

    results = race(6, create)
    answers = sorted((value for _kind, value in results), key=str)
    assert answers == sorted([(201, None)] + [(409, "BARCODE_IN_USE")] * 5, key=str)


def test_the_same_barcode_in_two_departments_at_once(department, other_department):
    departments = [department, other_department]
    results = race(2, lambda i: CREATORS["tool"](departments[i], i))
    assert [kind for kind, _value in results] == ["ok", "ok"]
