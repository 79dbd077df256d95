"""ENABLE_WEEKLY_REPORTS=false: no menu entry, no dashboard card, every timesheet URL (pages and API) answers 404,
and the Monday reminder sends nothing."""

import pytest
from django.core import mail

from tests.factories.timesheets import TimesheetFactory
from timesheets.tasks import send_weekly_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(keepers, plain_user):
    return TimesheetFactory(user=plain_user, status="submitted")


def test_enabled_shows_the_menu_entry(page_client_for, plain_user):
    html = page_client_for(plain_user).get("/").content.decode()
    assert 'data-nav="timesheets"' in html
    assert 'href="/timesheets/"' in html


def test_disabled_hides_everything(settings, report, page_client_for, api_for, employee, plain_user):
    settings.ENABLE_WEEKLY_REPORTS = False
    pages = page_client_for(employee)
    home = pages.get("/").content.decode()
    assert 'data-nav="timesheets"' not in home and 'href="/timesheets/"' not in home
    week = f"/timesheets/week/{report.year}/{report.week}/"
    for url in ("/timesheets/", "/timesheets/week/", week, f"/timesheets/reports/{report.pk}/",
                f"/timesheets/reports/{report.pk}/pdf/", "/timesheets/approvals/",
                f"/timesheets/entries/{report.entries.get().pk}/edit/"):  # fmt: skip
        assert pages.get(url).status_code == 404, url
    for url in (f"{week}entries/", f"{week}note/", f"/timesheets/reports/{report.pk}/approve/"):
        assert pages.post(url, {"note": "x"}).status_code == 404, url
    api = api_for(employee)
    for url in ("/api/timesheets", f"/api/timesheets/{report.pk}", f"/api/timesheets/{report.pk}/entries",
                f"/api/timesheets/{report.pk}/pdf", f"/api/timesheets/{report.pk}/history"):  # fmt: skip
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "NOT_FOUND"
    for url in ("/api/timesheets", f"/api/timesheets/{report.pk}/approve", f"/api/timesheets/{report.pk}/reject"):
        assert api.post(url, {"reason": "x"}, format="json").status_code == 404, url
    assert api.patch(f"/api/timesheets/{report.pk}", {"note": "x"}, format="json").status_code == 404
    report.refresh_from_db()
    assert report.status == "submitted" and report.note == ""


def test_disabled_sends_no_reminders(settings, keepers, plain_user):
    settings.ENABLE_WEEKLY_REPORTS = False
    assert send_weekly_reminders() == "weekly reports are switched off"
    assert mail.outbox == []
