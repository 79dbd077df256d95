"""Races a unit test cannot see: real threads, real PostgreSQL transactions."""

import pytest
from django.db import connection

from inventory.models import Consumable, Tool
from lending import services
from lending.models import Lending
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def test_fifty_threads_lend_one_tool_exactly_one_wins(department):
    tool = ToolFactory(department=department, barcode="RACE")
    workers = [WorkerFactory(department=department, barcode=f"RW-{i}") for i in range(50)]

    results = race(50, lambda i: services.lending_checkout(tool=tool, worker=workers[i], user=None).pk)

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes.count("ok") == 1, results
    assert [value for kind, value in results if kind != "ok"] == ["TOOL_NOT_AVAILABLE"] * 49
    assert Lending.objects.filter(tool=tool, returned_at__isnull=True).count() == 1
    assert Tool.objects.get(pk=tool.pk).status == Tool.Status.LENT


def test_lend_and_return_race_keeps_status_consistent(department):
    tool = ToolFactory(department=department, barcode="FLIP")
    worker = WorkerFactory(department=department, barcode="FW")
    services.lending_checkout(tool=tool, worker=worker, user=None)

    def action(i):
        if i % 2:
            return services.lending_return(tool=tool, user=None).pk
        return services.lending_checkout(tool=tool, worker=worker, user=None).pk

    race(20, action)
    open_count = Lending.objects.filter(tool=tool, returned_at__isnull=True).count()
    status = Tool.objects.get(pk=tool.pk).status
    assert open_count in (0, 1)
    assert status == (Tool.Status.LENT if open_count else Tool.Status.AVAILABLE)


def test_twenty_threads_issue_one_consumable_stock_never_negative(department):
    consumable = ConsumableFactory(department=department, barcode="SCREWS", current_stock=30)
    worker = WorkerFactory(department=department, barcode="IW")

    results = race(
        20, lambda i: services.consumable_issue(consumable=consumable, worker=worker, user=None, quantity=2).delta
    )

    successes = [value for kind, value in results if kind == "ok"]
    failures = [value for kind, value in results if kind != "ok"]
    assert set(failures) <= {"INSUFFICIENT_STOCK"}, results
    stock = Consumable.objects.get(pk=consumable.pk).current_stock
    assert stock >= 0
    assert stock == 30 + sum(successes)
    assert len(successes) == 15
