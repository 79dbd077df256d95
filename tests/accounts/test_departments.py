"""Department isolation through the API (CONTRACT section 4)."""

import pytest

from tests.factories import CategoryFactory, ConsumableFactory, DepartmentFactory, ToolFactory


@pytest.fixture(autouse=True)
def _set_up(admin_user):
    """An admin exists, so the instance is past the setup wizard."""


def ok(response, status=200):
    assert response.status_code == status, response.content
    assert response.json()["status"] == "success"
    return response.json()["data"]


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["status"], body["code"]) == ("error", code)
    return body


def barcodes(data):
    return sorted(row["barcode"] for row in data["results"])


@pytest.fixture
def stocked(department, other_department):
    ToolFactory(department=department, barcode="T-W", name="Werkstatt-Bohrer")
    ToolFactory(department=other_department, barcode="T-B", name="Büro-Locher")
    ConsumableFactory(department=department, barcode="C-W", name="Schrauben")
    ConsumableFactory(department=other_department, barcode="C-B", name="Papier")


@pytest.fixture
def both(make_user, department, other_department, admin_user):
    """An employee allowed in both departments, working in the Werkstatt by default."""
    return make_user("employee", username="both", allowed=[department, other_department])


def test_a_user_sees_only_the_current_department(api_for, plain_user, stocked):
    client = api_for(plain_user)
    assert barcodes(ok(client.get("/api/tools"))) == ["T-W"]
    assert barcodes(ok(client.get("/api/consumables"))) == ["C-W"]
    error(client.get("/api/tools/T-B"), 404, "NOT_FOUND")
    error(client.get("/api/consumables/C-B"), 404, "NOT_FOUND")
    error(client.patch("/api/tools/T-B", {"name": "x"}, format="json"), 404, "NOT_FOUND")
    error(
        client.post("/api/consumables/C-B/adjust-stock", {"delta": -1, "reason": "x"}, format="json"), 404, "NOT_FOUND"
    )


def test_staff_cannot_delete_in_another_department(api_for, employee, stocked):
    error(api_for(employee).delete("/api/consumables/C-B"), 404, "NOT_FOUND")
    error(api_for(employee).delete("/api/tools/T-B"), 404, "NOT_FOUND")


def test_search_does_not_leak_across_departments(api_for, plain_user, stocked):
    assert ok(api_for(plain_user).get("/api/tools?search=Locher"))["count"] == 0
    assert ok(api_for(plain_user).get("/api/consumables?q=Papier"))["count"] == 0


def test_header_switches_between_allowed_departments(api_for, both, other_department, stocked):
    assert barcodes(ok(api_for(both).get("/api/tools"))) == ["T-W"]
    client = api_for(both, other_department)
    assert barcodes(ok(client.get("/api/tools"))) == ["T-B"]
    assert barcodes(ok(client.get("/api/consumables"))) == ["C-B"]
    assert ok(client.get("/api/tools/T-B"))["department"] == other_department.code
    error(client.get("/api/tools/T-W"), 404, "NOT_FOUND")


def test_query_parameter_switches_too(api_for, both, other_department, stocked):
    assert barcodes(ok(api_for(both).get(f"/api/tools?department={other_department.code}"))) == ["T-B"]


def test_the_default_department_decides_without_a_header(
    api_for, make_user, department, other_department, stocked, admin_user
):
    user = make_user(username="buero", default_department=other_department, allowed=[department, other_department])
    assert barcodes(ok(api_for(user).get("/api/tools"))) == ["T-B"]


def test_created_records_land_in_the_current_department(api_for, both, other_department, stocked):
    client = api_for(both, other_department)
    data = ok(client.post("/api/tools", {"barcode": "T-NEW", "name": "Tacker"}, format="json"), 201)
    assert data["department"] == other_department.code
    assert barcodes(ok(api_for(both).get("/api/tools"))) == ["T-W"]


def test_a_department_not_allowed_is_denied(api_for, plain_user, other_department, stocked):
    error(api_for(plain_user, other_department).get("/api/tools"), 403, "PERMISSION_DENIED")
    error(
        api_for(plain_user, other_department).post("/api/tools", {"barcode": "T-X", "name": "x"}, format="json"),
        403,
        "PERMISSION_DENIED",
    )
    error(api_for(plain_user).get("/api/consumables?department=nowhere"), 403, "PERMISSION_DENIED")


def test_an_inactive_department_is_denied(api_for, both, other_department, stocked):
    other_department.active = False
    other_department.save()
    error(api_for(both, other_department).get("/api/tools"), 403, "PERMISSION_DENIED")


def test_a_user_without_departments_is_denied(api_for, make_user, admin_user):
    loner = make_user(username="loner", default_department=None, allowed=[])
    error(api_for(loner).get("/api/tools"), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize("how", ["header", "query"])
def test_all_departments_only_for_admins(api_for, both, admin_user, stocked, how):
    def get(client, path):
        if how == "header":
            return client.get(path, HTTP_X_SCANDY_DEPARTMENT="all")
        return client.get(f"{path}?department=all")

    error(get(api_for(both), "/api/tools"), 403, "PERMISSION_DENIED")
    assert barcodes(ok(get(api_for(admin_user), "/api/tools"))) == ["T-B", "T-W"]
    assert barcodes(ok(get(api_for(admin_user), "/api/consumables"))) == ["C-B", "C-W"]
    ok(get(api_for(admin_user), "/api/tools/T-B"))


def test_admin_sees_every_active_department_without_membership(api_for, admin_user, other_department, stocked):
    assert barcodes(ok(api_for(admin_user, other_department).get("/api/tools"))) == ["T-B"]


def test_creating_across_all_departments_asks_for_one(api_for, admin_user, department):
    client = api_for(admin_user)
    for path, payload in [
        ("/api/tools", {"barcode": "T-9", "name": "x", "category": "Elektro"}),
        ("/api/consumables", {"barcode": "C-9", "name": "x"}),
    ]:
        body = error(client.post(f"{path}?department=all", payload, format="json"), 400, "VALIDATION_ERROR")
        assert set(body["errors"]) == {"department"}
    assert ok(client.get("/api/tools?department=all"))["count"] == 0


def test_the_same_barcode_in_two_departments(api_for, admin_user, department, other_department):
    for dept in (department, other_department):
        ok(api_for(admin_user, dept).post("/api/tools", {"barcode": "SAME-1", "name": dept.name}, format="json"), 201)
    assert ok(api_for(admin_user, department).get("/api/tools/SAME-1"))["name"] == department.name
    assert ok(api_for(admin_user, other_department).get("/api/tools/SAME-1"))["name"] == other_department.name
    # Across all departments the barcode is ambiguous: the answer says so instead of picking one.
    error(api_for(admin_user).get("/api/tools/SAME-1?department=all"), 400, "VALIDATION_ERROR")
    assert ok(api_for(admin_user).get("/api/tools?department=all&search=SAME-1"))["count"] == 2


def test_a_barcode_taken_in_one_department_is_free_in_another_for_every_kind(
    api_for, admin_user, department, other_department
):
    ok(api_for(admin_user, department).post("/api/consumables", {"barcode": "X-1", "name": "x"}, format="json"), 201)
    ok(api_for(admin_user, other_department).post("/api/tools", {"barcode": "X-1", "name": "x"}, format="json"), 201)
    error(
        api_for(admin_user, department).post("/api/tools", {"barcode": "X-1", "name": "x"}, format="json"),
        409,
        "BARCODE_IN_USE",
    )


def test_updates_stay_in_the_department(api_for, both, department, other_department, stocked):
    # A category name is looked up in the record's own department.
    CategoryFactory(department=other_department, name="Nur-Büro")
    client = api_for(both)
    error(client.patch("/api/tools/T-W", {"category": "Nur-Büro"}, format="json"), 400, "VALIDATION_ERROR")
    third = DepartmentFactory(code="lager", name="Lager")
    error(api_for(both, third).get("/api/tools"), 403, "PERMISSION_DENIED")
