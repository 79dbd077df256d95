"""Who may call which endpoint: CONTRACT section 4 as one table, checked over HTTP (inventory, the scan
station and workers)."""

import pytest
from rest_framework.test import APIClient

from lending import services as lending_services
from scandy_site.accounts.roles import CAPABILITIES, Role
from tests.factories import ConsumableFactory, ToolFactory, UserFactory, WorkerFactory

A, E, U, P = Role.ADMIN, Role.EMPLOYEE, Role.USER, Role.PARTICIPANT
ANONYMOUS = "anonymous"

# CONTRACT section 4: "view/add/edit tools & consumables" for admin, employee and user; the soft delete
# (trash) is kept to staff, as roles.py decides.
VIEW = frozenset({A, E, U})
EDIT = frozenset({A, E, U})
DELETE = frozenset({A, E})
EVERYONE = frozenset({A, E, U, P})
LEND = frozenset({A, E, U})
MANAGE_WORKERS = frozenset({A, E})

TOOL = {"barcode": "T-1", "name": "Bohrmaschine"}
CONSUMABLE = {"barcode": "C-1", "name": "Schrauben", "current_stock": 50}

# (method, path, body, who may, success status)
ENDPOINTS = [
    ("get", "/api/tools", None, VIEW, 200),
    ("post", "/api/tools", {"barcode": "T-NEW", "name": "Säge"}, EDIT, 201),
    ("get", "/api/tools/T-1", None, VIEW, 200),
    ("put", "/api/tools/T-1", {"barcode": "T-1", "name": "Bohrhammer"}, EDIT, 200),
    ("patch", "/api/tools/T-1", {"name": "Bohrhammer"}, EDIT, 200),
    ("delete", "/api/tools/T-1", None, DELETE, 200),
    ("get", "/api/tools/T-1/maintenance", None, VIEW, 200),
    ("post", "/api/tools/T-1/maintenance", {"date": "2024-06-01", "description": "Check"}, EDIT, 201),
    ("get", "/api/consumables", None, VIEW, 200),
    ("post", "/api/consumables", {"barcode": "C-NEW", "name": "Kleber"}, EDIT, 201),
    ("get", "/api/consumables/C-1", None, VIEW, 200),
    ("put", "/api/consumables/C-1", {"barcode": "C-1", "name": "Muttern", "current_stock": 50}, EDIT, 200),
    ("patch", "/api/consumables/C-1", {"supplier": "Würth"}, EDIT, 200),
    ("delete", "/api/consumables/C-1", None, DELETE, 200),
    ("post", "/api/consumables/C-1/adjust-stock", {"delta": -1, "reason": "Verbrauch"}, EDIT, 201),
    ("get", "/api/consumables/C-1/forecast", None, VIEW, 200),
    ("get", "/api/consumables/C-1/movements", None, VIEW, 200),
    ("get", "/api/auth/me", None, EVERYONE, 200),
    # The scan station (T-OUT is lent to W-1 before each call).
    ("post", "/api/scan", {"barcode": "T-1"}, LEND, 200),
    ("post", "/api/scan", {"barcode": "W-1"}, LEND, 200),
    ("post", "/api/lending/process", {"tool_barcode": "T-1", "worker_barcode": "W-1"}, LEND, 201),
    ("post", "/api/lending/process", {"consumable_barcode": "C-1", "worker_barcode": "W-1", "quantity": 2}, LEND, 201),
    ("post", "/api/lending/return", {"tool_barcode": "T-OUT"}, LEND, 200),
    ("get", "/api/lending/history", None, LEND, 200),
    ("get", "/api/lending/overdue", None, LEND, 200),
    ("get", "/api/workers", None, LEND, 200),
    ("post", "/api/workers", {"barcode": "W-NEW", "first_name": "Ada", "last_name": "King"}, MANAGE_WORKERS, 201),
    ("get", "/api/workers/W-1", None, LEND, 200),
    ("put", "/api/workers/W-2", {"barcode": "W-2", "first_name": "Grace", "last_name": "Hopper"}, MANAGE_WORKERS, 200),
    ("patch", "/api/workers/W-2", {"email": "grace@example.org"}, MANAGE_WORKERS, 200),
    ("delete", "/api/workers/W-2", None, MANAGE_WORKERS, 200),
]


def test_the_table_matches_the_role_matrix():
    assert CAPABILITIES["inventory.view"] == VIEW
    assert CAPABILITIES["inventory.edit"] == EDIT
    assert CAPABILITIES["inventory.delete"] == DELETE
    assert CAPABILITIES["lending.use"] == LEND
    assert CAPABILITIES["workers.manage"] == MANAGE_WORKERS


def _cases():
    for method, path, body, allowed, success in ENDPOINTS:
        for role in [A, E, U, P, ANONYMOUS]:
            if role == ANONYMOUS:
                expected = (401, "NOT_AUTHENTICATED")
            elif role in allowed:
                expected = (success, None)
            else:
                expected = (403, "PERMISSION_DENIED")
            yield pytest.param(method, path, body, role, expected, id=f"{method.upper()} {path} as {role}")


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), list(_cases()))
def test_role_matrix(api_for, admin_user, department, method, path, body, role, expected):
    ToolFactory(department=department, **TOOL)
    ConsumableFactory(department=department, **CONSUMABLE)
    worker = WorkerFactory(department=department, barcode="W-1")
    WorkerFactory(department=department, barcode="W-2")
    lent = ToolFactory(department=department, barcode="T-OUT", name="Leiter")
    lending_services.lending_checkout(tool=lent, worker=worker, user=None)
    if role == ANONYMOUS:
        client = APIClient()
    else:
        user = admin_user if role == A else UserFactory(role=role, default_department=department)
        client = api_for(user)
    kwargs = {"format": "json"} if body is not None else {}
    response = getattr(client, method)(path, body, **kwargs) if body is not None else getattr(client, method)(path)
    status, code = expected
    assert response.status_code == status, response.content
    payload = response.json()
    if code is None:
        assert payload["status"] == "success"
    else:
        assert (payload["status"], payload["code"]) == ("error", code)


@pytest.mark.parametrize("role", [P, ANONYMOUS])
def test_refused_writes_change_nothing(api_for, admin_user, department, role):
    ToolFactory(department=department, **TOOL)
    client = APIClient() if role == ANONYMOUS else api_for(UserFactory(role=role, default_department=department))
    client.patch("/api/tools/T-1", {"name": "hacked"}, format="json")
    client.post("/api/tools", {"barcode": "T-2", "name": "x"}, format="json")
    client.delete("/api/tools/T-1")
    rows = api_for(admin_user).get("/api/tools").json()["data"]["results"]
    assert [(row["barcode"], row["name"]) for row in rows] == [("T-1", "Bohrmaschine")]


def test_a_user_cannot_delete_but_employee_can(api_for, admin_user, employee, plain_user, department):
    ToolFactory(department=department, **TOOL)
    assert api_for(plain_user).delete("/api/tools/T-1").status_code == 403
    assert api_for(employee).delete("/api/tools/T-1").status_code == 200


def test_deactivated_staff_loses_every_capability(api_for, admin_user, employee, department):
    client = api_for(employee)
    employee.is_active = False
    employee.save()
    assert client.get("/api/tools").status_code == 401


@pytest.mark.parametrize("role", [P, ANONYMOUS])
def test_refused_lending_calls_change_nothing(api_for, admin_user, department, role):
    ToolFactory(department=department, **TOOL)
    ConsumableFactory(department=department, **CONSUMABLE)
    worker = WorkerFactory(department=department, barcode="W-1")
    lent = ToolFactory(department=department, barcode="T-OUT")
    lending_services.lending_checkout(tool=lent, worker=worker, user=None)
    client = APIClient() if role == ANONYMOUS else api_for(UserFactory(role=role, default_department=department))

    client.post("/api/lending/process", {"tool_barcode": "T-1", "worker_barcode": "W-1"}, format="json")
    client.post("/api/lending/process", {"consumable_barcode": "C-1", "worker_barcode": "W-1"}, format="json")
    client.post("/api/lending/return", {"tool_barcode": "T-OUT"}, format="json")
    client.post("/api/workers", {"barcode": "W-X", "first_name": "X", "last_name": "Y"}, format="json")

    staff = api_for(admin_user)
    lendings = staff.get("/api/lending/history").json()["data"]["results"]
    assert [(row["tool_barcode"], row["returned_at"]) for row in lendings] == [("T-OUT", None)]
    assert staff.get("/api/consumables/C-1").json()["data"]["current_stock"] == 50
    assert [row["barcode"] for row in staff.get("/api/workers").json()["data"]["results"]] == ["W-1"]
