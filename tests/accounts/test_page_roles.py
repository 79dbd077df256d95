"""Who may open which page (CONTRACT section 4): every inventory, lending, label and CSV URL for each role
and for a visitor."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from inventory.models import Consumable, Tool
from lending.models import Lending, Worker
from scandy_site.accounts.roles import CAPABILITIES, Role
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory

ANONYMOUS = "anonymous"

# (url name, method, the capability behind it)
PAGES = [
    ("inventory:tools", "get", "view"),
    ("inventory:tool-detail", "get", "view"),
    ("inventory:tool-create", "get", "edit"),
    ("inventory:tool-create", "post", "edit"),
    ("inventory:tool-edit", "get", "edit"),
    ("inventory:tool-edit", "post", "edit"),
    ("inventory:tool-status", "post", "edit"),
    ("inventory:tool-maintenance", "post", "edit"),
    ("inventory:tool-delete", "get", "delete"),
    ("inventory:tool-delete", "post", "delete"),
    ("inventory:consumables", "get", "view"),
    ("inventory:consumable-detail", "get", "view"),
    ("inventory:consumable-create", "get", "edit"),
    ("inventory:consumable-create", "post", "edit"),
    ("inventory:consumable-edit", "get", "edit"),
    ("inventory:consumable-edit", "post", "edit"),
    ("inventory:consumable-adjust", "get", "edit"),
    ("inventory:consumable-adjust", "post", "edit"),
    ("inventory:consumable-delete", "get", "delete"),
    ("inventory:consumable-delete", "post", "delete"),
    ("inventory:tools-export", "get", "view"),
    ("inventory:consumables-export", "get", "view"),
    ("lending:labels", "get", "view"),
    ("quickscan", "get", "lending"),
    ("lending:workers", "get", "lending"),
    ("lending:worker-detail", "get", "lending"),
    ("lending:worker-create", "get", "workers"),
    ("lending:worker-create", "post", "workers"),
    ("lending:worker-edit", "get", "workers"),
    ("lending:worker-edit", "post", "workers"),
    ("lending:worker-delete", "get", "workers"),
    ("lending:worker-delete", "post", "workers"),
    ("lending:history", "get", "lending"),
    ("lending:history-export", "get", "lending"),
]

# Which roles hold view/edit/delete (roles.CAPABILITIES, restated here so a change to the matrix is noticed).
ALLOWED = {
    "view": {Role.ADMIN, Role.EMPLOYEE, Role.USER},
    "edit": {Role.ADMIN, Role.EMPLOYEE, Role.USER},
    "delete": {Role.ADMIN, Role.EMPLOYEE},
    "lending": {Role.ADMIN, Role.EMPLOYEE, Role.USER},
    "workers": {Role.ADMIN, Role.EMPLOYEE},
}

# A valid submission per POST page; an allowed POST redirects after doing its work.
POST_DATA = {
    "inventory:tool-create": {"barcode": "T-NEW", "name": "Neu", "status": "available", "condition": "good"},
    "inventory:tool-edit": {"barcode": "T-1", "name": "Umbenannt", "status": "available", "condition": "good"},
    "inventory:tool-status": {"status": "defective"},
    "inventory:tool-maintenance": {"date": "2026-01-02", "description": "Geprüft"},
    "inventory:tool-delete": {},
    "inventory:consumable-create": {"barcode": "C-NEW", "name": "N", "current_stock": 1, "unit": "Stk", "min_stock": 0},
    "inventory:consumable-edit": {"barcode": "C-1", "name": "Umbenannt", "unit": "Stk", "min_stock": "0"},
    "inventory:consumable-adjust": {"delta": "1", "reason": "Lieferung"},
    "inventory:consumable-delete": {},
    "lending:worker-create": {"barcode": "W-NEW", "first_name": "Ada", "last_name": "Lovelace", "active": "on"},
    "lending:worker-edit": {"barcode": "W-1", "first_name": "Ada", "last_name": "King", "active": "on"},
    "lending:worker-delete": {},
}

# What an allowed POST leaves behind, so the test sees the work was done and not only a redirect.
EFFECTS = {
    "inventory:tool-create": lambda: Tool.objects.filter(barcode="T-NEW").exists(),
    "inventory:tool-edit": lambda: Tool.objects.get(barcode="T-1").name == "Umbenannt",
    "inventory:tool-status": lambda: Tool.objects.get(barcode="T-1").status == Tool.Status.DEFECTIVE,
    "inventory:tool-maintenance": lambda: Tool.objects.get(barcode="T-1").maintenance_records.exists(),
    "inventory:tool-delete": lambda: Tool.objects.get(barcode="T-1").is_deleted,
    "inventory:consumable-create": lambda: Consumable.objects.filter(barcode="C-NEW").exists(),
    "inventory:consumable-edit": lambda: Consumable.objects.get(barcode="C-1").name == "Umbenannt",
    "inventory:consumable-adjust": lambda: Consumable.objects.get(barcode="C-1").current_stock == 11,
    "inventory:consumable-delete": lambda: Consumable.objects.get(barcode="C-1").is_deleted,
    "lending:worker-create": lambda: Worker.objects.filter(barcode="W-NEW").exists(),
    "lending:worker-edit": lambda: Worker.objects.get(barcode="W-1").last_name == "King",
    "lending:worker-delete": lambda: Worker.objects.get(barcode="W-1").deleted_at is not None,
}

# Pages that need a query string to do their work.
QUERIES = {"lending:labels": "?kind=tool&barcode=T-1"}


def test_the_table_matches_the_role_matrix():
    assert ALLOWED["view"] == CAPABILITIES["inventory.view"]
    assert ALLOWED["edit"] == CAPABILITIES["inventory.edit"]
    assert ALLOWED["delete"] == CAPABILITIES["inventory.delete"]
    assert ALLOWED["lending"] == CAPABILITIES["lending.use"]
    assert ALLOWED["workers"] == CAPABILITIES["workers.manage"]


def _url(name: str) -> str:
    if name.startswith("inventory:tool-") and name != "inventory:tool-create":
        return reverse(name, args=["T-1"])
    if name.startswith("inventory:consumable-") and name != "inventory:consumable-create":
        return reverse(name, args=["C-1"])
    if name.startswith("lending:worker-") and name != "lending:worker-create":
        return reverse(name, args=["W-1"])
    return reverse(name) + QUERIES.get(name, "")


def _login_redirect(url: str) -> str:
    query = QueryDict(mutable=True)
    query["next"] = url
    return f"{reverse('accounts:login')}?{query.urlencode(safe='/')}"


@pytest.fixture
def stock(admin_user, department):
    ToolFactory(department=department, barcode="T-1", name="Bohrer")
    ConsumableFactory(department=department, barcode="C-1", name="Schrauben", current_stock=10)
    WorkerFactory(department=department, barcode="W-1", first_name="Ada", last_name="Lovelace")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE, Role.USER, Role.PARTICIPANT, ANONYMOUS])
@pytest.mark.parametrize(("name", "method", "capability"), PAGES, ids=[f"{m} {n}" for n, m, _c in PAGES])
def test_page_access(client, make_user, stock, role, name, method, capability):
    if role != ANONYMOUS:
        client.force_login(make_user(role))
    url = _url(name)

    response = client.get(url) if method == "get" else client.post(url, POST_DATA[name])

    if role == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"] == _login_redirect(url)
    elif role not in ALLOWED[capability]:
        assert response.status_code == 403
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert EFFECTS[name]()
    if role == ANONYMOUS or role not in ALLOWED[capability]:
        # Refused requests change nothing.
        assert Tool.objects.get(barcode="T-1").name == "Bohrer"
        assert Tool.objects.get(barcode="T-1").status == Tool.Status.AVAILABLE
        assert not Tool.objects.get(barcode="T-1").is_deleted
        assert Consumable.objects.get(barcode="C-1").current_stock == 10
        assert not Tool.objects.filter(barcode="T-NEW").exists()
        worker = Worker.objects.get(barcode="W-1")
        assert (worker.last_name, worker.deleted_at) == ("Lovelace", None)
        assert not Worker.objects.filter(barcode="W-NEW").exists()
        assert not Lending.objects.exists()


@pytest.mark.parametrize("name", ["inventory:tool-status", "inventory:tool-maintenance"])
def test_post_only_pages_refuse_get(client, make_user, stock, name):
    client.force_login(make_user(Role.ADMIN))
    assert client.get(_url(name)).status_code == 405


def test_forbidden_page_uses_the_layout(client, make_user, stock):
    client.force_login(make_user(Role.PARTICIPANT))
    response = client.get(reverse("inventory:tools"))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'data-testid="error-403"' in page
    assert 'class="topbar"' in page


def test_user_without_department_gets_403_with_a_reason(client, make_user, stock):
    loner = make_user(Role.USER, default_department=None, allowed=[])
    client.force_login(loner)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("inventory:tools"))
    assert response.status_code == 403
    assert "You are not assigned to any department." in response.content.decode()
