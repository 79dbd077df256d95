"""Who sees which events: the role matrix (kinds of records), the department scope, and the row rules of
tickets (a participant: own tickets only, and never a sign of an internal note)."""

import json

import pytest

from integrations import services as integration_services
from inventory import services as inventory_services
from lending import services as lending_services
from scandy_site.accounts.roles import Role
from tests.factories import ConsumableFactory, DepartmentFactory, ToolFactory, WorkerFactory
from tests.factories.integrations import OrderFactory
from tickets import services as ticket_services
from tickets.models import Ticket

from .conftest import events_after, parse_sse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(department, other_department, admin_user, employee, plain_user, participant, mark):
    """One change of every kind in `department`, some in `other_department`; returns the id before them."""
    start = mark()
    tool = ToolFactory(department=department, barcode="T-1", created_by=admin_user)
    ConsumableFactory(department=department, barcode="C-1")
    worker = WorkerFactory(department=department, barcode="W-1")
    lending_services.lending_checkout(tool=tool, worker=worker, user=admin_user)
    own = ticket_services.ticket_create(department=department, user=participant, title="Mein Ticket")
    ticket_services.ticket_add_message(ticket=own, user=employee, body="Antwort")
    ticket_services.ticket_add_message(ticket=own, user=employee, body="Nur intern", internal=True)
    foreign = ticket_services.ticket_create(department=department, user=employee, title="Fremdes Ticket")
    ticket_services.ticket_assign(ticket=foreign, user=employee, assignee=employee)
    ticket_services.ticket_transition(ticket=foreign, user=employee, status=Ticket.Status.IN_PROGRESS)
    open_one = ticket_services.ticket_create(department=department, user=employee, title="Offenes Ticket")
    integration_services.customer_create(user=admin_user, name="Kunde")
    integration_services.order_update(order=OrderFactory(), user=admin_user, status="shipped")
    ToolFactory(department=other_department, barcode="T-OTHER")
    inventory_services.tool_update(tool=tool, user=admin_user, name="Neu")
    return {"start": start, "own": str(own.pk), "foreign": str(foreign.pk), "open": str(open_one.pk)}


def seen(client, world) -> set[tuple[str, str]]:
    return {(e["type"].split(".")[0], e["object_id"]) for e in events_after(client, world["start"])}


def kinds_seen(client, world) -> set[str]:
    return {kind for kind, _ in seen(client, world)}


def test_anonymous_gets_nothing(client, world):
    for path in ("/api/events", "/api/events/stream"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_admin_sees_every_kind_in_the_current_department(api_for, admin_user, world):
    api = api_for(admin_user)
    assert kinds_seen(api, world) == {"tool", "consumable", "worker", "lending", "ticket", "customer", "order"}
    assert ("tool", "T-OTHER") not in seen(api, world)
    everything = api_for(admin_user)
    everything.defaults["HTTP_X_SCANDY_DEPARTMENT"] = "all"
    assert ("tool", "T-OTHER") in seen(everything, world)


def test_employee_sees_all_tickets_and_the_shop(api_for, employee, world):
    got = seen(api_for(employee), world)
    assert {k for k, _ in got} == {"tool", "consumable", "worker", "lending", "ticket", "customer", "order"}
    assert {("ticket", world["own"]), ("ticket", world["foreign"]), ("ticket", world["open"])} <= got


def test_user_sees_inventory_lending_customers_and_own_assigned_or_open_tickets(api_for, plain_user, world):
    got = seen(api_for(plain_user), world)
    assert {k for k, _ in got} == {"tool", "consumable", "worker", "lending", "ticket", "customer"}
    tickets = {obj for kind, obj in got if kind == "ticket"}
    # The participant's ticket is open, so users see it; the employee's one in progress is not theirs.
    assert tickets == {world["own"], world["open"]}


def test_participant_sees_only_own_tickets_and_no_internal_note(api_for, participant, world):
    events = events_after(api_for(participant), world["start"])
    assert {(e["type"], e["object_id"]) for e in events} == {
        ("ticket.created", world["own"]),
        ("ticket.updated", world["own"]),
    }
    fields = [field for e in events for field in e["changed_fields"]]
    assert "messages" in fields
    assert "internal_notes" not in fields
    # The ticket's own history agrees: the note is not there either.
    history = api_for(participant).get(f"/api/tickets/{world['own']}/history").json()["data"]["results"]
    assert all("internal_notes" not in row["changes"] for row in history), history


def test_a_user_in_another_department_sees_none_of_these(api_for, make_user, world):
    stranger = make_user(Role.EMPLOYEE, default_department=DepartmentFactory(code="lager"))
    assert kinds_seen(api_for(stranger), world) == {"customer", "order"}  # not bound to a department


def test_switching_the_department_switches_the_feed(api_for, make_user, department, other_department, world):
    both = make_user(Role.EMPLOYEE, allowed=[department, other_department])
    assert ("tool", "T-OTHER") not in seen(api_for(both, department), world)
    assert ("tool", "T-OTHER") in seen(api_for(both, other_department), world)
    refused = api_for(both).get("/api/events", HTTP_X_SCANDY_DEPARTMENT="all")
    assert refused.status_code == 403


def test_tickets_disappear_with_the_ticket_system(api_for, employee, world, settings):
    settings.ENABLE_TICKET_SYSTEM = False
    assert "ticket" not in kinds_seen(api_for(employee), world)


def test_the_stream_is_scoped_the_same_way(api_for, participant, world, settings):
    settings.EVENTS_STREAM_SECONDS = 0  # one look, then the response ends
    response = api_for(participant).get("/api/events/stream", {"since": world["start"]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    blocks = parse_sse(b"".join(response.streaming_content).decode().split("\n"))
    events = [json.loads(block["data"]) for block in blocks if block["data"]]
    assert events == events_after(api_for(participant), world["start"])
    assert {e["object_id"] for e in events} == {world["own"]}
