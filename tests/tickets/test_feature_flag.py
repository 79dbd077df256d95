"""ENABLE_TICKET_SYSTEM=false: no menu entry, every ticket URL (pages, API, files) answers 404."""

import pytest

from tests.factories.tickets import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(department, employee):
    return TicketFactory(department=department, created_by=employee)


def test_enabled_shows_the_menu_entry(page_client_for, employee):
    html = page_client_for(employee).get("/").content.decode()
    assert 'data-nav="tickets"' in html


def test_disabled_hides_everything(settings, ticket, page_client_for, api_for, employee, client):
    settings.ENABLE_TICKET_SYSTEM = False
    pages = page_client_for(employee)
    assert 'data-nav="tickets"' not in pages.get("/").content.decode()
    for url in ("/tickets/", "/tickets/new/", f"/tickets/{ticket.pk}/", f"/tickets/{ticket.pk}/export.pdf"):
        assert pages.get(url).status_code == 404, url
    assert pages.post(f"/tickets/{ticket.pk}/transition/", {"status": "assigned"}).status_code == 404
    assert pages.get(f"/files/ticket/{ticket.pk}/x.png").status_code == 404
    api = api_for(employee)
    for url in ("/api/tickets", f"/api/tickets/{ticket.pk}", f"/api/tickets/{ticket.pk}/history",
                f"/api/media/ticket/{ticket.pk}/list"):  # fmt: skip
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "NOT_FOUND"
    assert api.post("/api/tickets", {"title": "x"}, format="json").status_code == 404
    client.logout()
    assert client.get("/tickets/order/").status_code == 404
    assert client.post("/tickets/order/", {"title": "x"}).status_code == 404
