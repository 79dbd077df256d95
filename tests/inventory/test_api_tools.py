"""`/api/tools` (CONTRACT section 3): CRUD, PATCH semantics, ETags, barcodes, lists, trash, maintenance."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from inventory.models import Tool
from scandy_site.core.models import ChangeEvent
from tests.factories import CategoryFactory, ConsumableFactory, LocationFactory, ToolFactory, WorkerFactory

CONTRACT_FIELDS = {
    "barcode",
    "name",
    "description",
    "category",
    "location",
    "status",
    "condition",
    "purchase_date",
    "purchase_price",
    "maintenance_due",
    "created_at",
    "updated_at",
}


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


def history(tool):
    return list(
        ChangeEvent.objects.filter(content_type=ContentType.objects.get_for_model(Tool), object_id=tool.pk).order_by(
            "id"
        )
    )


@pytest.fixture
def tool(department, admin_user):
    category = CategoryFactory(department=department, name="Elektro")
    location = LocationFactory(department=department, name="Regal A")
    return ToolFactory(
        department=department,
        barcode="T-1",
        name="Bohrmaschine",
        description="Schlagbohrer",
        category=category,
        location=location,
        purchase_date=datetime.date(2023, 5, 1),
        purchase_price="149.90",
        created_by=admin_user,
    )


# --- create and read ---------------------------------------------------------------------------


def test_create_returns_the_contract_fields(api, department, admin_user):
    CategoryFactory(department=department, name="Elektro")
    payload = {
        "barcode": "T-100",
        "name": "Winkelschleifer",
        "category": "Elektro",
        "status": "maintenance",
        "condition": "new",
        "purchase_date": "2024-01-15",
        "purchase_price": "89.50",
        "maintenance_due": "2025-01-15",
    }
    data = ok(api.post("/api/tools", payload, format="json"), 201)
    assert set(data) >= CONTRACT_FIELDS
    assert {key: data[key] for key in payload} == payload
    assert data["department"] == department.code
    tool = Tool.objects.get(barcode="T-100")
    assert tool.created_by == admin_user
    assert [event.action for event in history(tool)] == ["created"]


def test_detail_carries_an_etag(api, tool):
    response = api.get("/api/tools/T-1")
    data = ok(response)
    assert data["category"] == "Elektro"
    assert data["location"] == "Regal A"
    assert data["purchase_price"] == "149.90"
    assert response["ETag"].startswith('"')


def test_category_of_another_department_is_not_found(api, department, other_department):
    CategoryFactory(department=other_department, name="Fremd")
    body = error(
        api.post("/api/tools", {"barcode": "T-2", "name": "x", "category": "Fremd"}, format="json"),
        400,
        "VALIDATION_ERROR",
    )
    assert "category" in body["errors"]


# --- PATCH and PUT -----------------------------------------------------------------------------


def test_patch_changes_only_the_sent_fields(api, tool):
    before = ok(api.get("/api/tools/T-1"))
    after = ok(api.patch("/api/tools/T-1", {"name": "Schlagbohrmaschine"}, format="json"))
    assert after["name"] == "Schlagbohrmaschine"
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"name", "updated_at"}
    events = history(tool)
    assert events[-1].action == "updated"
    assert events[-1].changes == {"name": ["Bohrmaschine", "Schlagbohrmaschine"]}


def test_patch_can_clear_a_field(api, tool):
    data = ok(api.patch("/api/tools/T-1", {"category": None, "purchase_price": None}, format="json"))
    assert data["category"] is None
    assert data["purchase_price"] is None
    assert data["location"] == "Regal A"


def test_server_owned_fields_are_ignored(api, tool, other_department):
    before = ok(api.get("/api/tools/T-1"))
    payload = {
        "created_at": "2001-01-01T00:00:00Z",
        "updated_at": "2001-01-01T00:00:00Z",
        "department": other_department.code,
        "deleted_at": "2001-01-01T00:00:00Z",
        "description": "neu",
    }
    after = ok(api.patch("/api/tools/T-1", payload, format="json"))
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] != "2001-01-01T00:00:00Z"
    assert after["department"] == before["department"]
    assert after["description"] == "neu"
    tool.refresh_from_db()
    assert tool.deleted_at is None
    assert tool.department.code == before["department"]


def test_patch_without_a_change_writes_no_history(api, tool):
    count = len(history(tool))
    ok(api.patch("/api/tools/T-1", {"name": "Bohrmaschine"}, format="json"))
    assert len(history(tool)) == count


def test_put_replaces_the_record(api, tool):
    payload = {"barcode": "T-1", "name": "Bohrhammer", "status": "defective", "condition": "damaged"}
    data = ok(api.put("/api/tools/T-1", payload, format="json"))
    assert data["name"] == "Bohrhammer"
    assert data["status"] == "defective"
    assert data["condition"] == "damaged"


def test_put_needs_the_required_fields(api, tool):
    body = error(api.put("/api/tools/T-1", {"name": "Bohrhammer"}, format="json"), 400, "VALIDATION_ERROR")
    assert "barcode" in body["errors"]


# --- ETag / If-Match ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_stale_if_match_is_a_precondition_failure(api, tool, method):
    stale = api.get("/api/tools/T-1")["ETag"]
    ok(api.patch("/api/tools/T-1", {"description": "changed by someone else"}, format="json"))
    payload = {"barcode": "T-1", "name": "Mine"}
    response = getattr(api, method)("/api/tools/T-1", payload, format="json", HTTP_IF_MATCH=stale)
    error(response, 412, "PRECONDITION_FAILED")
    tool.refresh_from_db()
    assert tool.name == "Bohrmaschine"
    assert tool.deleted_at is None


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_current_if_match_succeeds(api, tool, method):
    current = api.get("/api/tools/T-1")["ETag"]
    response = getattr(api, method)(
        "/api/tools/T-1", {"barcode": "T-1", "name": "Mine"}, format="json", HTTP_IF_MATCH=current
    )
    ok(response)


def test_if_match_accepts_a_list_weak_tags_and_star(api, tool):
    current = api.get("/api/tools/T-1")["ETag"]
    ok(api.patch("/api/tools/T-1", {"name": "A"}, format="json", HTTP_IF_MATCH=f'"other", {current}'))
    current = api.get("/api/tools/T-1")["ETag"]
    ok(api.patch("/api/tools/T-1", {"name": "B"}, format="json", HTTP_IF_MATCH=f"W/{current}"))
    ok(api.patch("/api/tools/T-1", {"name": "C"}, format="json", HTTP_IF_MATCH="*"))


def test_etag_changes_with_an_update_and_patch_returns_the_new_one(api, tool):
    first = api.get("/api/tools/T-1")["ETag"]
    patched = api.patch("/api/tools/T-1", {"name": "Neu"}, format="json", HTTP_IF_MATCH=first)
    ok(patched)
    second = api.get("/api/tools/T-1")["ETag"]
    assert second != first
    assert patched["ETag"] == second
    ok(api.patch("/api/tools/T-1", {"name": "Neuer"}, format="json", HTTP_IF_MATCH=patched["ETag"]))


def test_if_none_match(api, tool):
    current = api.get("/api/tools/T-1")["ETag"]
    assert api.get("/api/tools/T-1", HTTP_IF_NONE_MATCH=current).status_code == 304
    assert api.get("/api/tools/T-1", HTTP_IF_NONE_MATCH=f'"x", W/{current}').status_code == 304
    ok(api.get("/api/tools/T-1", HTTP_IF_NONE_MATCH='"something-else"'))


# --- barcodes ----------------------------------------------------------------------------------


def test_barcode_in_use_by_a_tool(api, tool):
    body = error(api.post("/api/tools", {"barcode": "T-1", "name": "x"}, format="json"), 409, "BARCODE_IN_USE")
    assert "barcode" in body["errors"]


def test_barcode_in_use_by_a_consumable(api, department):
    ConsumableFactory(department=department, barcode="X-1")
    error(api.post("/api/tools", {"barcode": "X-1", "name": "x"}, format="json"), 409, "BARCODE_IN_USE")


def test_barcode_in_use_by_a_worker(api, department):
    WorkerFactory(department=department, barcode="W-1")
    error(api.post("/api/tools", {"barcode": "W-1", "name": "x"}, format="json"), 409, "BARCODE_IN_USE")


def test_barcode_is_free_in_another_department(api_for, admin_user, department, other_department):
    ToolFactory(department=department, barcode="T-1")
    data = ok(
        api_for(admin_user, other_department).post("/api/tools", {"barcode": "T-1", "name": "x"}, format="json"), 201
    )
    assert data["department"] == other_department.code


def test_barcode_is_trimmed(api, department):
    assert ok(api.post("/api/tools", {"barcode": "  T-7 ", "name": "x"}, format="json"), 201)["barcode"] == "T-7"


def test_patching_to_a_taken_barcode_is_refused(api, tool, department):
    ToolFactory(department=department, barcode="T-2")
    ConsumableFactory(department=department, barcode="C-2")
    error(api.patch("/api/tools/T-1", {"barcode": "T-2"}, format="json"), 409, "BARCODE_IN_USE")
    error(api.patch("/api/tools/T-1", {"barcode": "C-2"}, format="json"), 409, "BARCODE_IN_USE")
    error(api.patch("/api/tools/T-1", {"barcode": "T 2"}, format="json"), 400, "VALIDATION_ERROR")


def test_renaming_a_barcode_frees_the_old_one(api, tool):
    ok(api.patch("/api/tools/T-1", {"barcode": "T-1b"}, format="json"))
    ok(api.get("/api/tools/T-1b"))
    error(api.get("/api/tools/T-1"), 404, "NOT_FOUND")
    ok(api.post("/api/consumables", {"barcode": "T-1", "name": "Kleber"}, format="json"), 201)


# --- status rules ------------------------------------------------------------------------------


def test_status_lent_cannot_be_patched(api, tool):
    body = error(api.patch("/api/tools/T-1", {"status": "lent"}, format="json"), 409, "INVALID_TRANSITION")
    assert "status" in body["errors"]
    tool.refresh_from_db()
    assert tool.status == "available"


@pytest.mark.parametrize("status", ["available", "defective", "maintenance"])
def test_a_lent_tools_status_cannot_change(api, tool, status):
    Tool.objects.filter(pk=tool.pk).update(status=Tool.Status.LENT)  # lending itself comes later
    error(api.patch("/api/tools/T-1", {"status": status}, format="json"), 409, "INVALID_TRANSITION")
    tool.refresh_from_db()
    assert tool.status == "lent"


def test_a_lent_tool_keeps_other_fields_editable(api, tool):
    Tool.objects.filter(pk=tool.pk).update(status=Tool.Status.LENT)
    data = ok(api.patch("/api/tools/T-1", {"status": "lent", "description": "Koffer fehlt"}, format="json"))
    assert data["status"] == "lent"
    assert data["description"] == "Koffer fehlt"


def test_a_lent_tool_cannot_be_deleted(api, tool):
    Tool.objects.filter(pk=tool.pk).update(status=Tool.Status.LENT)
    error(api.delete("/api/tools/T-1"), 409, "TOOL_NOT_AVAILABLE")
    ok(api.get("/api/tools/T-1"))


@pytest.mark.parametrize(
    ("start", "target"), [("available", "defective"), ("defective", "maintenance"), ("maintenance", "available")]
)
def test_other_status_changes_are_allowed(api, tool, start, target):
    Tool.objects.filter(pk=tool.pk).update(status=start)
    assert ok(api.patch("/api/tools/T-1", {"status": target}, format="json"))["status"] == target


# --- lists -------------------------------------------------------------------------------------


@pytest.fixture
def shelf(department):
    elektro = CategoryFactory(department=department, name="Elektro")
    hand = CategoryFactory(department=department, name="Handwerkzeug")
    regal = LocationFactory(department=department, name="Regal B")
    rows = [
        ("T-10", "Akkuschrauber", elektro, None, "available", "SN-777"),
        ("T-11", "Bandschleifer", elektro, regal, "defective", ""),
        ("T-12", "Cuttermesser", hand, regal, "maintenance", ""),
        ("T-13", "Drehmomentschlüssel", hand, None, "available", ""),
    ]
    for barcode, name, category, location, status, serial in rows:
        ToolFactory(
            department=department,
            barcode=barcode,
            name=name,
            category=category,
            location=location,
            status=status,
            serial_number=serial,
        )


def barcodes(data):
    return [row["barcode"] for row in data["results"]]


def test_list_is_ordered_by_name_and_paginated(api, shelf):
    data = ok(api.get("/api/tools?page_size=3"))
    assert data["count"] == 4
    assert barcodes(data) == ["T-10", "T-11", "T-12"]
    assert data["previous"] is None
    assert "page=2" in data["next"]
    second = ok(api.get(data["next"]))
    assert barcodes(second) == ["T-13"]
    assert second["next"] is None
    assert second["previous"]


def test_page_size_is_capped_at_500(api, department):
    # 501 rows through the service would take seconds; a list only needs the rows.
    Tool.objects.bulk_create(Tool(department=department, barcode=f"B{i:04d}", name=f"Tool {i:04d}") for i in range(501))
    data = ok(api.get("/api/tools?page_size=10000"))
    assert data["count"] == 501
    assert len(data["results"]) == 500
    assert data["next"]


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", ""])
def test_bad_page_size_falls_back_to_the_default(api, shelf, page_size):
    assert len(ok(api.get(f"/api/tools?page_size={page_size}"))["results"]) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=schleifer", ["T-11"]),
        ("search=SN-777", ["T-10"]),
        ("search=T-12", ["T-12"]),
        ("q=messer", ["T-12"]),
        ("status=available", ["T-10", "T-13"]),
        ("status=defective&status=maintenance", ["T-11", "T-12"]),
        ("category=elektro", ["T-10", "T-11"]),
        ("location=Regal B", ["T-11", "T-12"]),
        ("category=Elektro&location=Regal B", ["T-11"]),
        ("category=Nowhere", []),
        ("ordering=-name", ["T-13", "T-12", "T-11", "T-10"]),
        ("ordering=status,barcode", ["T-10", "T-13", "T-11", "T-12"]),
        ("ordering=-barcode", ["T-13", "T-12", "T-11", "T-10"]),
        ("ordering=department__name,nonsense", ["T-10", "T-11", "T-12", "T-13"]),
    ],
)
def test_list_filters(api, shelf, query, expected):
    assert barcodes(ok(api.get(f"/api/tools?{query}"))) == expected


def test_maintenance_due_filter(api, department):
    ToolFactory(department=department, barcode="T-20", maintenance_due=datetime.date(2024, 1, 1))
    ToolFactory(department=department, barcode="T-21", maintenance_due=datetime.date(2030, 1, 1))
    ToolFactory(department=department, barcode="T-22")
    assert barcodes(ok(api.get("/api/tools?maintenance_due_before=2025-01-01"))) == ["T-20"]


# --- soft delete -------------------------------------------------------------------------------


def test_delete_moves_to_the_trash(api, tool, admin_user):
    data = ok(api.delete("/api/tools/T-1"))
    assert data == {"barcode": "T-1", "deleted": True}
    error(api.get("/api/tools/T-1"), 404, "NOT_FOUND")
    assert ok(api.get("/api/tools"))["count"] == 0
    assert ok(api.get("/api/tools?search=T-1"))["count"] == 0
    error(api.delete("/api/tools/T-1"), 404, "NOT_FOUND")
    error(api.patch("/api/tools/T-1", {"name": "x"}, format="json"), 404, "NOT_FOUND")
    tool.refresh_from_db()
    assert tool.deleted_at is not None
    assert tool.deleted_by == admin_user
    event = history(tool)[-1]
    assert (event.action, event.user) == ("deleted", admin_user)


def test_a_trashed_tool_keeps_its_barcode(api, tool):
    # Restoring from the trash must not find its barcode taken.
    ok(api.delete("/api/tools/T-1"))
    error(api.post("/api/tools", {"barcode": "T-1", "name": "x"}, format="json"), 409, "BARCODE_IN_USE")


# --- maintenance -------------------------------------------------------------------------------


def test_record_maintenance(api, tool, admin_user):
    payload = {
        "date": "2024-06-01",
        "description": "Kohlebürsten getauscht",
        "cost": "12.50",
        "performed_by": "Elektro Meier",
        "next_due": "2025-06-01",
    }
    data = ok(api.post("/api/tools/T-1/maintenance", payload, format="json"), 201)
    assert {key: data[key] for key in ("date", "description", "cost", "performed_by")} == {
        "date": "2024-06-01",
        "description": "Kohlebürsten getauscht",
        "cost": "12.50",
        "performed_by": "Elektro Meier",
    }
    assert ok(api.get("/api/tools/T-1"))["maintenance_due"] == "2025-06-01"
    records = ok(api.get("/api/tools/T-1/maintenance"))
    assert [record["description"] for record in records] == ["Kohlebürsten getauscht"]
    event = history(tool)[-1]
    assert event.user == admin_user
    assert "maintenance" in event.changes


def test_maintenance_with_only_the_required_fields(api, tool):
    data = ok(
        api.post("/api/tools/T-1/maintenance", {"date": "2024-06-01", "description": "Check"}, format="json"), 201
    )
    assert data["cost"] is None
    assert data["performed_by"] == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": "x"}, "date"),
        ({"date": "2024-06-01"}, "description"),
        ({"date": "2024-06-31", "description": "x"}, "date"),
        ({"date": "2024-06-01", "description": "x", "cost": "-1"}, "cost"),
        ({"date": "2024-06-01", "description": "x", "cost": "1e30"}, "cost"),
        ({"date": "2024-06-01", "description": "x", "next_due": "soon"}, "next_due"),
    ],
)
def test_maintenance_validation(api, tool, payload, field):
    body = error(api.post("/api/tools/T-1/maintenance", payload, format="json"), 400, "VALIDATION_ERROR")
    assert field in body["errors"]
    assert tool.maintenance_records.count() == 0


def test_maintenance_of_an_unknown_or_trashed_tool(api, tool):
    payload = {"date": "2024-06-01", "description": "x"}
    error(api.post("/api/tools/NOPE/maintenance", payload, format="json"), 404, "NOT_FOUND")
    ok(api.delete("/api/tools/T-1"))
    error(api.post("/api/tools/T-1/maintenance", payload, format="json"), 404, "NOT_FOUND")


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
def test_list_query_count_does_not_grow_with_the_rows(api, department, django_assert_max_num_queries, count):
    category = CategoryFactory(department=department, name="Elektro")
    location = LocationFactory(department=department, name="Regal A")
    for i in range(count):
        ToolFactory(department=department, category=category, location=location, barcode=f"Q{i:04d}")
    # setup check, token + user, allowed departments, count, one page of rows with their relations
    with django_assert_max_num_queries(5):
        data = ok(api.get("/api/tools?page_size=500"))
    assert data["count"] == count
    assert all(row["category"] == "Elektro" and row["location"] == "Regal A" for row in data["results"])
