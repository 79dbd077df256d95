"""The back office: tickets with their inlines, writes through the services."""

import pytest

from scandy_site.core.models import ChangeEvent
from scandy_site.media import services as media_services
from scandy_site.media.models import Attachment
from tests.factories.media import image_bytes, upload
from tests.factories.tickets import TicketFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(department, employee, plain_user):
    ticket = TicketFactory(department=department, created_by=employee, category="order", assignees=[plain_user])
    services.ticket_work_line_add(ticket=ticket, user=employee, work="Prüfen", hours=1)
    services.ticket_add_message(ticket=ticket, user=employee, body="Notiz im Admin sichtbar", internal=True)
    return ticket


def test_staff_see_the_ticket_with_inlines(order, page_client_for, employee):
    client = page_client_for(employee)
    assert client.get("/admin/tickets/ticket/").status_code == 200
    page = client.get(f"/admin/tickets/ticket/{order.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Prüfen", "Notiz im Admin sichtbar", "anwender", order.ticket_number):
        assert text in html, text


def test_users_have_no_ticket_admin(order, page_client_for, plain_user):
    assert page_client_for(plain_user).get("/admin/tickets/ticket/").status_code in (302, 403)


def test_admin_change_goes_through_the_service(order, page_client_for, employee):
    client = page_client_for(employee)
    data = {
        "title": "Im Admin geändert", "description": "", "category": "order", "priority": "critical",
        "due_date": "", "estimated_hours": "", "actual_hours": "",
    }  # fmt: skip
    for prefix in ("order", "work_lines", "material_lines", "assignments", "messages",
                   "core-changeevent-content_type-object_id"):  # fmt: skip
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(f"/admin/tickets/ticket/{order.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.title, order.priority) == ("Im Admin geändert", "critical")
    event = ChangeEvent.objects.filter(entity="ticket", object_id=order.pk).first()
    assert event.changes["priority"] == ["normal", "critical"]


def test_transition_action_uses_the_workflow(order, page_client_for, employee):
    client = page_client_for(employee)
    client.post("/admin/tickets/ticket/", {"action": "to_in_progress", "_selected_action": [order.pk]})
    assert Ticket.objects.get(pk=order.pk).status == "in_progress"
    response = client.post("/admin/tickets/ticket/", {"action": "to_closed", "_selected_action": [order.pk]},
                           follow=True)  # fmt: skip
    assert Ticket.objects.get(pk=order.pk).status == "in_progress"
    # German is the default language.
    assert any("von „in Bearbeitung“ auf „geschlossen“" in str(m) for m in response.context["messages"])


def test_files_admin_deletes_through_the_service(order, page_client_for, admin_user, employee):
    media_services.media_upload(entity=order, user=employee, upload=upload("foto.png", image_bytes()))
    attachment = Attachment.objects.get()
    client = page_client_for(admin_user)
    assert client.get("/admin/media/attachment/").status_code == 200
    assert client.get(f"/admin/media/attachment/{attachment.pk}/change/").status_code == 200
    client.post("/admin/media/attachment/", {"action": "delete_files", "_selected_action": [attachment.pk]})
    assert not Attachment.objects.exists()
    event = ChangeEvent.objects.filter(entity="ticket", object_id=order.pk).first()
    assert event.changes == {"attachments": ["foto.png", None]}
