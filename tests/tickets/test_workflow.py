"""The workflow table, every pair of statuses, through the API and for staff and a plain user."""

import itertools

import pytest

from tests.factories.tickets import TicketFactory
from tickets.models import Ticket
from tickets.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db

STATUSES = Ticket.Status.values
ALLOWED = {
    ("open", "assigned"),
    ("assigned", "in_progress"),
    ("in_progress", "resolved"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),
    ("closed", "open"),
}
STAFF_ONLY = {("closed", "open")}


def test_the_table_is_the_one_of_the_issue():
    assert {(t.source, t.target) for t in TRANSITIONS} == ALLOWED


def _ticket_in(status, department, creator, assignee):
    ticket = TicketFactory(department=department, created_by=creator, assignees=[assignee])
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    return ticket


@pytest.mark.parametrize(("source", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_for_staff(source, target, department, employee, plain_user, api_for):
    ticket = _ticket_in(source, department, employee, plain_user)
    response = api_for(employee).post(f"/api/tickets/{ticket.pk}/transition", {"status": target}, format="json")
    ticket.refresh_from_db()
    if (source, target) in ALLOWED:
        assert response.status_code == 200, response.json()
        assert ticket.status == target
        assert response.json()["data"]["status"] == target
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "INVALID_TRANSITION"
        assert ticket.status == source


@pytest.mark.parametrize(("source", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_for_an_assigned_user(source, target, department, employee, plain_user, api_for):
    ticket = _ticket_in(source, department, employee, plain_user)
    response = api_for(plain_user).post(f"/api/tickets/{ticket.pk}/transition", {"status": target}, format="json")
    ticket.refresh_from_db()
    if (source, target) in ALLOWED - STAFF_ONLY:
        assert response.status_code == 200, response.json()
        assert ticket.status == target
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["code"] == "INVALID_TRANSITION"
        assert ticket.status == source


def test_unknown_status_is_a_validation_error(department, employee, api_for):
    ticket = TicketFactory(department=department, created_by=employee)
    response = api_for(employee).post(f"/api/tickets/{ticket.pk}/transition", {"status": "done"}, format="json")
    assert response.status_code == 400


def test_assigned_needs_an_assignee(department, employee, api_for):
    ticket = TicketFactory(department=department, created_by=employee)
    response = api_for(employee).post(f"/api/tickets/{ticket.pk}/transition", {"status": "assigned"}, format="json")
    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_timestamps_follow_the_status(department, employee, plain_user, api_for):
    ticket = TicketFactory(department=department, created_by=employee, assignees=[plain_user])
    client = api_for(employee)
    for status in ("in_progress", "resolved", "closed"):
        client.post(f"/api/tickets/{ticket.pk}/transition", {"status": status}, format="json")
    ticket.refresh_from_db()
    assert ticket.resolved_at and ticket.closed_at
    client.post(f"/api/tickets/{ticket.pk}/transition", {"status": "open"}, format="json")
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.closed_at is None and ticket.resolved_at is None


def test_assigning_an_open_ticket_makes_it_assigned(department, employee, plain_user, api_for):
    ticket = TicketFactory(department=department, created_by=employee)
    response = api_for(employee).post(f"/api/tickets/{ticket.pk}/assign", {"username": "anwender"}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "assigned"
    assert data["assignees"][0]["username"] == "anwender"
    assert data["assignees"][0]["assigned_by"] == "employee"
