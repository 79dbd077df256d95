"""Every field change, assignment and transition leaves a history row in the same transaction."""

import pytest

from scandy_site.core.models import ChangeEvent
from tests.factories.tickets import TicketFactory
from tickets import services

pytestmark = pytest.mark.django_db


def events(ticket):
    return list(ChangeEvent.objects.filter(entity="ticket", object_id=ticket.pk).order_by("id"))


def test_creation_field_changes_assignment_and_transition(department, employee, plain_user, api_for):
    client = api_for(employee)
    created = client.post("/api/tickets", {"title": "Presse", "priority": "high", "tags": ["Hydraulik"]},
                          format="json").json()["data"]  # fmt: skip
    ticket_id = created["id"]
    client.patch(f"/api/tickets/{ticket_id}", {"title": "Presse prüfen", "due_date": "2026-12-24"}, format="json")
    client.post(f"/api/tickets/{ticket_id}/assign", {"username": "anwender"}, format="json")
    client.post(f"/api/tickets/{ticket_id}/transition", {"status": "in_progress"}, format="json")
    client.post(f"/api/tickets/{ticket_id}/unassign", {"username": "anwender"}, format="json")

    history = client.get(f"/api/tickets/{ticket_id}/history").json()["data"]["results"]
    assert [row["type"] for row in history][::-1] == ["ticket.created"] + ["ticket.updated"] * 5
    oldest_first = history[::-1]
    assert oldest_first[0]["changes"]["title"] == [None, "Presse"]
    assert oldest_first[0]["changes"]["tags"] == [None, "hydraulik"]
    assert oldest_first[0]["changes"]["ticket_number"][1] == created["ticket_number"]
    assert oldest_first[1]["changes"] == {"title": ["Presse", "Presse prüfen"], "due_date": [None, "2026-12-24"]}
    assert oldest_first[2]["changes"] == {"assignees": [None, "anwender"]}
    assert oldest_first[3]["changes"] == {"status": ["open", "assigned"]}
    assert oldest_first[4]["changes"] == {"status": ["assigned", "in_progress"]}
    assert oldest_first[5]["changes"] == {"assignees": ["anwender", None]}
    assert all(row["user"] == "employee" for row in history)


def test_nothing_changed_writes_nothing(department, employee):
    ticket = TicketFactory(department=department, created_by=employee, title="Gleich")
    before = len(events(ticket))
    services.ticket_update(ticket=ticket, user=employee, title="Gleich", tags=[])
    assert len(events(ticket)) == before


def test_order_changes_and_lines_are_recorded(department, employee):
    ticket = TicketFactory(department=department, created_by=employee, category="order")
    services.ticket_order_update(ticket=ticket, user=employee, client_name="Stadtwerke")
    line = services.ticket_work_line_add(ticket=ticket, user=employee, work="Dichtung", hours="1.5")
    services.ticket_material_line_add(ticket=ticket, user=employee, material="O-Ring", quantity=2, unit_price="3.10")
    services.ticket_line_remove(ticket=ticket, user=employee, kind="work", line_id=line.pk)
    changes = [event.changes for event in events(ticket)[1:]]
    assert changes[0] == {"order.client_name": ["", "Stadtwerke"]}
    assert changes[1] == {"work_lines": [None, "Dichtung (1.50 h)"]}
    assert changes[2] == {"material_lines": [None, "2.00 Stk O-Ring à 3.10"]}
    assert changes[3] == {"work_lines": ["Dichtung (1.50 h)", None]}


def test_a_refused_change_leaves_no_history(department, employee, plain_user):
    from scandy_site.core.errors import ApplicationError

    ticket = TicketFactory(department=department, created_by=employee)
    before = len(events(ticket))
    with pytest.raises(ApplicationError):
        services.ticket_transition(ticket=ticket, user=employee, status="closed")
    with pytest.raises(ApplicationError):
        services.ticket_update(ticket=ticket, user=plain_user, title="Nicht meins")
    assert len(events(ticket)) == before


def test_timeline_on_the_page(department, employee, page_client_for):
    ticket = TicketFactory(department=department, created_by=employee, category="order")
    services.ticket_update(ticket=ticket, user=employee, priority="critical")
    html = page_client_for(employee).get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="history"' in html
    assert "Kritisch" in html or "Critical" in html
