"""Open pages follow changes made elsewhere: a page open in one browser, a change made through the API or
the admin in another, and the first page shows it without anyone reloading it; a form being filled in is
never replaced, a notice offers the reload instead."""

import pytest
import requests
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, ToolFactory
from tests.factories.tickets import TicketFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def other_browser(browser, live_server, admin_user):
    """A second, separate browser context (another person), logged in as the administrator."""
    context = browser.new_context(locale="en-US")
    other = context.new_page()
    other.set_default_timeout(15_000)
    log_in(other, live_server.url, admin_user.username, PASSWORD)
    yield other
    context.close()


def api_patch(live_server, user, path, body):
    token, _ = Token.objects.get_or_create(user=user)
    response = requests.patch(f"{live_server.url}{path}", json=body, headers={"Authorization": f"Token {token.key}"},
                              timeout=10)  # fmt: skip
    assert response.status_code == 200, response.text


def test_the_tool_list_shows_changes_from_the_api_and_the_admin(live_server, login, other_browser, admin_user,
                                                                employee, department):  # fmt: skip
    ToolFactory(department=department, barcode="LIVE-1", name="Winkelschleifer")
    page = login(employee)
    page.goto(f"{live_server.url}/inventory/tools/")
    row = page.locator('tr[data-barcode="LIVE-1"]')
    expect(row).to_contain_text("Winkelschleifer")
    page.evaluate("window.__notReloaded = true")

    api_patch(live_server, admin_user, "/api/tools/LIVE-1", {"name": "Winkelschleifer 125"})
    expect(row).to_contain_text("Winkelschleifer 125")

    # The administrator marks it defective in the back office, in the other browser.
    other_browser.goto(f"{live_server.url}/admin/inventory/tool/")
    other_browser.locator('input[name="_selected_action"]').first.check()
    other_browser.locator('select[name="action"]').select_option("mark_defective")
    other_browser.locator('button[name="index"]').click()
    expect(other_browser.locator(".messagelist")).to_be_visible()
    expect(row.locator(".badge")).to_have_attribute("data-status", "defective")

    # A tool made elsewhere appears too; the page itself was never reloaded.
    ToolFactory(department=department, barcode="LIVE-2", name="Stichsäge")
    expect(page.locator('tr[data-barcode="LIVE-2"]')).to_contain_text("Stichsäge")
    assert page.evaluate("window.__notReloaded") is True


def test_a_detail_page_being_edited_gets_a_notice_instead(live_server, login, admin_user, employee, department):
    ToolFactory(department=department, barcode="LIVE-3", name="Hobel")
    page = login(employee)
    page.goto(f"{live_server.url}/inventory/tools/LIVE-3/")
    heading = page.locator("h1")
    expect(heading).to_have_text("Hobel")

    # Nobody is typing: the page follows.
    api_patch(live_server, admin_user, "/api/tools/LIVE-3", {"name": "Elektrohobel"})
    expect(heading).to_have_text("Elektrohobel")

    # Someone starts entering a maintenance record: that is never thrown away.
    page.locator("summary", has_text="Add maintenance").click()
    form = page.get_by_test_id("maintenance-form")
    form.locator('textarea[name="description"]').fill("Messer geschärft")
    api_patch(live_server, admin_user, "/api/tools/LIVE-3", {"name": "Akkuhobel"})
    notice = page.locator("[data-live-notice]")
    expect(notice).to_contain_text("Someone else changed this record.")
    expect(form.locator('textarea[name="description"]')).to_have_value("Messer geschärft")
    expect(heading).to_have_text("Elektrohobel")
    notice.get_by_role("button", name="Reload").click()
    expect(heading).to_have_text("Akkuhobel")


def test_a_participant_sees_the_answer_to_their_ticket(live_server, browser, admin_user, employee, participant,
                                                        department):  # fmt: skip
    ticket = TicketFactory(department=department, created_by=participant, title="Beamer defekt")
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server.url, participant.username, PASSWORD)
        page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
        conversation = page.get_by_test_id("conversation")
        token, _ = Token.objects.get_or_create(user=employee)
        headers = {"Authorization": f"Token {token.key}"}
        url = f"{live_server.url}/api/tickets/{ticket.pk}/messages"
        assert requests.post(url, json={"body": "Nur intern", "internal": True}, headers=headers, timeout=10).ok
        assert requests.post(url, json={"body": "Ist bestellt."}, headers=headers, timeout=10).ok
        expect(conversation).to_contain_text("Ist bestellt.")
        expect(conversation).not_to_contain_text("Nur intern")
    finally:
        context.close()
