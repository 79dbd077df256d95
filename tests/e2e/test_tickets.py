"""A ticket in a real browser: created through the form, assigned, moved through the workflow with the
buttons, answered, given a photo; and the public order form on a phone-sized screen."""

import re

import pytest
from playwright.sync_api import expect

from scandy_site.media.models import Attachment
from tests.factories.media import image_bytes
from tickets.models import Ticket

pytestmark = pytest.mark.e2e

SCREENSHOTS = "/tmp"


def test_create_a_ticket_and_move_it_through_the_workflow(live_server, login, page, admin_user, employee, plain_user):
    base = live_server.url
    login(employee)
    page.locator(".mainnav").get_by_role("link", name="Tickets").click()
    expect(page).to_have_url(f"{base}/tickets/")
    page.get_by_test_id("new-ticket").click()

    form = page.get_by_test_id("ticket-form")
    form.get_by_label("Title").fill("Bandsäge läuft unrund")
    # Order details show only for the category "order".
    expect(page.get_by_test_id("order-fields")).to_be_hidden()
    form.get_by_label("Description", exact=True).fill("Das Sägeband springt bei hoher Drehzahl.")
    form.get_by_label("Priority").select_option("high")
    form.get_by_label("Tags").fill("Holz, Halle 2")
    form.locator(f'input[name="assignees"][value="{plain_user.pk}"]').check()
    form.get_by_role("button", name="Create ticket").click()

    ticket = Ticket.objects.get(title="Bandsäge läuft unrund")
    expect(page).to_have_url(f"{base}/tickets/{ticket.pk}/")
    expect(page.get_by_test_id("ticket-number")).to_contain_text(ticket.ticket_number)
    status = page.get_by_test_id("ticket-status").locator(".badge")
    expect(status).to_have_attribute("data-status", "assigned")
    expect(page.get_by_test_id("assignees")).to_contain_text("anwender")

    # The next step is a button; after it, the next one appears.
    page.locator('[data-action="to-in_progress"]').click()
    expect(status).to_have_attribute("data-status", "in_progress")
    expect(page.locator('[data-action="to-resolved"]')).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("In progress")

    page.get_by_test_id("message-form").get_by_label("Message").fill("Neues Sägeband ist bestellt.")
    page.get_by_test_id("message-form").get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("conversation")).to_contain_text("Neues Sägeband ist bestellt.")

    upload = page.get_by_test_id("media-upload")
    upload.locator('input[type="file"]').set_input_files(
        files=[{"name": "saege.png", "mimeType": "image/png", "buffer": image_bytes(size=(300, 200))}]
    )
    upload.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("media-images").locator("img")).to_have_count(1)
    expect(page.get_by_test_id("preview-tag")).to_be_visible()

    page.locator('[data-action="to-resolved"]').click()
    expect(status).to_have_attribute("data-status", "resolved")
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-ticket.png", full_page=True)

    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert Attachment.objects.filter(entity_type="ticket", entity_id=ticket.pk).count() == 1

    # The list shows it, and the live filter narrows it down.
    page.locator(".mainnav").get_by_role("link", name="Tickets").click()
    row = page.locator(f'tr[data-ticket="{ticket.ticket_number}"]')
    expect(row).to_be_visible()
    page.get_by_test_id("ticket-filters").locator('select[name="status"]').select_option("open")
    expect(row).to_have_count(0)
    expect(page).to_have_url(re.compile(r"status=open"))


def test_public_order_form_on_a_phone(live_server, browser, admin_user, department):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/tickets/order/")
    form = page.get_by_test_id("external-order-form")
    form.get_by_label("Company or name").fill("Kita Sonnenschein")
    form.get_by_label("Contact person").fill("Herr Alt")
    form.get_by_label("Email").fill("alt@example.org")
    form.get_by_label("What should we do?").fill("Regale montieren")
    form.get_by_label("Details").fill("Drei Wandregale im Gruppenraum.")
    form.get_by_role("button", name="Send order").click()
    expect(page.get_by_test_id("order-thanks")).to_contain_text(Ticket.objects.get().ticket_number)
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-order-form.png", full_page=True)
    context.close()
