"""A week in a real browser: fill it through the entry form (the live totals, the start taken from the day's last
entry), submit it, and an approver approves it from the inbox."""

import pytest
from playwright.sync_api import expect

from tests.factories.timesheets import this_week
from timesheets.models import Timesheet

pytestmark = pytest.mark.e2e

SCREENSHOTS = "/tmp"


def add_entry(page, *, day: str, activity: str, start: str = "", end: str = "", pause: str = "", hours: str = ""):
    form = page.get_by_test_id("entry-form")
    form.get_by_label("Day").select_option(day)
    if start:
        form.get_by_label("From").fill(start)
    if end:
        form.get_by_label("To", exact=True).fill(end)
    if pause:
        form.get_by_label("Break (min)").fill(pause)
    if hours:
        form.get_by_label("or hours").fill(hours)
    form.get_by_label("Activity").fill(activity)


def test_fill_a_week_submit_it_and_have_it_approved(
    live_server, login, browser, admin_user, plain_user, employee, password
):
    plain_user.timesheet_enabled = True
    plain_user.save()
    base = live_server.url
    year, week = this_week()
    page = login(plain_user)
    page.locator(".mainnav").get_by_role("link", name="Timesheets").click()
    expect(page).to_have_url(f"{base}/timesheets/")
    page.get_by_test_id("this-week").click()
    expect(page).to_have_url(f"{base}/timesheets/week/{year}/{week}/")
    expect(page.get_by_test_id("week-status").locator(".badge")).to_have_attribute("data-status", "none")

    # Monday morning, typed as from–to: the totals show while typing.
    add_entry(page, day="0", start="07:30", end="12:00", activity="Werkbank aufbauen")
    form = page.get_by_test_id("entry-form")
    expect(form.locator('[data-preview="entry"]')).to_have_text("4:30 h")
    expect(form.locator('[data-preview="day"]')).to_have_text("4:30 h")
    form.get_by_role("button", name="Add entry").click()
    expect(page.get_by_test_id("day-total-0")).to_have_text("4:30 h")

    # The afternoon starts where the morning ended.
    form = page.get_by_test_id("entry-form")
    form.get_by_label("Day").select_option("0")
    expect(form.get_by_label("From")).to_have_value("12:00")
    form.get_by_label("From").fill("12:30")
    form.get_by_label("To", exact=True).fill("16:45")
    form.get_by_label("Break (min)").fill("15")
    form.get_by_label("Activity").fill("Schweißnähte prüfen")
    expect(form.locator('[data-preview="entry"]')).to_have_text("4:00 h")
    expect(form.locator('[data-preview="day"]')).to_have_text("8:30 h")
    expect(form.locator('[data-preview="week"]')).to_have_text("8:30 h")
    form.get_by_role("button", name="Add entry").click()
    expect(page.get_by_test_id("day-total-0")).to_have_text("8:30 h")

    # Tuesday, given as hours; a day over 24 hours is flagged before sending.
    add_entry(page, day="1", hours="30", activity="zu viel")
    expect(page.get_by_test_id("entry-form").locator('[data-preview="warning"]')).to_be_visible()
    add_entry(page, day="1", hours="7.5", activity="Berufsschule")
    expect(page.get_by_test_id("entry-form").locator('[data-preview="warning"]')).to_be_hidden()
    page.get_by_test_id("entry-form").get_by_role("button", name="Add entry").click()
    expect(page.get_by_test_id("day-total-1")).to_have_text("7:30 h")
    expect(page.get_by_test_id("week-total")).to_have_text("16:00")

    page.locator('[data-action="submit"]').click()
    expect(page.get_by_test_id("week-status").locator(".badge")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("entry-form")).to_have_count(0)
    page.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-timesheet-week.png", full_page=True)
    timesheet = Timesheet.objects.get(user=plain_user, year=year, week=week)
    assert (timesheet.status, timesheet.total_minutes, timesheet.monday_minutes) == ("submitted", 960, 510)

    # The approver finds it in the inbox and approves it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    approver = context.new_page()
    approver.goto(f"{base}/accounts/login/")
    approver.locator('form.form input[name="username"]').fill(employee.username)
    approver.locator('form.form input[name="password"]').fill(password)
    approver.locator("form.form").get_by_role("button").click()
    approver.goto(f"{base}/timesheets/approvals/")
    row = approver.locator(f'tr[data-report="{timesheet.pk}"]')
    expect(row).to_contain_text("16:00")
    row.locator('[data-action="approve"]').click()
    expect(approver.get_by_test_id("inbox-empty")).to_be_visible()
    approver.screenshot(path=f"{SCREENSHOTS}/scandy-e2e-timesheet-approvals.png", full_page=True)
    context.close()
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.approved_by) == ("approved", employee)
