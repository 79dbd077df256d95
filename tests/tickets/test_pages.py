"""Ticket pages: list with filters, create/edit forms (with order details), detail with transitions
as buttons, conversation, order lines and totals."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.tickets import TicketFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(page_client_for, employee):
    return page_client_for(employee)


def test_list_filters_and_query_count(staff, department, employee, plain_user, django_assert_max_num_queries):
    today = timezone.localdate()
    TicketFactory(department=department, created_by=employee, title="Dringend", priority="critical",
                  due_date=today - datetime.timedelta(days=1), assignees=[plain_user])  # fmt: skip
    TicketFactory(department=department, created_by=employee, title="Material", category="material")
    for number in range(12):
        TicketFactory(department=department, created_by=employee, title=f"Routine {number}", tags=["routine"])
    with django_assert_max_num_queries(16):
        page = staff.get("/tickets/")
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 14

    def titles(query):
        return [t.title for t in staff.get(f"/tickets/?{query}").context["page"].object_list]

    assert titles("due=overdue") == ["Dringend"]
    assert titles("priority=critical") == ["Dringend"]
    assert titles("category=material") == ["Material"]
    assert titles("assignee=anwender") == ["Dringend"]
    assert titles("status=assigned") == ["Dringend"]
    assert sorted(titles("q=Routine 1")) == ["Routine 1", "Routine 10", "Routine 11"]
    assert titles("ordering=-priority")[0] == "Dringend"
    # The live filter (htmx) gets only the result block.
    partial = staff.get("/tickets/?category=material", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"Material" in partial.content


def test_create_an_order_through_the_form(staff, employee, plain_user):
    data = {
        "title": "Tor schweißen", "description": "Scharnier gebrochen", "category": "order", "priority": "high",
        "tags": "Metall, Tor", "assignees": [plain_user.pk],
        "order-client_type": "external", "order-client_name": "Hausverwaltung Süd",
        "order-contact_email": "hv@example.org", "order-vat_rate": "19", "order-hourly_rate": "55",
    }  # fmt: skip
    response = staff.post("/tickets/new/", data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    assert ticket.status == "assigned"
    assert [a.user for a in ticket.assignments.all()] == [plain_user]
    assert sorted(t.name for t in ticket.tags.all()) == ["metall", "tor"]
    assert ticket.order.client_name == "Hausverwaltung Süd"
    assert str(ticket.order.hourly_rate) == "55.00"


def test_create_form_shows_errors(staff):
    response = staff.post("/tickets/new/", {"title": "", "category": "general", "priority": "normal"})
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    bad_order = staff.post("/tickets/new/", {"title": "x", "category": "order", "priority": "normal",
                                              "order-client_type": "nope"})  # fmt: skip
    assert bad_order.status_code == 200
    assert not Ticket.objects.exists()


def test_detail_shows_transition_buttons_and_moves(staff, department, employee, plain_user):
    ticket = TicketFactory(department=department, created_by=employee, assignees=[plain_user])
    html = staff.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-action="to-in_progress"' in html
    assert 'data-action="to-closed"' not in html
    response = staff.post(f"/tickets/{ticket.pk}/transition/", {"status": "in_progress"}, follow=True)
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert 'data-action="to-resolved"' in response.content.decode()
    refused = staff.post(f"/tickets/{ticket.pk}/transition/", {"status": "closed"}, follow=True)
    # German is the default language.
    assert any("von „in Bearbeitung“ auf „geschlossen“" in str(m) for m in refused.context["messages"])
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_closed_ticket_reopen_button_only_for_staff(department, employee, plain_user, page_client_for):
    ticket = TicketFactory(department=department, created_by=plain_user, title="Zu")
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    assert 'data-action="to-open"' in page_client_for(employee).get(f"/tickets/{ticket.pk}/").content.decode()
    html = page_client_for(plain_user).get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-action="to-open"' not in html


def test_conversation_and_internal_notes(staff, department, employee):
    ticket = TicketFactory(department=department, created_by=employee)
    staff.post(f"/tickets/{ticket.pk}/messages/", {"body": "Erste Nachricht"})
    staff.post(f"/tickets/{ticket.pk}/messages/", {"body": "Notiz", "internal": "on"})
    assert [(m.body, m.is_internal) for m in ticket.messages.order_by("id")] == [
        ("Erste Nachricht", False), ("Notiz", True)
    ]  # fmt: skip
    empty = staff.post(f"/tickets/{ticket.pk}/messages/", {"body": ""})
    assert empty.status_code == 400


def test_order_lines_and_totals_on_the_page(staff, department, employee):
    ticket = TicketFactory(department=department, created_by=employee, category="order",
                           order={"vat_rate": "19", "hourly_rate": "40"})  # fmt: skip
    staff.post(f"/tickets/{ticket.pk}/order/work/", {"work": "Fehlersuche", "hours": "1.5"})
    staff.post(f"/tickets/{ticket.pk}/order/material/", {"material": "Sicherung", "quantity": "3", "unit": "Stk",
                                                          "unit_price": "2.50"})  # fmt: skip
    html = staff.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Fehlersuche" in html and "Sicherung" in html
    # 1.5 h × 40 = 60.00; 3 × 2.50 = 7.50; net 67.50; VAT 12.83 (12.825); gross 80.33
    assert 'data-testid="total-gross">80,33<' in html
    bad = staff.post(f"/tickets/{ticket.pk}/order/work/", {"work": "", "hours": "-1"})
    assert bad.status_code == 400
    line = ticket.work_lines.get()
    staff.post(f"/tickets/{ticket.pk}/order/work/{line.pk}/delete/")
    assert not ticket.work_lines.exists()
    assert staff.post(f"/tickets/{ticket.pk}/order/work/999/delete/").status_code == 404


def test_edit_form_and_order_details_form(staff, department, employee):
    ticket = TicketFactory(department=department, created_by=employee, category="order", tags=["alt"])
    form = staff.get(f"/tickets/{ticket.pk}/edit/")
    assert form.context["form"].initial["tags"] == "alt"
    staff.post(f"/tickets/{ticket.pk}/edit/", {"title": "Neuer Titel", "category": "order", "priority": "low",
                                                "tags": "neu"})  # fmt: skip
    ticket.refresh_from_db()
    assert (ticket.title, ticket.priority) == ("Neuer Titel", "low")
    assert [t.name for t in ticket.tags.all()] == ["neu"]
    staff.post(f"/tickets/{ticket.pk}/order/", {"client_type": "internal", "client_name": "Lehrwerkstatt",
                                                 "vat_rate": "7", "hourly_rate": "0"})  # fmt: skip
    ticket.order.refresh_from_db()
    assert (ticket.order.client_name, str(ticket.order.vat_rate)) == ("Lehrwerkstatt", "7.00")


def test_assign_and_unassign_on_the_page(staff, department, employee, plain_user):
    ticket = TicketFactory(department=department, created_by=employee)
    staff.post(f"/tickets/{ticket.pk}/assign/", {"user": plain_user.pk})
    assert [a.user for a in ticket.assignments.all()] == [plain_user]
    staff.post(f"/tickets/{ticket.pk}/unassign/{plain_user.username}/")
    assert not ticket.assignments.exists()


def test_participant_form_has_no_hours_or_assignees(department, participant, page_client_for):
    html = page_client_for(participant).get("/tickets/new/").content.decode()
    assert 'name="estimated_hours"' not in html and 'name="assignees"' not in html
    assert 'name="title"' in html


def test_detail_of_an_external_order_shows_the_contact(staff, department):
    ticket = services.ticket_submit_external_order(
        client_name="Kita Sonnenschein", contact_name="Herr Alt", contact_email="alt@example.org",
        title="Regal montieren", description="Drei Regale",
    )  # fmt: skip
    html = staff.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Kita Sonnenschein" in html and "alt@example.org" in html and "Herr Alt" in html


def test_ticket_pages_speak_german_and_english(staff, department, employee, plain_user, settings):
    """German by default, English on request, down to the history labels of order fields and files."""
    from scandy_site.media import services as media_services
    from tests.factories.media import image_bytes, upload

    ticket = TicketFactory(department=department, created_by=employee, title="Tor", category="order",
                           order={"client_name": "Kita"}, assignees=[plain_user])  # fmt: skip
    services.ticket_order_update(ticket=ticket, user=employee, client_name="Kita Sonnenschein")
    services.ticket_work_line_add(ticket=ticket, user=employee, work="Schweißen", hours="1.5")
    media_services.media_upload(entity=ticket, user=employee, upload=upload("foto.png", image_bytes()))

    def page(url, language):
        staff.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = staff.get(url)
        assert response.status_code == 200
        return response.content.decode()

    german = page(f"/tickets/{ticket.pk}/", "de")
    for text in (
        "Nächster Schritt",
        "Zuständige",
        "Nachrichten",
        "Ausgeführte Arbeiten",
        "Fotos und Dateien",
        "<dt>Name des Auftraggebers</dt>",
        "<dt>Dateien</dt>",
        "<dt>Ausgeführte Arbeiten</dt>",
    ):
        assert text in german, text
    for text in ("Next step", "Work performed", "Client name", "Attachments", "Work lines", "Order.client"):
        assert text not in german, text
    english = page(f"/tickets/{ticket.pk}/", "en")
    for text in (
        "Next step",
        "Assignees",
        "Conversation",
        "<dt>Client name</dt>",
        "<dt>Files</dt>",
        "<dt>Work performed</dt>",
    ):
        assert text in english, text

    assert "Zuständig</span>" in page("/tickets/", "de") and "Assignee</span>" in page("/tickets/", "en")
    assert "Auftragsdaten (Kategorie „Auftrag“)" in page("/tickets/new/", "de")
    assert "Order details (category “order”)" in page("/tickets/new/", "en")
    staff.logout()
    assert "Auftrag erteilen" in page("/tickets/order/", "de") and "Place an order" in page("/tickets/order/", "en")
