"""`/api/tickets…`: envelope, create with order details, filters, ETag, messages, order PUT, errors."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.tickets import TicketFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(api_for, employee):
    return api_for(employee)


def test_create_and_read_back(client, plain_user):
    payload = {
        "title": "Kreissäge schleifen", "description": "Blatt stumpf", "category": "order", "priority": "high",
        "due_date": "2026-12-01", "estimated_hours": "2.5", "tags": ["Holz", "holz", " Sägen "],
        "assignees": ["anwender"],
        "order": {"client_type": "internal", "client_name": "Schreinerei", "contact_email": "s@example.org"},
    }  # fmt: skip
    response = client.post("/api/tickets", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "success"
    data = body["data"]
    assert data["ticket_number"] in body["message"]
    assert (data["category"], data["priority"], data["status"]) == ("order", "high", "assigned")
    assert data["tags"] == ["holz", "sägen"]
    assert data["created_by"] == "employee" and data["department"] == "werkstatt"
    assert data["order"]["client_name"] == "Schreinerei"
    assert data["order"]["vat_rate"] == "19.00"
    assert data["order"]["totals"]["gross"] == "0.00"
    by_number = client.get(f"/api/tickets/{data['ticket_number']}")
    assert by_number.status_code == 200 and by_number.json()["data"]["id"] == data["id"]
    assert by_number["ETag"]


def test_server_owned_fields_are_not_taken(client):
    response = client.post("/api/tickets", {"title": "x", "status": "closed", "ticket_number": "9999-999",
                                            "created_by": "admin"}, format="json")  # fmt: skip
    data = response.json()["data"]
    assert data["status"] == "open" and data["ticket_number"] != "9999-999" and data["created_by"] == "employee"


def test_patch_changes_only_what_is_sent_and_if_match(client, employee):
    ticket = TicketFactory(department=employee.default_department, created_by=employee, title="Alt", priority="low")
    url = f"/api/tickets/{ticket.pk}"
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"title": "Neu"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Neu"
    assert response.json()["data"]["priority"] == "low"
    stale = client.patch(url, {"title": "Noch neuer"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Ticket.objects.get(pk=ticket.pk).title == "Neu"
    assert client.patch(url, {"assignees": ["anwender"]}, format="json").status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": ""},
        {"title": "x", "priority": "urgent"},
        {"title": "x", "category": "order", "order": {"vat_rate": "150"}},
        {"title": "x", "order": {"client_name": "nur für Aufträge"}},
        {"title": "x", "estimated_hours": "-1"},
        {"title": "x\u0000"},
        {"title": "x", "tags": [f"t{n}" for n in range(25)]},
        {"title": "x", "assignees": ["niemand"]},
    ],
)
def test_invalid_input_is_400(client, payload):
    response = client.post("/api/tickets", payload, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert not Ticket.objects.exists()


def test_unknown_ticket_is_404(client):
    assert client.get("/api/tickets/999999").status_code == 404
    assert client.get("/api/tickets/2611-999").status_code == 404
    assert client.get("/api/tickets/abc").status_code == 404


def test_filters_and_search(client, department, employee, plain_user):
    today = timezone.localdate()
    overdue = TicketFactory(department=department, created_by=employee, title="Alt und fällig", priority="critical",
                            due_date=today - datetime.timedelta(days=3))  # fmt: skip
    mine = TicketFactory(department=department, created_by=employee, title="Meins", assignees=[employee],
                         category="material", tags=["lager"])  # fmt: skip
    TicketFactory(department=department, created_by=employee, title="Ohne Termin", assignees=[plain_user])

    def titles(query):
        return {row["title"] for row in client.get(f"/api/tickets?{query}").json()["data"]["results"]}

    assert titles("due=overdue") == {"Alt und fällig"}
    assert titles("priority=critical") == {"Alt und fällig"}
    assert titles("category=material") == {"Meins"}
    assert titles("assignee=me") == {"Meins"}
    assert titles("assignee=anwender") == {"Ohne Termin"}
    assert titles("assignee=none") == {"Alt und fällig"}
    assert titles("status=assigned") == {"Meins", "Ohne Termin"}
    assert titles("status=open&status=assigned") == {"Alt und fällig", "Meins", "Ohne Termin"}
    assert titles("tag=LAGER") == {"Meins"}
    assert titles(f"search={overdue.ticket_number}") == {"Alt und fällig"}
    assert titles("q=termin") == {"Ohne Termin"}
    assert titles("due=none") == {"Meins", "Ohne Termin"}
    ordered = client.get("/api/tickets?ordering=-priority_rank").json()["data"]["results"]
    assert ordered[0]["title"] == "Alt und fällig"
    assert mine.ticket_number in {row["ticket_number"] for row in client.get("/api/tickets").json()["data"]["results"]}


def test_department_scope(client, department, other_department, admin_user, api_for, employee):
    TicketFactory(department=other_department, title="Büro")
    TicketFactory(department=department, title="Werkstatt")
    assert {r["title"] for r in client.get("/api/tickets").json()["data"]["results"]} == {"Werkstatt"}
    admin = api_for(admin_user)
    everything = admin.get("/api/tickets?department=all").json()["data"]["results"]
    assert {r["title"] for r in everything} == {"Büro", "Werkstatt"}
    assert {r["title"] for r in admin.get("/api/tickets?department=all&department_code=buero").json()["data"][
        "results"]} == {"Büro"}  # fmt: skip
    assert admin.post("/api/tickets?department=all", {"title": "wohin?"}, format="json").status_code == 400


def test_list_query_count_is_flat(client, department, employee, django_assert_max_num_queries):
    for number in range(15):
        ticket = TicketFactory(department=department, created_by=employee, category="order",
                               assignees=[employee], tags=[f"t{number}", "alle"])  # fmt: skip
        services.ticket_material_line_add(ticket=ticket, user=employee, material="m", quantity=1, unit_price=1)
    with django_assert_max_num_queries(12):
        response = client.get("/api/tickets?page_size=100")
    assert response.json()["data"]["count"] == 15


def test_messages_assign_unassign_history(client, department, employee, plain_user):
    ticket = TicketFactory(department=department, created_by=plain_user)
    url = f"/api/tickets/{ticket.pk}"
    created = client.post(f"{url}/messages", {"body": "Ich kümmere mich", "internal": False}, format="json")
    assert created.status_code == 201
    assert created.json()["data"]["author"] == "employee"
    assert client.post(f"{url}/messages", {"body": "   "}, format="json").status_code == 400
    assert client.post(f"{url}/assign", {"username": "anwender"}, format="json").json()["data"]["status"] == "assigned"
    again = client.post(f"{url}/assign", {"username": "anwender"}, format="json")
    assert len(again.json()["data"]["assignees"]) == 1
    assert client.post(f"{url}/unassign", {"username": "anwender"}, format="json").json()["data"]["assignees"] == []
    assert client.post(f"{url}/unassign", {"username": "anwender"}, format="json").status_code == 400
    assert client.post(f"{url}/assign", {"username": "gibtsnicht"}, format="json").status_code == 400
    history = client.get(f"{url}/history").json()["data"]
    assert history["count"] >= 4
    messages = client.get(f"{url}/messages").json()["data"]["results"]
    assert [m["body"] for m in messages] == ["Ich kümmere mich"]


def test_order_put_replaces_lines_and_gives_totals(client, department, employee):
    ticket = TicketFactory(department=department, created_by=employee, category="order")
    payload = {
        "client_type": "external", "client_name": "ACME", "vat_rate": "7", "hourly_rate": "50",
        "work_lines": [{"work": "Prüfen", "hours": "2", "service_category": "Service"}],
        "material_lines": [{"material": "Öl", "quantity": "2", "unit": "l", "unit_price": "12.50"}],
    }  # fmt: skip
    response = client.put(f"/api/tickets/{ticket.pk}/order", payload, format="json")
    assert response.status_code == 200, response.json()
    totals = response.json()["data"]["totals"]
    assert totals == {"hours": "2.00", "hourly_rate": "50.00", "labour": "100.00", "material": "25.00",
                      "net": "125.00", "vat_rate": "7.00", "vat": "8.75", "gross": "133.75"}  # fmt: skip
    payload["work_lines"] = []
    again = client.put(f"/api/tickets/{ticket.pk}/order", payload, format="json").json()["data"]
    assert again["work_lines"] == [] and again["totals"]["gross"] == "26.75"
    zero = {"material_lines": [{"material": "x", "quantity": "0", "unit_price": "1"}]}
    bad = client.put(f"/api/tickets/{ticket.pk}/order", zero, format="json")
    assert bad.status_code == 400
    general = TicketFactory(department=department, created_by=employee)
    assert client.get(f"/api/tickets/{general.pk}/order").status_code == 404
    assert client.put(f"/api/tickets/{general.pk}/order", payload, format="json").status_code == 400


def test_delete_is_not_offered(client, department, employee):
    ticket = TicketFactory(department=department, created_by=employee)
    assert client.delete(f"/api/tickets/{ticket.pk}").status_code == 405


def test_schema_lists_the_ticket_and_media_paths(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in (
        "/api/tickets/{id}/transition",
        "/api/tickets/{id}/assign",
        "/api/media/{entity_type}/{entity_id}/upload",
    ):
        assert path in text, path
