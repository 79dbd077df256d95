"""History notes Scandy writes itself are shown in each reader's language, whoever's action wrote them;
what a person typed is shown as typed."""

import pytest
from django.test import Client
from django.utils import translation

from inventory.services import consumable_adjust_stock
from lending.services import lending_checkout
from scandy_site.core.models import ChangeEvent
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.factories.tickets import TicketFactory
from tickets.services import ticket_assign

pytestmark = pytest.mark.django_db


def _reader(user, language, settings):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_a_lending_noted_by_a_german_user_reads_in_english_for_an_english_reader(admin_user, department, settings):
    tool = ToolFactory(department=department, barcode="T-NOTE", name="Akkuschrauber")
    worker = WorkerFactory(department=department, barcode="W-NOTE", first_name="Lena", last_name="Berg")
    with translation.override("de"):
        lending_checkout(tool=tool, worker=worker, user=admin_user)

    english = _reader(admin_user, "en", settings).get("/inventory/tools/T-NOTE/").content.decode()
    german = _reader(admin_user, "de", settings).get("/inventory/tools/T-NOTE/").content.decode()
    assert "Lent to Lena Berg" in english and "Ausgeliehen an" not in english
    assert "Ausgeliehen an Lena Berg" in german and "Lent to" not in german


def test_the_ticket_history_api_gives_the_note_in_the_callers_language(admin_user, department, settings, api_for):
    settings.ENABLE_TICKET_SYSTEM = True
    ticket = TicketFactory(department=department, created_by=admin_user)
    with translation.override("de"):
        ticket_assign(ticket=ticket, user=admin_user, assignee=admin_user)
    name = admin_user.get_full_name() or admin_user.username

    client = api_for(admin_user)
    notes = {
        language: [row["note"] for row in client.get(
            f"/api/tickets/{ticket.pk}/history", HTTP_ACCEPT_LANGUAGE=language
        ).json()["data"]["results"]]
        for language in ("en", "de")
    }  # fmt: skip
    assert f"Assigned to {name}" in notes["en"]
    assert f"Zugewiesen an {name}" in notes["de"]


def test_what_a_person_typed_stays_as_typed(admin_user, department, settings):
    screws = ConsumableFactory(department=department, barcode="C-NOTE", current_stock=10)
    with translation.override("en"):
        consumable_adjust_stock(consumable=screws, user=admin_user, delta=5, reason="Lieferung vom Montag")
    event = ChangeEvent.objects.filter(entity="consumable", object_key="C-NOTE").first()
    assert event.note_params is None
    with translation.override("de"):
        assert event.shown_note == "Lieferung vom Montag"
    assert (
        "Lieferung vom Montag"
        in _reader(admin_user, "en", settings).get("/inventory/consumables/C-NOTE/").content.decode()
    )


def test_a_system_note_whose_translation_no_longer_fits_falls_back_to_its_source(admin_user, department):
    event = ChangeEvent(note="Lent to %(worker)s", note_params={"someone": "else"})
    with translation.override("de"):
        assert event.shown_note == "Lent to %(worker)s"
