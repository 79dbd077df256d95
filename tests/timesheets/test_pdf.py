"""The PDF of a week (pages and API): A4, parsed back with pypdf, carrying the entries, the day and week totals,
the approval and both signature lines."""

import datetime
import io

import pytest
from pypdf import PdfReader

from scandy_site.accounts.roles import Role
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, full_day
from timesheets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(department, employee):
    owner = UserFactory(username="paula", first_name="Paula", last_name="Praktikantin", role=Role.PARTICIPANT,
                        default_department=department, timesheet_enabled=True)  # fmt: skip
    monday = TimesheetFactory.build(user=owner).week_start
    entries = [
        full_day(monday, activity="Schweißkurs"),  # 8:00
        {"date": monday + datetime.timedelta(days=1), "start_time": datetime.time(7, 30),
         "end_time": datetime.time(12), "activity": "Lager aufräumen", "description": "Regal B"},  # 4:30
        {"date": monday + datetime.timedelta(days=1), "hours": "3.25", "activity": "Berufsschule"},  # 3:15
        {"date": monday + datetime.timedelta(days=4), "hours": 6, "activity": "Inventur"},  # 6:00
    ]  # fmt: skip
    timesheet = TimesheetFactory(user=owner, entries=entries, status="submitted")
    services.timesheet_approve(timesheet=timesheet, user=employee)
    timesheet.refresh_from_db()
    return timesheet


def text_of(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_pdf_holds_entries_totals_and_signature_lines(week, page_client_for, employee, settings):
    response = page_client_for(employee).get(f"/timesheets/reports/{week.pk}/pdf/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"KW{week.week:02d}" in response["Content-Disposition"]
    text, reader = text_of(response.content)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4 in mm
    assert "Paula Praktikantin" in text and "Werkstatt" in text
    assert f"{week.week}/{week.year}" in text
    for activity in ("Schweißkurs", "Lager aufräumen", "Berufsschule", "Inventur", "Regal B"):
        assert activity in text, activity
    # Day totals (Monday 8:00, Tuesday 4:30 + 3:15 = 7:45, Friday 6:00) and the week total 21:45 = 21.75 h.
    for total in ("8:00", "7:45", "6:00", "21:45", "21.75"):
        assert total in text, total
    assert "07:30" in text and "12:00" in text and "30 min" in text
    assert "signature of the employee" in text and "signature of the supervisor" in text
    assert "Approved" in text and employee.username in text


def test_the_api_serves_the_same_pdf_whatever_it_accepts(week, api_for, plain_user, employee):
    api = api_for(employee)
    response = api.get(f"/api/timesheets/{week.pk}/pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, _reader = text_of(response.content)
    assert "21:45" in text
    missing = api_for(plain_user).get(f"/api/timesheets/{week.pk}/pdf", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"


def test_a_draft_prints_with_empty_signature_dates(department, page_client_for):
    owner = UserFactory(username="max", default_department=department, timesheet_enabled=True)
    draft = TimesheetFactory(user=owner, entries=[])
    response = page_client_for(owner).get(f"/timesheets/reports/{draft.pk}/pdf/", HTTP_ACCEPT_LANGUAGE="en")
    text, _reader = text_of(response.content)
    assert "0:00" in text and "Draft" in text
