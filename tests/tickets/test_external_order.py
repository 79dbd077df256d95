"""The public order form `/tickets/order/`: no login, CSRF, rate limit, size limits, a trap field,
the department it files to, the order ticket and the confirmation mail."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from scandy_site.accounts.models import Department
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/tickets/order/"


def order_data(**overrides):
    data = {
        "client_name": "Bäckerei Korn",
        "contact_name": "Jana Korn",
        "contact_email": "jana@example.org",
        "contact_phone": "030 1234",
        "title": "Teigmaschine reparieren",
        "description": "Das Rührwerk läuft nicht mehr an.",
        "completion_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "website": "",
    }
    data.update(overrides)
    return data


def test_anonymous_visitor_sees_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'data-testid="external-order-form"' in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_order_creates_an_order_ticket_and_mails(
    client, department, employee, q_sync, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, order_data())
    assert response.status_code == 302 and response["Location"] == "/tickets/order/thanks/"
    ticket = Ticket.objects.get()
    assert ticket.category == "order" and ticket.is_external and ticket.created_by is None
    assert ticket.department == department
    assert ticket.order.client_type == "external"
    assert (ticket.order.client_name, ticket.order.contact_email) == ("Bäckerei Korn", "jana@example.org")
    thanks = client.get("/tickets/order/thanks/")
    assert ticket.ticket_number in thanks.content.decode()
    confirmation = [m for m in mail.outbox if m.to == ["jana@example.org"]]
    assert len(confirmation) == 1
    assert ticket.ticket_number in confirmation[0].subject
    assert "/tickets/" not in confirmation[0].body  # no link into the staff pages
    staff = {m.to[0] for m in mail.outbox if m.to != ["jana@example.org"]}
    assert staff == {"employee@example.org", "admin@example.org"}


def test_csrf_is_required(department):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, order_data()).status_code == 403
    page = strict.get(URL)
    token = page.cookies["csrftoken"].value
    response = strict.post(URL, {**order_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Ticket.objects.count() == 1


def test_rate_limit_per_address(client, department, settings):
    settings.TICKET_ORDER_RATE_LIMIT = 3
    codes = [client.post(URL, order_data(title=f"Auftrag {n}")).status_code for n in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Ticket.objects.count() == 3
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post(URL, order_data()).status_code == 302


def test_rate_limited_answer_says_when_to_retry(client, department, settings):
    settings.TICKET_ORDER_RATE_LIMIT = 0
    response = client.post(URL, order_data())
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert 'data-testid="order-error"' in response.content.decode()


def test_oversized_request_is_413(client, department):
    response = client.post(URL, order_data(description="x" * 70_000))
    assert response.status_code == 413
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"description": "x" * 5001},
        {"title": "t" * 201},
        {"contact_email": "keine-adresse"},
        {"client_name": ""},
        {"completion_date": "2000-01-01"},
    ],
)
def test_invalid_input_is_400_and_stores_nothing(client, department, overrides):
    response = client.post(URL, order_data(**overrides))
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_trap_field_stores_nothing_but_looks_fine(client, department):
    response = client.post(URL, order_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not Ticket.objects.exists()
    assert mail.outbox == []


def test_department_from_setting_or_first_active(client, department, other_department, settings):
    settings.TICKET_EXTERNAL_DEPARTMENT = "buero"
    client.post(URL, order_data(title="an das Büro"))
    assert Ticket.objects.get(title="an das Büro").department == other_department
    settings.TICKET_EXTERNAL_DEPARTMENT = ""
    client.post(URL, order_data(title="an die erste"))
    first = Department.objects.filter(active=True).order_by("pk").first()
    assert Ticket.objects.get(title="an die erste").department == first
    settings.TICKET_EXTERNAL_DEPARTMENT = "gibt-es-nicht"
    client.post(URL, order_data(title="Rückfall"))
    assert Ticket.objects.get(title="Rückfall").department == first


def test_before_setup_the_form_leads_to_the_wizard(db, client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/setup/"


def test_thanks_page_without_an_order_goes_back_to_the_form(client, department):
    assert client.get("/tickets/order/thanks/")["Location"] == URL
