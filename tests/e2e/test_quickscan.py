"""QuickScan in a real browser, driven the way a keyboard-wedge scanner drives it: the barcode is typed into
the focused field and ends with Enter. Lend, return, issue, a defective tool, and continuous return mode."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory.models import Consumable, Tool
from lending import services
from lending.models import Lending
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory

pytestmark = pytest.mark.e2e

SCREENSHOTS = "/tmp"


def scan(page, barcode: str) -> None:
    """What a scanner does: keystrokes into whatever has the focus, then Enter."""
    expect(page.locator("#qs-barcode")).to_be_focused()
    page.keyboard.type(barcode, delay=5)
    page.keyboard.press("Enter")


@pytest.fixture
def station(live_server, login, admin_user, plain_user, department):
    # admin_user: an administrator exists, so the instance is past the setup wizard.
    ToolFactory(department=department, barcode="T-QS-1", name="Bohrhammer")
    ToolFactory(department=department, barcode="T-BAD", name="Flex", status=Tool.Status.DEFECTIVE)
    ConsumableFactory(department=department, barcode="C-QS", name="Kabelbinder", unit="Stk", current_stock=100)
    WorkerFactory(department=department, barcode="W-QS-1", first_name="Ada", last_name="Lovelace")
    page = login(plain_user)
    page.goto(f"{live_server.url}/quickscan/")
    expect(page.get_by_test_id("quickscan")).to_be_visible()
    return page


def test_lend_and_return_a_tool_by_scanning(station):
    page = station
    feedback = page.locator("#qs-feedback")
    due = page.get_by_test_id("due-date")
    default_due = due.input_value()
    expect(feedback).to_have_text("Ready: scan a tool, consumable or worker card.")

    # Tool first: the page shows it and asks for the worker card.
    scan(page, "T-QS-1")
    expect(feedback).to_have_text("Now scan the worker card.")
    expect(page.locator("#qs-item")).to_contain_text("Bohrhammer (T-QS-1)")
    expect(page.locator("#qs-item")).to_contain_text("available")

    # A shorter loan than the default, then the worker card: lent.
    shorter = timezone.localdate() + datetime.timedelta(days=3)
    due.fill(shorter.isoformat())
    page.locator("#qs-barcode").focus()
    scan(page, "W-QS-1")
    expect(feedback).to_have_attribute("data-state", "success")
    expect(feedback).to_contain_text("Bohrhammer lent to Ada Lovelace until")
    lending = Lending.objects.get(tool__barcode="T-QS-1")
    assert (lending.worker.barcode, lending.due_date, lending.returned_at) == ("W-QS-1", shorter, None)
    # Ready for the next person: empty slots and the default due date again.
    expect(due).to_have_value(default_due)
    expect(page.locator("#qs-worker")).to_contain_text("Scan a worker card")
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-quickscan-lent.png", full_page=True)

    # The same tool again: it is lent, so it is taken back at once.
    scan(page, "T-QS-1")
    expect(feedback).to_have_attribute("data-state", "success")
    expect(feedback).to_have_text("Bohrhammer returned by Ada Lovelace.")
    lending.refresh_from_db()
    assert lending.returned_at is not None
    assert Tool.objects.get(barcode="T-QS-1").status == Tool.Status.AVAILABLE


def test_issue_consumables_to_a_worker(station):
    page = station
    feedback = page.locator("#qs-feedback")

    # Worker first this time: the order does not matter.
    scan(page, "W-QS-1")
    expect(feedback).to_have_text("Now scan a tool or consumable.")
    scan(page, "C-QS")
    expect(feedback).to_have_text("How many? Enter the quantity and press Enter.")
    expect(page.locator("#qs-item")).to_contain_text("In stock: 100 Stk")
    quantity = page.locator("#qs-quantity")
    expect(quantity).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")

    expect(feedback).to_have_attribute("data-state", "success")
    expect(feedback).to_have_text("3 Stk Kabelbinder issued to Ada Lovelace; 97 left.")
    assert Consumable.objects.get(barcode="C-QS").current_stock == 97
    expect(page.locator("#qs-quantity-box")).to_be_hidden()
    expect(page.locator("#qs-barcode")).to_be_focused()


def test_a_defective_tool_is_refused_as_soon_as_it_is_scanned(station):
    page = station
    feedback = page.locator("#qs-feedback")

    scan(page, "T-BAD")

    expect(feedback).to_have_attribute("data-state", "error")
    expect(feedback).to_have_text("Flex is marked defective and cannot be lent.")
    expect(page.locator("#qs-item")).to_contain_text("Scan a tool or consumable")
    # An unknown code says so and keeps the station ready.
    scan(page, "NOPE-42")
    expect(feedback).to_contain_text("Unknown barcode NOPE-42")
    assert not Lending.objects.exists()


def test_continuous_return_mode_counts_the_returns_and_is_remembered(station, department, plain_user):
    page = station
    worker = WorkerFactory(department=department, barcode="W-2", first_name="Grace", last_name="Hopper")
    for barcode in ("T-R1", "T-R2"):
        tool = ToolFactory(department=department, barcode=barcode, name=f"Leiter {barcode}")
        services.lending_checkout(tool=tool, worker=worker, user=plain_user)

    page.locator("#qs-continuous").check()
    expect(page.locator("#qs-feedback")).to_contain_text("Continuous return")
    page.locator("#qs-barcode").focus()
    returned = page.get_by_test_id("returned-list")
    expect(returned).to_contain_text("Returned so far: 0")

    scan(page, "T-R1")
    expect(returned).to_contain_text("Returned so far: 1")
    scan(page, "T-R2")
    expect(returned).to_contain_text("Returned so far: 2")
    expect(returned.locator("li").first).to_have_text("Leiter T-R2 (T-R2), from Grace Hopper")
    # A tool that is not lent is not lent out to anyone in this mode.
    scan(page, "T-QS-1")
    expect(page.locator("#qs-feedback")).to_have_text("This tool is not lent out; nothing to return.")
    assert not Lending.objects.filter(tool__barcode="T-QS-1").exists()
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-quickscan-continuous.png", full_page=True)

    # The station remembers the mode and this round's list across a reload.
    page.reload()
    expect(page.locator("#qs-continuous")).to_be_checked()
    expect(returned).to_contain_text("Returned so far: 2")
    assert Lending.objects.filter(returned_at__isnull=True).count() == 0
