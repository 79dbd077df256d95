"""Walks through the pages in a real browser: a fresh instance from the setup wizard to a defective
tool, and a login through the form to a label selection on the consumable list."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from inventory.models import Tool
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, ConsumableFactory

pytestmark = pytest.mark.e2e

SCREENSHOTS = "/tmp"


def test_fresh_instance_to_a_defective_tool(live_server, page):
    base = live_server.url

    # A fresh instance sends every visitor to the setup wizard.
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/setup/")
    form = page.get_by_test_id("setup-form")
    form.get_by_label("System name").fill("Werkstatt Nord")
    form.get_by_label("Admin user name").fill("chefin")
    form.get_by_label("Admin email").fill("chefin@example.org")
    form.get_by_label("Password", exact=True).fill("Lange-Leitung-93")
    form.get_by_label("Repeat password").fill("Lange-Leitung-93")
    form.get_by_role("button", name="Finish set-up").click()

    # Logged in on the dashboard of the new department.
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".messages")).to_contain_text("Werkstatt Nord is ready to use")
    expect(page.locator(".brand")).to_contain_text("Werkstatt Nord")
    expect(page.get_by_test_id("tool-stats")).to_be_visible()
    expect(page.get_by_test_id("usage-chart").locator("rect")).to_have_count(14)
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-dashboard.png", full_page=True)

    # Create a tool through the form.
    page.locator(".mainnav").get_by_role("link", name="Tools").click()
    expect(page).to_have_url(f"{base}/inventory/tools/")
    page.get_by_test_id("new-tool").click()
    form = page.get_by_test_id("tool-form")
    form.get_by_label("Barcode").fill("E2E-001")
    form.get_by_label("Name").fill("Akkuschrauber Makita")
    form.get_by_label("Category").select_option(index=1)
    form.get_by_label("Location").select_option(index=1)
    form.get_by_label("Serial number").fill("SN-2026-1")
    form.get_by_label("Custom fields").fill("Voltage: 18 V")
    form.get_by_role("button", name="Create tool").click()
    expect(page).to_have_url(f"{base}/inventory/tools/E2E-001/")
    expect(page.locator(".messages")).to_contain_text("Akkuschrauber Makita")

    # The list filters live as one types (htmx), without leaving the page.
    page.locator(".mainnav").get_by_role("link", name="Tools").click()
    row = page.locator('tr[data-barcode="E2E-001"]')
    expect(row).to_be_visible()
    search = page.get_by_placeholder(re.compile("Search or scan"))
    search.fill("nothing-like-this")
    expect(row).to_have_count(0)
    expect(page.locator("#results")).to_contain_text("No tool matches")
    expect(page).to_have_url(re.compile(r"/inventory/tools/\?q=nothing-like-this"))
    search.fill("makita")
    expect(row).to_be_visible()
    expect(row.locator(".badge")).to_have_attribute("data-status", "available")
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-tools.png", full_page=True)

    # Open the tool and mark it defective.
    row.get_by_role("link", name="Akkuschrauber Makita").click()
    expect(page).to_have_url(f"{base}/inventory/tools/E2E-001/")
    expect(page.get_by_test_id("custom-fields")).to_contain_text("18 V")
    page.locator('[data-action="status-defective"]').click()
    expect(page.get_by_test_id("tool-status").locator(".badge")).to_have_attribute("data-status", "defective")
    expect(page.get_by_test_id("history")).to_contain_text("Defective")
    assert Tool.objects.get(barcode="E2E-001").status == Tool.Status.DEFECTIVE
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-tool-detail.png", full_page=True)


def test_login_form_and_label_selection(live_server, login, page, admin_user, plain_user, department):
    ConsumableFactory(department=department, barcode="C-100", name="Schrauben 4x40", current_stock=500, min_stock=100)
    ConsumableFactory(department=department, barcode="C-200", name="Kabelbinder", current_stock=3, min_stock=50)
    ConsumableFactory(department=department, barcode="C-300", name="Schleifpapier", current_stock=40, min_stock=10)

    login(plain_user)
    expect(page).to_have_url(f"{live_server.url}/")
    page.locator(".mainnav").get_by_role("link", name="Consumables").click()

    # Nothing selected: the print button waits; two rows picked: it counts them and sends exactly those.
    button = page.get_by_test_id("print-labels")
    expect(button).to_be_disabled()
    page.locator('tr[data-barcode="C-200"] input[name="barcode"]').check()
    page.locator('tr[data-barcode="C-300"] input[name="barcode"]').check()
    expect(button).to_be_enabled()
    expect(button).to_contain_text("(2)")
    expect(page.locator("tr.is-selected")).to_have_count(2)
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-consumables.png", full_page=True)

    # The sheet opens in a new tab, so the request belongs to the browser context, not this page.
    with page.context.expect_event("request", lambda request: "/labels/" in request.url) as request_info:
        button.click()
    query = parse_qs(urlsplit(request_info.value.url).query)
    # The label size starts from the stored default (site configuration: 70 x 37 mm).
    assert query == {"kind": ["consumable"], "barcode": ["C-200", "C-300"], "width_mm": ["70.0"], "height_mm": ["37.0"]}

    # "Select all" takes every row on the page, and a second click none.
    select_all = page.locator("[data-select-all]")
    select_all.check()
    expect(page.locator('input[name="barcode"]:checked')).to_have_count(3)
    select_all.uncheck()
    expect(page.locator('input[name="barcode"]:checked')).to_have_count(0)
    expect(button).to_be_disabled()

    # A small screen turns the table into one card per row; the checkbox stays reachable.
    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator('tr[data-barcode="C-100"] input[name="barcode"]')
    box.check()
    expect(button).to_contain_text("(1)")
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-consumables-phone.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 1024])
def test_every_navigation_entry_is_visible_for_an_administrator(live_server, browser, admin_user, settings, width):
    """With every module on and the longer German words, the administrator's navigation shows all its entries
    on a laptop screen, none hidden behind a sideways scroll."""
    settings.ENABLE_TICKET_SYSTEM = settings.ENABLE_JOB_BOARD = settings.ENABLE_WEEKLY_REPORTS = True
    settings.CETEC_URL = "http://127.0.0.1:9/cetec"
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="de-DE")
    page = context.new_page()
    try:
        log_in(page, live_server.url, admin_user.username, PASSWORD)
        page.goto(f"{live_server.url}/?language=de")
        nav = page.locator(".mainnav")
        links = nav.get_by_role("link")
        assert links.count() >= 13
        assert nav.evaluate("n => n.scrollWidth <= n.clientWidth"), "the navigation scrolls sideways"
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, links.nth(index).inner_text()
        page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-navigation-{width}.png")
    finally:
        context.close()
