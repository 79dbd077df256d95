"""The scanner-station API: scan, lend, return, issue, history, overdue (CONTRACT section 3)."""

import datetime

import pytest
from django.utils import timezone

from inventory.models import StockMovement, Tool
from lending.models import Lending
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(api_for, plain_user, department):
    return api_for(plain_user, department)


@pytest.fixture
def tool(department):
    return ToolFactory(department=department, barcode="T-100", name="Bohrhammer")


@pytest.fixture
def worker(department):
    return WorkerFactory(department=department, barcode="W-1", first_name="Ada", last_name="Lovelace")


def lend(client, tool_barcode, worker_barcode, **extra):
    return client.post(
        "/api/lending/process", {"tool_barcode": tool_barcode, "worker_barcode": worker_barcode, **extra}, format="json"
    )


def test_scan_recognises_each_kind(station, tool, worker, department):
    ConsumableFactory(department=department, barcode="C-1")
    kinds = {code: station.post("/api/scan", {"barcode": code}, format="json").json()["data"]["type"]
             for code in ("T-100", "W-1", "C-1")}  # fmt: skip
    assert kinds == {"T-100": "tool", "W-1": "worker", "C-1": "consumable"}


def test_scan_of_a_lent_tool_shows_its_open_lending(station, tool, worker):
    assert lend(station, "T-100", "W-1").status_code == 201
    data = station.post("/api/scan", {"barcode": "T-100"}, format="json").json()["data"]
    assert data["tool"]["status"] == "lent"
    assert data["lending"]["worker_barcode"] == "W-1"


def test_unknown_barcode(station, db, department):
    response = station.post("/api/scan", {"barcode": "NOPE"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "UNKNOWN_BARCODE"


def test_scan_is_scoped_to_the_department(api_for, plain_user, department, other_department):
    ToolFactory(department=other_department, barcode="ELSEWHERE")
    response = api_for(plain_user, department).post("/api/scan", {"barcode": "ELSEWHERE"}, format="json")
    assert response.json()["code"] == "UNKNOWN_BARCODE"


def test_lend_then_return(station, tool, worker):
    response = lend(station, "T-100", "W-1")
    assert response.status_code == 201, response.content
    body = response.json()
    expected_due = timezone.localdate() + datetime.timedelta(days=7)
    assert body["data"]["due_date"] == expected_due.isoformat()
    tool.refresh_from_db()
    assert tool.status == Tool.Status.LENT

    returned = station.post("/api/lending/return", {"tool_barcode": "T-100"}, format="json")
    assert returned.status_code == 200
    assert returned.json()["data"]["returned_at"]
    tool.refresh_from_db()
    assert tool.status == Tool.Status.AVAILABLE
    assert Lending.objects.get().returned_by.username == "anwender"


def test_lend_with_due_date_and_notes(station, tool, worker):
    due = timezone.localdate() + datetime.timedelta(days=2)
    response = lend(station, "T-100", "W-1", due_date=due.isoformat(), notes="Baustelle Nord")
    assert response.json()["data"]["due_date"] == due.isoformat()
    assert Lending.objects.get().notes == "Baustelle Nord"


def test_due_date_in_the_past_is_refused(station, tool, worker):
    response = lend(station, "T-100", "W-1", due_date="2000-01-01")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert not Lending.objects.exists()


def test_second_lend_is_tool_not_available(station, tool, worker, department):
    WorkerFactory(department=department, barcode="W-2")
    lend(station, "T-100", "W-1")
    response = lend(station, "T-100", "W-2")
    assert response.status_code == 409
    assert response.json()["code"] == "TOOL_NOT_AVAILABLE"
    assert Lending.objects.count() == 1


@pytest.mark.parametrize("status", [Tool.Status.DEFECTIVE, Tool.Status.MAINTENANCE])
def test_defective_or_maintenance_tool_cannot_be_lent(station, tool, worker, status):
    Tool.objects.filter(pk=tool.pk).update(status=status)
    response = lend(station, "T-100", "W-1")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "TOOL_NOT_AVAILABLE"
    assert body["errors"] == {"status": [status]}


def test_return_of_a_tool_not_lent(station, tool):
    response = station.post("/api/lending/return", {"tool_barcode": "T-100"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "TOOL_NOT_LENT"


def test_return_marked_defective(station, tool, worker):
    lend(station, "T-100", "W-1")
    station.post("/api/lending/return", {"tool_barcode": "T-100", "defective": True}, format="json")
    tool.refresh_from_db()
    assert tool.status == Tool.Status.DEFECTIVE


@pytest.mark.parametrize(
    "body, field",
    [
        ({"tool_barcode": "NOPE", "worker_barcode": "W-1"}, "tool_barcode"),
        ({"tool_barcode": "T-100", "worker_barcode": "NOPE"}, "worker_barcode"),
        ({"consumable_barcode": "NOPE", "worker_barcode": "W-1"}, "consumable_barcode"),
    ],
)
def test_unknown_barcodes_when_lending(station, tool, worker, body, field):
    response = station.post("/api/lending/process", body, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "UNKNOWN_BARCODE"
    assert field in response.json()["errors"]


def test_return_unknown_tool(station, db, department):
    response = station.post("/api/lending/return", {"tool_barcode": "NOPE"}, format="json")
    assert response.json()["code"] == "UNKNOWN_BARCODE"


def test_inactive_worker_cannot_borrow(station, tool, department):
    WorkerFactory(department=department, barcode="W-OLD", active=False)
    response = lend(station, "T-100", "W-OLD")
    assert response.status_code == 400
    assert not Lending.objects.exists()


@pytest.mark.parametrize("body", [{}, {"worker_barcode": "W-1"}, {"tool_barcode": "T-100", "consumable_barcode": "C",
                                   "worker_barcode": "W-1"}, {"tool_barcode": "T-100"}, []])  # fmt: skip
def test_malformed_process_requests(station, tool, worker, body):
    response = station.post("/api/lending/process", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_issue_consumable(station, worker, department):
    consumable = ConsumableFactory(department=department, barcode="C-1", current_stock=10)
    response = station.post(
        "/api/lending/process", {"consumable_barcode": "C-1", "worker_barcode": "W-1", "quantity": 3}, format="json"
    )
    assert response.status_code == 201, response.content
    consumable.refresh_from_db()
    assert consumable.current_stock == 7
    movement = StockMovement.objects.get(kind=StockMovement.Kind.ISSUE)
    assert (movement.delta, movement.worker, movement.stock_after) == (-3, worker, 7)


def test_issue_more_than_in_stock(station, worker, department):
    consumable = ConsumableFactory(department=department, barcode="C-1", current_stock=2)
    response = station.post(
        "/api/lending/process", {"consumable_barcode": "C-1", "worker_barcode": "W-1", "quantity": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "INSUFFICIENT_STOCK"
    consumable.refresh_from_db()
    assert consumable.current_stock == 2


def test_history_filters_and_overdue(station, department, worker):
    tools = [ToolFactory(department=department, barcode=f"H-{i}") for i in range(3)]
    for tool in tools:
        lend(station, tool.barcode, "W-1")
    station.post("/api/lending/return", {"tool_barcode": "H-0"}, format="json")
    Lending.objects.filter(tool=tools[2]).update(due_date=timezone.localdate() - datetime.timedelta(days=1))

    def count(query):
        return station.get("/api/lending/history" + query).json()["data"]["count"]

    assert count("") == 3
    assert count("?open=true") == 2
    assert count("?open=false") == 1
    assert count("?tool=H-1") == 1
    assert count("?worker=W-1") == 3
    assert count(f"?since={timezone.localdate().isoformat()}") == 3
    assert count("?until=2000-01-01") == 0
    overdue = station.get("/api/lending/overdue").json()["data"]
    assert [row["tool_barcode"] for row in overdue["results"]] == ["H-2"]
    assert overdue["results"][0]["is_overdue"] is True


def test_participant_has_no_access(api_for, participant, department, tool, worker):
    client = api_for(participant, department)
    assert client.post("/api/scan", {"barcode": "T-100"}, format="json").status_code == 403
    assert lend(client, "T-100", "W-1").status_code == 403
    assert client.get("/api/lending/history").status_code == 403


def test_anonymous_is_not_authenticated(api_for, db):
    response = api_for(None).post("/api/scan", {"barcode": "X"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_history_query_count_is_constant(station, department, worker, django_assert_max_num_queries):
    for i in range(30):
        lend(station, ToolFactory(department=department, barcode=f"Q-{i}").barcode, "W-1")
    with django_assert_max_num_queries(8):
        response = station.get("/api/lending/history?page_size=100")
    assert response.json()["data"]["count"] == 30


def test_envelope_messages_are_sentences_in_the_clients_language(api_for, plain_user, department, tool, worker):
    ConsumableFactory(department=department, barcode="C-1", name="Kabelbinder", unit="Stk", current_stock=10)
    english = api_for(plain_user, department)
    english.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    due = datetime.date(timezone.localdate().year + 1, 3, 3)

    assert english.post("/api/scan", {"barcode": "T-100"}, format="json").json()["message"] == "Tool found."
    assert english.post("/api/scan", {"barcode": "W-1"}, format="json").json()["message"] == "Worker found."
    lent = lend(english, "T-100", "W-1", due_date=due.isoformat()).json()["message"]
    assert lent == f"Bohrhammer lent to Ada Lovelace until 03/03/{due.year}."
    issued = english.post(
        "/api/lending/process", {"consumable_barcode": "C-1", "worker_barcode": "W-1", "quantity": 2}, format="json"
    ).json()["message"]
    assert issued == "2 Stk Kabelbinder issued to Ada Lovelace; 8 left."
    back = english.post("/api/lending/return", {"tool_barcode": "T-100"}, format="json").json()["message"]
    assert back == "Bohrhammer returned by Ada Lovelace."

    # The date follows the language of the request (the German order of day and month).
    german = api_for(plain_user, department)
    german.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    assert f"03.03.{due.year}" in lend(german, "T-100", "W-1", due_date=due.isoformat()).json()["message"]
