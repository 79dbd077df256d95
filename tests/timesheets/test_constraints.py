"""The rules of a weekly report, held by the database (raw writes that skip the services fail) and checked first
by the services with a clear message (VALIDATION_ERROR naming the field)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from scandy_site.core.errors import ApplicationError
from tests.factories.timesheets import TimesheetFactory, full_day
from timesheets import services
from timesheets.models import DAY_FIELDS, Timesheet, TimesheetEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def timesheet(owner):
    return TimesheetFactory(user=owner)


def refused_by_database(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def entry(timesheet, **fields) -> TimesheetEntry:
    values = {"timesheet": timesheet, "day": 0, "minutes": 60, "activity": "x", **fields}
    return TimesheetEntry(**values)


# --- the database ------------------------------------------------------------------------------


def test_one_report_per_user_and_week(timesheet):
    duplicate = Timesheet(user=timesheet.user, department=timesheet.department, year=timesheet.year,
                          week=timesheet.week)  # fmt: skip
    assert refused_by_database(duplicate.save)
    other_week = Timesheet(user=timesheet.user, department=timesheet.department, year=timesheet.year - 1, week=10)
    assert not refused_by_database(other_week.save)


@pytest.mark.parametrize(("year", "week"), [(2025, 0), (2025, 54), (1999, 10), (3000, 1)])
def test_iso_week_and_year_in_range(owner, department, year, week):
    assert refused_by_database(lambda: Timesheet.objects.create(user=owner, department=department, year=year,
                                                                week=week))  # fmt: skip


def test_status_is_one_of_four(timesheet):
    assert refused_by_database(lambda: Timesheet.objects.filter(pk=timesheet.pk).update(status="done"))


@pytest.mark.parametrize(
    "values",
    [
        {"status": "submitted", "submitted_at": None},
        {"status": "approved", "approved_at": None},
        {"status": "rejected", "rejection_reason": ""},
    ],
)
def test_each_status_carries_its_dates_and_reason(timesheet, values):
    assert refused_by_database(lambda: Timesheet.objects.filter(pk=timesheet.pk).update(**values))


@pytest.mark.parametrize("day", range(7))
def test_at_most_24_hours_per_day(timesheet, day):
    name = DAY_FIELDS[day]
    others = sum(getattr(timesheet, n) for n in DAY_FIELDS if n != name)
    assert refused_by_database(
        lambda: Timesheet.objects.filter(pk=timesheet.pk).update(**{name: 1441, "total_minutes": others + 1441})
    )
    assert not refused_by_database(
        lambda: Timesheet.objects.filter(pk=timesheet.pk).update(**{name: 1440, "total_minutes": others + 1440})
    )


def test_the_week_total_is_the_sum_of_the_days(timesheet):
    assert refused_by_database(lambda: Timesheet.objects.filter(pk=timesheet.pk).update(total_minutes=999))


def test_hours_and_breaks_are_never_negative_nor_over_a_day(timesheet):
    for fields in ({"minutes": -1}, {"minutes": 1441}, {"break_minutes": -5}, {"break_minutes": 1441}):
        assert refused_by_database(entry(timesheet, **fields).save), fields
    assert not refused_by_database(entry(timesheet, minutes=1440).save)


@pytest.mark.parametrize("day", [-1, 7, 8, 100])
def test_an_entry_lies_inside_its_reports_week(timesheet, day):
    # The entry stores its day of the week; a day outside 0-6 (a date outside the week) is refused.
    assert refused_by_database(entry(timesheet, day=day).save)


def test_the_date_of_an_entry_is_a_day_of_its_week(timesheet):
    dates = [e.date for e in TimesheetEntry.objects.filter(timesheet=timesheet).select_related("timesheet")]
    assert all(timesheet.week_start <= date <= timesheet.week_end for date in dates)
    assert [entry(timesheet, day=day).date for day in range(7)] == timesheet.dates()
    assert timesheet.week_start.isocalendar()[1:] == (timesheet.week, 1)


def test_from_and_to_come_together_and_in_order(timesheet):
    eight, noon = datetime.time(8), datetime.time(12)
    for fields in ({"start_time": eight}, {"end_time": noon}, {"start_time": noon, "end_time": eight},
                   {"start_time": eight, "end_time": eight}):  # fmt: skip
        assert refused_by_database(entry(timesheet, **fields).save), fields
    assert not refused_by_database(entry(timesheet, start_time=eight, end_time=noon, minutes=240).save)


# --- the services, first -----------------------------------------------------------------------


def add(timesheet, **fields):
    fields.setdefault("activity", "Arbeit")
    with translation.override("en"):
        return services.timesheet_entry_create(timesheet=timesheet, user=timesheet.user, **fields)


def refused(timesheet, field, **fields) -> str:
    with pytest.raises(ApplicationError) as caught:
        add(timesheet, **fields)
    assert caught.value.code == "VALIDATION_ERROR"
    assert field in caught.value.errors, caught.value.errors
    return caught.value.message


def test_dates_outside_the_week_are_refused(timesheet):
    for date in (timesheet.week_start - datetime.timedelta(days=1), timesheet.week_end + datetime.timedelta(days=1)):
        message = refused(timesheet, "date", date=date, hours=1)
        assert f"week {timesheet.week}/{timesheet.year}" in message
    add(timesheet, date=timesheet.week_end, hours=1)  # Sunday is still the week


def test_a_day_holds_at_most_24_hours(timesheet):
    tuesday = timesheet.week_start + datetime.timedelta(days=1)
    add(timesheet, date=tuesday, hours=20)
    message = refused(timesheet, "hours", date=tuesday, hours="4.25")
    assert "24" in message
    add(timesheet, date=tuesday, hours=4)
    timesheet.refresh_from_db()
    assert timesheet.tuesday_minutes == 1440
    # Moving an entry onto a full day is refused too.
    monday_entry = timesheet.entries.get(day=0)
    with pytest.raises(ApplicationError):
        services.timesheet_entry_update(entry=monday_entry, user=timesheet.user, date=tuesday)


def test_from_to_entries_of_a_day_do_not_overlap(timesheet):
    monday = timesheet.week_start  # holds 08:00-16:30 already
    message = refused(timesheet, "start_time", date=monday, start_time=datetime.time(16), end_time=datetime.time(18))
    assert "08:00–16:30" in message
    add(timesheet, date=monday, start_time=datetime.time(16, 30), end_time=datetime.time(18))  # touching is fine


@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("hours", {"hours": 25}),
        ("hours", {"hours": -1}),
        ("hours", {"hours": 0}),
        ("hours", {}),
        ("hours", {"hours": 2, "start_time": datetime.time(8), "end_time": datetime.time(9)}),
        ("end_time", {"start_time": datetime.time(8)}),
        ("end_time", {"start_time": datetime.time(12), "end_time": datetime.time(8)}),
        ("break_minutes", {"start_time": datetime.time(8), "end_time": datetime.time(9), "break_minutes": 60}),
        ("break_minutes", {"start_time": datetime.time(8), "end_time": datetime.time(9), "break_minutes": -5}),
        ("activity", {"hours": 1, "activity": "  "}),
        ("activity", {"hours": 1, "activity": "x" * 201}),
    ],
)
def test_entry_values_are_checked(timesheet, field, fields):
    refused(timesheet, field, date=timesheet.week_start + datetime.timedelta(days=2), **fields)


def test_from_to_minus_break_is_the_time_worked(timesheet):
    wednesday = timesheet.week_start + datetime.timedelta(days=2)
    made = add(timesheet, date=wednesday, start_time=datetime.time(7, 15), end_time=datetime.time(15, 45),
               break_minutes=45)  # fmt: skip
    assert (made.minutes, str(made.hours), made.duration_display) == (465, "7.75", "7:45")
    rounded = add(timesheet, date=wednesday + datetime.timedelta(days=1), hours="7.33")
    assert rounded.minutes == 440  # 7.33 h = 439.8 min, to the minute
    timesheet.refresh_from_db()
    assert timesheet.day_minutes() == [480, 0, 465, 440, 0, 0, 0]
    assert timesheet.total_minutes == 480 + 465 + 440


def test_switching_an_entry_between_from_to_and_hours(timesheet):
    made = add(timesheet, date=timesheet.week_start + datetime.timedelta(days=4), hours=3)
    changed = services.timesheet_entry_update(entry=made, user=timesheet.user, start_time=datetime.time(9),
                                              end_time=datetime.time(13), break_minutes=15)  # fmt: skip
    assert (changed.start_time, changed.minutes) == (datetime.time(9), 225)
    back = services.timesheet_entry_update(entry=changed, user=timesheet.user, hours=2, start_time=None, end_time=None)
    assert (back.start_time, back.end_time, back.minutes) == (None, None, 120)
    only_break = services.timesheet_entry_update(entry=timesheet.entries.get(day=0), user=timesheet.user,
                                                 break_minutes=60)  # fmt: skip
    assert only_break.minutes == 450  # 08:00-16:30 minus the longer break


def test_ticket_references_are_tickets_the_owner_sees_in_the_department(timesheet, employee, other_department):
    from tests.factories.tickets import TicketFactory

    mine = TicketFactory(department=timesheet.department, created_by=timesheet.user, title="Presse")
    elsewhere = TicketFactory(department=other_department, created_by=employee, title="Büro")
    made = add(timesheet, date=timesheet.week_start + datetime.timedelta(days=5), hours=1, ticket=mine.ticket_number)
    assert made.ticket == mine
    made = services.timesheet_entry_update(entry=made, user=timesheet.user, ticket=str(mine.pk))
    assert made.ticket == mine
    refused(timesheet, "ticket", date=timesheet.week_start, hours=1, ticket=elsewhere.ticket_number)
    refused(timesheet, "ticket", date=timesheet.week_start, hours=1, ticket="9999-999")
    assert services.timesheet_entry_update(entry=made, user=timesheet.user, ticket=None).ticket is None


def test_ticket_references_need_the_ticket_system(timesheet, settings):
    settings.ENABLE_TICKET_SYSTEM = False
    refused(timesheet, "ticket", date=timesheet.week_start, hours=1, ticket="2611-001")


@pytest.mark.parametrize(("year", "week"), [(2025, 0), (2025, 54), (2025, 53), (1999, 1), ("x", 1)])
def test_weeks_that_do_not_exist(owner, department, year, week):
    with pytest.raises(ApplicationError) as caught:
        services.timesheet_get_or_create(user=owner, department=department, year=year, week=week)
    assert caught.value.code == "VALIDATION_ERROR"


def test_week_53_exists_in_long_years(owner, department):
    timesheet, created = services.timesheet_get_or_create(user=owner, department=department, year=2026, week=53)
    assert created and timesheet.week_start == datetime.date(2026, 12, 28)
    made = add(timesheet, **full_day(datetime.date(2027, 1, 3)))  # Sunday of 2026-W53
    assert made.day == 6


def test_the_report_goes_to_a_department_of_the_owner(owner, other_department):
    with pytest.raises(ApplicationError) as caught:
        services.timesheet_get_or_create(user=owner, department=other_department, year=2026, week=10)
    assert caught.value.code == "PERMISSION_DENIED"
