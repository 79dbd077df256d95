import pytest

from lending.models import Lending, Worker
from tests.factories import ToolFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def test_employee_manages_workers(api_for, employee, department):
    client = api_for(employee, department)
    created = client.post(
        "/api/workers", {"barcode": "W-9", "first_name": "Grace", "last_name": "Hopper", "email": "g@example.org"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["data"]["department"] == department.code

    patched = client.patch("/api/workers/W-9", {"active": False}, format="json")
    assert patched.json()["data"]["active"] is False
    assert patched.json()["data"]["first_name"] == "Grace"

    deleted = client.delete("/api/workers/W-9")
    assert deleted.status_code == 200
    assert client.get("/api/workers/W-9").status_code == 404
    assert Worker.objects.get(barcode="W-9").deleted_at is not None


def test_user_may_look_up_but_not_manage_workers(api_for, plain_user, department):
    WorkerFactory(department=department, barcode="W-1")
    client = api_for(plain_user, department)
    assert client.get("/api/workers").json()["data"]["count"] == 1
    assert client.get("/api/workers/W-1").status_code == 200
    response = client.post("/api/workers", {"barcode": "W-2", "first_name": "A", "last_name": "B"}, format="json")
    assert response.status_code == 403
    assert client.patch("/api/workers/W-1", {"active": False}, format="json").status_code == 403
    assert client.delete("/api/workers/W-1").status_code == 403


def test_participant_cannot_see_workers(api_for, participant, department):
    assert api_for(participant, department).get("/api/workers").status_code == 403


def test_worker_barcode_shared_with_tools(api_for, employee, department, other_department):
    ToolFactory(department=department, barcode="SAME")
    client = api_for(employee, department)
    response = client.post("/api/workers", {"barcode": "SAME", "first_name": "A", "last_name": "B"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "BARCODE_IN_USE"
    employee.departments.add(other_department)
    elsewhere = api_for(employee, other_department).post(
        "/api/workers", {"barcode": "SAME", "first_name": "A", "last_name": "B"}, format="json"
    )
    assert elsewhere.status_code == 201


def test_worker_search_and_filter(api_for, plain_user, department):
    WorkerFactory(department=department, barcode="W-1", last_name="Meier", active=True)
    WorkerFactory(department=department, barcode="W-2", last_name="Schulz", active=False)
    client = api_for(plain_user, department)
    assert [w["barcode"] for w in client.get("/api/workers?search=meier").json()["data"]["results"]] == ["W-1"]
    assert [w["barcode"] for w in client.get("/api/workers?active=false").json()["data"]["results"]] == ["W-2"]


def test_worker_etag_and_stale_if_match(api_for, employee, department):
    WorkerFactory(department=department, barcode="W-1")
    client = api_for(employee, department)
    etag = client.get("/api/workers/W-1")["ETag"]
    assert (
        client.patch("/api/workers/W-1", {"email": "a@example.org"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    stale = client.patch("/api/workers/W-1", {"email": "b@example.org"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "PRECONDITION_FAILED"


def test_a_card_in_several_departments_is_ambiguous_across_all(api_for, admin_user, department, other_department):
    WorkerFactory(department=department, barcode="W-TWICE", first_name="Ada")
    WorkerFactory(department=other_department, barcode="W-TWICE", first_name="Grace")
    ToolFactory(department=department, barcode="T-1")
    everywhere = api_for(admin_user)
    everywhere.defaults["HTTP_X_SCANDY_DEPARTMENT"] = "all"
    everywhere.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    # The same answer as for a tool in several departments, never a silent pick of one of them.
    for response in (
        everywhere.get("/api/workers/W-TWICE"),
        everywhere.post("/api/lending/process", {"tool_barcode": "T-1", "worker_barcode": "W-TWICE"}, format="json"),
    ):
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["code"] == "VALIDATION_ERROR"
        assert "exists in several departments" in body["message"]
    assert not Lending.objects.exists()
    # In one department the card is clear.
    assert api_for(admin_user, other_department).get("/api/workers/W-TWICE").json()["data"]["first_name"] == "Grace"
