"""The timesheet pages: my weeks, the week editor (add, edit, remove, note, copy, submit, withdraw), the report
for its approver, the approvals inbox with the week overview; messages in English when asked, and pinned query
counts on the list pages."""

import datetime
import re

import pytest
from django.utils import timezone

from scandy_site.core.models import ChangeEvent
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, this_week, weeks_ago
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(english_client_for, owner):
    return english_client_for(owner)


def html(response) -> str:
    return response.content.decode()


def week_url(year, week) -> str:
    return f"/timesheets/week/{year}/{week}/"


# --- my weeks ----------------------------------------------------------------------------------


def test_my_weeks_start_with_the_current_week(pages, owner):
    year, week = this_week()
    TimesheetFactory(user=owner, status="approved")
    page = html(pages.get("/timesheets/"))
    rows = re.findall(r'<tr data-week="(\d{4}-W\d{2})"', page)
    assert rows[0] == f"{year}-W{week:02d}" and len(rows) == 8
    assert rows[1] == "{}-W{:02d}".format(*weeks_ago(1))
    assert 'class="is-current"' in page
    last_week_row = page.split(f'data-week="{rows[1]}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-status="approved"' in last_week_row and "8:00" in last_week_row
    assert "not started" in page.split(f'data-week="{rows[0]}"', 1)[1].split("</tr>", 1)[0]


def test_week_navigation_on_my_weeks(pages, owner):
    old = TimesheetFactory(user=owner, year=weeks_ago(10)[0], week=weeks_ago(10)[1])
    page = html(pages.get("/timesheets/"))
    earlier = re.search(r'href="\?until=([^"]+)" data-testid="earlier-weeks"', page).group(1)
    assert earlier == "{}-W{:02d}".format(*weeks_ago(8))
    assert 'data-testid="later-weeks"' not in page  # no weeks after this one
    older = html(pages.get(f"/timesheets/?until={earlier}"))
    assert f'data-week="{old.year}-W{old.week:02d}"' in older
    assert 'data-testid="later-weeks"' in older
    # A draft that is out of view is pointed out.
    assert 'data-testid="open-reports"' in page and week_url(old.year, old.week) in page
    assert pages.get("/timesheets/?until=garbage").status_code == 200
    jump = pages.get("/timesheets/week/go/?week=2026-W05")
    assert jump.status_code == 302 and jump["Location"] == week_url(2026, 5)
    assert pages.get("/timesheets/week/go/?week=2026-W60")["Location"] == "/timesheets/"
    assert pages.get("/timesheets/week/")["Location"] == week_url(*this_week())


def test_users_without_timesheets_get_a_clear_message(english_client_for, department):
    stranger = UserFactory(username="ohne", default_department=department)
    client = english_client_for(stranger)
    page = html(client.get("/timesheets/"))
    assert 'data-testid="timesheets-disabled"' in page and "not enabled for your account" in page
    week = html(client.get(week_url(*this_week())))
    assert 'data-testid="timesheets-disabled"' in week and 'data-testid="entry-form"' not in week
    response = client.post(f"{week_url(*this_week())}entries/", {"day": 0, "hours": "2", "activity": "x"})
    assert response.status_code == 403
    assert not Timesheet.objects.filter(user=stranger).exists()


# --- the week editor ---------------------------------------------------------------------------


def test_fill_a_week_through_the_editor(pages, owner):
    year, week = weeks_ago(1)
    url = week_url(year, week)
    empty = html(pages.get(url))
    assert 'data-testid="entry-form"' in empty and 'data-status="none"' in empty
    added = pages.post(f"{url}entries/", {"day": 1, "start_time": "07:30", "end_time": "12:00", "break_minutes": 0,
                                          "activity": "Montage Halle 2"})  # fmt: skip
    assert added.status_code == 302 and added["Location"] == f"{url}#day-1"
    timesheet = Timesheet.objects.get(user=owner, year=year, week=week)
    assert (timesheet.department.code, timesheet.tuesday_minutes) == ("werkstatt", 270)
    pages.post(f"{url}entries/", {"day": 1, "start_time": "12:30", "end_time": "16:00", "break_minutes": 15,
                                  "activity": "Montage Halle 2", "description": "mit Kran"})  # fmt: skip
    pages.post(f"{url}entries/", {"day": 3, "hours": "7,5", "activity": "Berufsschule"})
    page = html(pages.get(url))
    assert re.search(r'data-testid="day-total-1">7:45 h<', page)
    assert re.search(r'data-testid="day-total-3">7:30 h<', page)
    assert re.search(r'data-testid="week-total" data-week-minutes="915">15:15<', page)
    assert "mit Kran" in page and 'value="Montage Halle 2"' in page  # the datalist of recent activities
    assert 'data-last-end="16:00"' in page  # the next entry of Tuesday starts where the last one ended
    timesheet.refresh_from_db()
    assert timesheet.day_minutes() == [0, 465, 0, 450, 0, 0, 0]


def test_form_errors_are_shown_and_nothing_is_saved(pages, owner):
    year, week = weeks_ago(1)
    url = week_url(year, week)
    response = pages.post(f"{url}entries/", {"day": 0, "start_time": "12:00", "end_time": "08:00", "activity": "x"})
    assert response.status_code == 400
    assert "The end must be after the start" in html(response)
    response = pages.post(f"{url}entries/", {"day": 0, "start_time": "08:00", "activity": "x"})
    assert response.status_code == 400 and "Give from and to, or the hours." in html(response)
    response = pages.post(f"{url}entries/", {"day": 0, "hours": "20", "activity": "x"})
    assert response.status_code == 302
    response = pages.post(f"{url}entries/", {"day": 0, "hours": "5", "activity": "x"})
    assert response.status_code == 400 and "a day has at most 24" in html(response)
    assert Timesheet.objects.get(user=owner, year=year, week=week).total_minutes == 1200


def test_edit_and_remove_an_entry(pages, owner):
    timesheet = TimesheetFactory(user=owner)
    entry = timesheet.entries.get()
    form = html(pages.get(f"/timesheets/entries/{entry.pk}/edit/"))
    assert 'value="08:00"' in form and 'value="16:30"' in form and 'value="Montage"' in form
    changed = {"day": 2, "start_time": "09:00", "end_time": "12:00", "break_minutes": 0, "activity": "Umgebaut"}
    saved = pages.post(f"/timesheets/entries/{entry.pk}/edit/", changed)
    assert saved.status_code == 302 and saved["Location"].endswith("#day-2")
    timesheet.refresh_from_db()
    assert timesheet.day_minutes() == [0, 0, 180, 0, 0, 0, 0]
    bad = pages.post(f"/timesheets/entries/{entry.pk}/edit/", {"day": 2, "hours": "30", "activity": "x"})
    assert bad.status_code == 400
    assert pages.post(f"/timesheets/entries/{entry.pk}/delete/").status_code == 302
    timesheet.refresh_from_db()
    assert timesheet.total_minutes == 0 and not timesheet.entries.exists()


def test_note_and_copy_of_the_week_before(pages, owner):
    TimesheetFactory(user=owner, year=weeks_ago(2)[0], week=weeks_ago(2)[1], status="approved")
    year, week = weeks_ago(1)
    url = week_url(year, week)
    page = html(pages.get(url))
    assert 'data-testid="copy-previous"' in page
    assert pages.post(f"{url}copy/").status_code == 302
    timesheet = Timesheet.objects.get(user=owner, year=year, week=week)
    assert timesheet.day_minutes() == [480, 0, 0, 0, 0, 0, 0]
    assert 'data-testid="copy-previous"' not in html(pages.get(url))
    again = pages.post(f"{url}copy/", follow=True)
    assert "This week has entries already." in html(again)
    pages.post(f"{url}note/", {"note": "Freitag Gleitzeit"})
    timesheet.refresh_from_db()
    assert timesheet.note == "Freitag Gleitzeit"
    event = ChangeEvent.objects.filter(entity="timesheet", object_id=timesheet.pk, changes__has_key="note").get()
    assert event.changes["note"] == [None, "Freitag Gleitzeit"]


def test_submit_withdraw_and_read_only_while_submitted(pages, owner):
    timesheet = TimesheetFactory(user=owner)
    url = week_url(timesheet.year, timesheet.week)
    page = html(pages.get(url))
    assert 'data-action="submit"' in page
    done = pages.post(f"/timesheets/reports/{timesheet.pk}/submit/", follow=True)
    assert f"Week {timesheet.week}/{timesheet.year} submitted." in html(done)
    page = html(pages.get(url))
    assert 'data-status="submitted"' in page and 'data-testid="entry-form"' not in page
    assert "/edit/" not in page.split('data-testid="week-days"', 1)[1].split("</aside>", 1)[0]
    refused = pages.post(f"{url}entries/", {"day": 0, "hours": "1", "activity": "spät"})
    assert refused.status_code == 409 and "cannot be changed" in html(refused)
    pages.post(f"/timesheets/reports/{timesheet.pk}/reopen/")
    assert 'data-testid="entry-form"' in html(pages.get(url))


def test_an_empty_week_offers_no_working_submit(pages, owner):
    timesheet = TimesheetFactory(user=owner, entries=[])
    page = html(pages.get(week_url(timesheet.year, timesheet.week)))
    assert re.search(r'data-action="submit" disabled', page)
    response = pages.post(f"/timesheets/reports/{timesheet.pk}/submit/", follow=True)
    assert "Add at least one entry before submitting." in html(response)
    assert Timesheet.objects.get(pk=timesheet.pk).status == "draft"


def test_a_rejected_week_shows_the_reason_and_goes_back_to_draft_on_a_change(pages, owner):
    timesheet = TimesheetFactory(user=owner, status="rejected")
    url = week_url(timesheet.year, timesheet.week)
    page = html(pages.get(url))
    assert 'data-testid="rejection"' in page and "Bitte Pausen eintragen." in page
    assert 'data-testid="entry-form"' in page  # correctable at once
    pages.post(f"{url}entries/", {"day": 4, "hours": "1", "activity": "Pause nachgetragen"})
    timesheet.refresh_from_db()
    assert timesheet.status == "draft"
    assert "Rejected before" in html(pages.get(url))


def test_next_url_must_stay_on_the_site(english_client_for, employee, owner):
    submitted = TimesheetFactory(user=owner, status="submitted")
    client = english_client_for(employee)
    response = client.post(f"/timesheets/reports/{submitted.pk}/approve/", {"next": "https://evil.example.org/"})
    assert response["Location"] == f"/timesheets/reports/{submitted.pk}/"


@pytest.mark.parametrize("url", ["/timesheets/week/2026/0/", "/timesheets/week/2026/54/", "/timesheets/week/99999/1/",
                                 "/timesheets/reports/99999999999999999999/", "/timesheets/entries/0/edit/",
                                 "/timesheets/reports/1/explode/"])  # fmt: skip
def test_impossible_urls_are_404(pages, url):
    assert pages.get(url).status_code in (404, 405)


# --- approvers ---------------------------------------------------------------------------------


def test_approvals_inbox_and_decisions(english_client_for, employee, owner, department):
    colleague = UserFactory(username="kollegin", first_name="Kira", last_name="Kollegin",
                            default_department=department, timesheet_enabled=True)  # fmt: skip
    mine = TimesheetFactory(user=owner, status="submitted")
    hers = TimesheetFactory(user=colleague, status="submitted")
    client = english_client_for(employee)
    listing = html(client.get("/timesheets/"))
    assert 'data-testid="inbox-count">2<' in listing
    page = html(client.get("/timesheets/approvals/"))
    assert f'data-report="{mine.pk}"' in page and f'data-report="{hers.pk}"' in page
    overview = page.split('data-testid="week-overview"', 1)[1]
    assert 'data-person="anwender"' in overview and 'data-person="kollegin"' in overview
    approved = client.post(f"/timesheets/reports/{mine.pk}/approve/", {"next": "/timesheets/approvals/"})
    assert approved["Location"] == "/timesheets/approvals/"
    missing_reason = client.post(f"/timesheets/reports/{hers.pk}/reject/", {"reject-reason": ""}, follow=True)
    assert "Say why." in html(missing_reason)
    assert Timesheet.objects.get(pk=hers.pk).status == "submitted"
    client.post(f"/timesheets/reports/{hers.pk}/reject/", {"reject-reason": "Mittwoch fehlt"})
    assert Timesheet.objects.get(pk=hers.pk).rejection_reason == "Mittwoch fehlt"
    assert 'data-testid="inbox-empty"' in html(client.get("/timesheets/approvals/"))


def test_week_overview_marks_missing_weeks(english_client_for, employee, owner, department):
    UserFactory(username="vergesslich", default_department=department, timesheet_enabled=True)
    TimesheetFactory(user=owner, status="approved")
    year, week = weeks_ago(1)
    page = html(english_client_for(employee).get(f"/timesheets/approvals/?week={year}-W{week:02d}"))
    overview = page.split('data-testid="week-overview"', 1)[1]
    assert re.search(r'data-person="vergesslich">.*?data-status="none"', overview, re.S)
    assert re.search(r'data-person="anwender">.*?data-status="approved"', overview, re.S)


def test_the_approver_sees_the_report_with_its_history(english_client_for, employee, owner):
    submitted = TimesheetFactory(user=owner, status="submitted")
    page = html(english_client_for(employee).get(f"/timesheets/reports/{submitted.pk}/"))
    assert "Max Muster" in page and 'data-testid="history"' in page
    assert 'data-testid="week-total" data-week-minutes="480"' in page
    assert 'data-action="approve"' in page and 'data-testid="reject-form"' in page


def test_reopening_an_approved_week_needs_a_reason(english_client_for, employee, owner):
    approved = TimesheetFactory(user=owner, status="approved")
    client = english_client_for(employee)
    assert 'data-testid="reopen-form"' in html(client.get(f"/timesheets/reports/{approved.pk}/"))
    client.post(f"/timesheets/reports/{approved.pk}/reopen/", {"reopen-reason": ""})
    assert Timesheet.objects.get(pk=approved.pk).status == "approved"
    client.post(f"/timesheets/reports/{approved.pk}/reopen/", {"reopen-reason": "Urlaub fehlt"})
    assert Timesheet.objects.get(pk=approved.pk).status == "draft"


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_approvals_page_query_count_does_not_grow(english_client_for, employee, department, count,
                                                  django_assert_max_num_queries):  # fmt: skip
    for i in range(count):
        person = UserFactory(username=f"w{i}", default_department=department, timesheet_enabled=True)
        TimesheetFactory(user=person, status="submitted")
        TimesheetFactory(user=person, year=weeks_ago(2)[0], week=weeks_ago(2)[1], status="approved")
    client = english_client_for(employee)
    client.get("/timesheets/approvals/")  # warm the session and site configuration
    with django_assert_max_num_queries(14):
        page = html(client.get("/timesheets/approvals/"))
    assert page.count("data-report=") == count


@pytest.mark.parametrize("count", [1, 12])
def test_my_weeks_and_week_page_query_counts_do_not_grow(pages, owner, count, django_assert_max_num_queries):
    for back in range(count):
        year, week = weeks_ago(back)
        TimesheetFactory(user=owner, year=year, week=week, entries=[
            {"date": datetime.date.fromisocalendar(year, week, 1) + datetime.timedelta(days=n % 5), "hours": "0.5",
             "activity": f"Teil {n}"} for n in range(count * 3)])  # fmt: skip
    pages.get("/timesheets/")
    with django_assert_max_num_queries(12):
        pages.get("/timesheets/")
    with django_assert_max_num_queries(16):
        pages.get(week_url(*weeks_ago(0)))


def test_today_is_marked_in_the_current_week(pages):
    today = timezone.localdate()
    page = html(pages.get(week_url(*this_week())))
    assert f'day-card--today" id="day-{today.weekday()}"' in page
