"""Query counts of the list endpoints of the scan station and the record lists of tools and consumables:
pinned, and the same for 10 rows as for 60 (no query per row)."""

import pytest

from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.factories.inventory import MaintenanceRecordFactory, StockMovementFactory
from tests.factories.lending import LendingFactory

pytestmark = pytest.mark.django_db


def fill_workers(department, count):
    for _n in range(count):
        WorkerFactory(department=department)


def fill_lendings(department, count):
    worker = WorkerFactory(department=department)
    for number in range(count):
        LendingFactory(tool=ToolFactory(department=department), worker=worker, overdue_days=1 + number % 3,
                       returned=number % 4 == 0)  # fmt: skip


def fill_movements(department, count):
    consumable = ConsumableFactory(department=department, barcode="C-1", current_stock=1000)
    worker = WorkerFactory(department=department)
    for number in range(count):
        StockMovementFactory(consumable=consumable, delta=-1, worker=worker if number % 2 else None)


def fill_maintenance(department, count):
    tool = ToolFactory(department=department, barcode="T-1")
    for _n in range(count):
        MaintenanceRecordFactory(tool=tool)


# (path, how to fill, pinned): token + user, allowed departments, count, one page with its relations joined
# (the setup check is cached after the first request).
LISTS = [
    ("/api/workers", fill_workers, 4),
    ("/api/lending/history", fill_lendings, 4),
    ("/api/lending/overdue", fill_lendings, 4),
    ("/api/consumables/C-1/movements", fill_movements, 5),  # + the consumable itself
    ("/api/tools/T-1/maintenance", fill_maintenance, 4),  # the tool, then all its records (no pages)
]


@pytest.mark.parametrize(("path", "fill", "pinned"), LISTS, ids=[path for path, _f, _p in LISTS])
@pytest.mark.parametrize("rows", [10, 60])
def test_list_query_count_is_pinned(api_for, employee, department, django_assert_max_num_queries, path, fill, pinned,
                                    rows):  # fmt: skip
    fill(department, rows)
    client = api_for(employee, department)
    client.get(path)  # warm the per-process caches
    with django_assert_max_num_queries(pinned):
        response = client.get(path)
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data["results"] if isinstance(data, dict) else data) >= rows // 2
