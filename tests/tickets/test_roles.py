"""Who may do what with tickets (CONTRACT section 4), for every ticket URL, API and pages, for the
four roles and a visitor: admin/employee see and edit all; users see their own, assigned and open
ones and edit own and assigned; participants see and edit only their own and never internal notes."""

import pytest

from scandy_site.accounts.roles import Role
from tests.conftest import ROLES
from tests.factories.tickets import TicketFactory
from tickets import services
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
EVERYONE = [*ROLES, ANONYMOUS]
STAFF = {Role.ADMIN, Role.EMPLOYEE}


@pytest.fixture
def users(admin_user, employee, plain_user, participant):
    return {Role.ADMIN: admin_user, Role.EMPLOYEE: employee, Role.USER: plain_user, Role.PARTICIPANT: participant,
            ANONYMOUS: None}  # fmt: skip


@pytest.fixture
def tickets(department, users, employee, plain_user):
    """One ticket per kind of relation to the caller."""
    made = {
        "open_foreign": TicketFactory(department=department, created_by=employee, title="offen, fremd",
                                      category="order"),
        "assigned_to_user": TicketFactory(department=department, created_by=employee, title="dem Anwender",
                                          assignees=[plain_user], category="order"),
        "in_progress_foreign": TicketFactory(department=department, created_by=employee, title="in Arbeit",
                                             assignees=[employee], category="order"),
    }  # fmt: skip
    services.ticket_transition(ticket=made["in_progress_foreign"], user=employee, status="in_progress")
    for role, user in users.items():
        if user is not None:
            made[f"own:{role}"] = TicketFactory(department=department, created_by=user, title=f"von {role}",
                                                category="order")  # fmt: skip
    for ticket in made.values():
        services.ticket_work_line_add(ticket=ticket, user=employee, work="Befund", hours=1)
        services.ticket_add_message(ticket=ticket, user=employee, body="Öffentliche Antwort")
        services.ticket_add_message(ticket=ticket, user=employee, body="Nur intern: Kunde zahlt schlecht",
                                    internal=True)  # fmt: skip
    return made


def may_view(role, key) -> bool:
    if role == ANONYMOUS:
        return False
    if role in STAFF or key == f"own:{role}":
        return True
    if role == Role.USER:
        # Every other ticket here is still open, except the one in progress that is not theirs.
        return key != "in_progress_foreign"
    return False


def may_edit(role, key) -> bool:
    if role == ANONYMOUS:
        return False
    if role in STAFF or key == f"own:{role}":
        return True
    return role == Role.USER and key == "assigned_to_user"


def _view_code(role, key, ok=200):
    if role == ANONYMOUS:
        return 401
    return ok if may_view(role, key) else 404


def _edit_code(role, key, ok=200):
    if role == ANONYMOUS:
        return 401
    if not may_view(role, key):
        return 404
    return ok if may_edit(role, key) else 403


@pytest.mark.parametrize("role", EVERYONE)
def test_api_list_shows_what_the_role_may_see(role, users, tickets, api_for):
    response = api_for(users[role]).get("/api/tickets?page_size=100")
    if role == ANONYMOUS:
        assert response.status_code == 401
        return
    seen = {row["title"] for row in response.json()["data"]["results"]}
    assert seen == {ticket.title for key, ticket in tickets.items() if may_view(role, key)}


@pytest.mark.parametrize("role", EVERYONE)
def test_api_matrix_per_ticket(role, users, tickets, api_for, plain_user):
    client = api_for(users[role])
    for key, ticket in tickets.items():
        base = f"/api/tickets/{ticket.pk}"
        assert client.get(base).status_code == _view_code(role, key), key
        assert client.get(f"{base}/history").status_code == _view_code(role, key), key
        assert client.get(f"{base}/order").status_code == _view_code(role, key), key
        listing = client.get(f"{base}/messages")
        assert listing.status_code == _view_code(role, key), key
        if listing.status_code == 200:
            bodies = [m["body"] for m in listing.json()["data"]["results"]]
            internal_visible = role != Role.PARTICIPANT
            assert ("Nur intern: Kunde zahlt schlecht" in bodies) is internal_visible, (key, bodies)
        message = client.post(f"{base}/messages", {"body": "Hallo"}, format="json")
        assert message.status_code == _view_code(role, key, ok=201), key
        internal = client.post(f"{base}/messages", {"body": "intern", "internal": True}, format="json")
        expected = _view_code(role, key, ok=201)
        if role == Role.PARTICIPANT and expected == 201:
            expected = 403
        assert internal.status_code == expected, key
        assert client.patch(base, {"description": f"von {role}"}, format="json").status_code == _edit_code(role, key)
        assert client.put(f"{base}/order", {"client_name": f"{role}"}, format="json").status_code == _edit_code(
            role, key
        )
        assign = client.post(f"{base}/assign", {"username": plain_user.username}, format="json")
        # Only staff assign: anyone else gets 403 on a ticket they see (404 on one they do not).
        assert assign.status_code == (200 if role in STAFF else _view_code(role, key, ok=403)), key
        unassign = client.post(f"{base}/unassign", {"username": plain_user.username}, format="json")
        assert unassign.status_code == (200 if role in STAFF else _view_code(role, key, ok=403)), key


@pytest.mark.parametrize("role", EVERYONE)
def test_api_transition_matrix(role, users, tickets, api_for):
    """Rights come before the workflow: a non-editor gets 403 even for a move the table forbids."""
    client = api_for(users[role])
    for key, ticket in tickets.items():
        status = Ticket.objects.get(pk=ticket.pk).status
        # From open, "closed" is no move at all (409 for those who may edit); the others move on (200).
        target, ok = {"open": ("closed", 409), "assigned": ("in_progress", 200), "in_progress": ("resolved", 200)}[
            status
        ]
        response = client.post(f"/api/tickets/{ticket.pk}/transition", {"status": target}, format="json")
        assert response.status_code == _edit_code(role, key, ok=ok), (key, response.content)


@pytest.mark.parametrize("role", EVERYONE)
def test_api_create(role, users, department, api_for):
    response = api_for(users[role]).post("/api/tickets", {"title": "Neu", "category": "material"}, format="json")
    assert response.status_code == (401 if role == ANONYMOUS else 201)
    if role != ANONYMOUS:
        assert response.json()["data"]["created_by"] == users[role].username


@pytest.mark.parametrize("role", [Role.USER, Role.PARTICIPANT])
def test_only_staff_assign_on_creation(role, users, api_for):
    response = api_for(users[role]).post("/api/tickets", {"title": "x", "assignees": ["employee"]}, format="json")
    assert response.status_code == 403


def test_participants_cannot_be_assigned(users, tickets, api_for):
    ticket = tickets["open_foreign"]
    response = api_for(users[Role.ADMIN]).post(
        f"/api/tickets/{ticket.pk}/assign", {"username": "teilnehmer"}, format="json"
    )
    assert response.status_code == 400


# --- pages -------------------------------------------------------------------------------------

PAGE_ACTIONS = [
    # (name, method, url suffix, data, rule)
    ("detail", "get", "", None, "view"),
    ("edit form", "get", "edit/", None, "edit"),
    ("edit", "post", "edit/", {"title": "Neu", "category": "order", "priority": "high"}, "edit"),
    ("pdf", "get", "export.pdf", None, "view"),
    ("docx", "get", "export.docx", None, "view"),
    ("message", "post", "messages/", {"body": "Hallo"}, "view"),
    ("order form", "get", "order/", None, "edit"),
    ("order", "post", "order/", {"client_type": "external", "client_name": "ACME"}, "edit"),
    ("work", "post", "order/work/", {"work": "Prüfen", "hours": "1"}, "edit"),
    ("material", "post", "order/material/", {"material": "Schraube", "quantity": "2", "unit_price": "1"}, "edit"),
    ("transition", "post", "transition/", {"status": "closed"}, "edit"),
    ("assign", "post", "assign/", "assign", "staff"),
    ("unassign", "post", "unassign/anwender/", {}, "staff"),
    ("line delete", "post", "order/work/{line}/delete/", {}, "edit"),
]


@pytest.mark.parametrize("role", EVERYONE)
def test_page_matrix(role, users, tickets, client):
    if users[role] is not None:
        client.force_login(users[role])
    for key, ticket in tickets.items():
        for name, method, suffix, data, rule in PAGE_ACTIONS:
            if data == "assign":
                data = {"user": users[Role.USER].pk}
            line = ticket.work_lines.values_list("pk", flat=True).first() or 0
            url = f"/tickets/{ticket.pk}/{suffix.format(line=line)}"
            response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
            if role == ANONYMOUS:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], (name, key)
                continue
            if not may_view(role, key):
                expected = 403 if rule == "staff" else 404
            elif rule == "staff":
                expected = 302 if role in STAFF else 403
            elif rule == "edit" and not may_edit(role, key):
                expected = 403
            else:
                expected = 302 if method == "post" else 200
            assert response.status_code == expected, (role, key, name, response.status_code)


@pytest.mark.parametrize("role", EVERYONE)
def test_page_list_and_create(role, users, tickets, client):
    if users[role] is not None:
        client.force_login(users[role])
    listing = client.get("/tickets/")
    form = client.get("/tickets/new/")
    created = client.post("/tickets/new/", {"title": "Vom Formular", "category": "general", "priority": "normal"})
    if role == ANONYMOUS:
        assert all(r.status_code == 302 for r in (listing, form, created))
        assert not Ticket.objects.filter(title="Vom Formular").exists()
        return
    assert listing.status_code == 200 and form.status_code == 200
    shown = {t.title for t in listing.context["page"].object_list}
    assert shown == {ticket.title for key, ticket in tickets.items() if may_view(role, key)}
    assert created.status_code == 302
    assert Ticket.objects.get(title="Vom Formular").created_by == users[role]


def test_participant_page_never_shows_internal_notes(users, tickets, client):
    client.force_login(users[Role.PARTICIPANT])
    html = client.get(f"/tickets/{tickets['own:participant'].pk}/").content.decode()
    assert "Öffentliche Antwort" in html
    assert "Nur intern" not in html
    assert 'name="internal"' not in html
    client.force_login(users[Role.USER])
    html = client.get(f"/tickets/{tickets['assigned_to_user'].pk}/").content.decode()
    assert "Nur intern" in html


def test_participant_mails_never_carry_internal_notes(users, tickets, q_sync, django_capture_on_commit_callbacks):
    from django.core import mail

    ticket = tickets["own:participant"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, user=users[Role.EMPLOYEE], body="Geheim", internal=True)
    assert not [m for m in mail.outbox if users[Role.PARTICIPANT].email in m.to]
    assert TicketMessage.objects.filter(body="Geheim", is_internal=True).exists()
