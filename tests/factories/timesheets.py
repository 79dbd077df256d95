"""Weekly reports are made through the services (as the system), so history, totals and statuses are real."""

import datetime

import factory
from django.utils import timezone

from timesheets import services
from timesheets.models import Timesheet

from . import UserFactory


def this_week() -> tuple[int, int]:
    return services.iso_week(timezone.localdate())


def weeks_ago(count: int) -> tuple[int, int]:
    return services.iso_week(timezone.localdate() - datetime.timedelta(weeks=count))


def full_day(date, *, start="08:00", end="16:30", pause=30, activity="Montage") -> dict:
    times = {"start_time": datetime.time.fromisoformat(start), "end_time": datetime.time.fromisoformat(end)}
    return {"date": date, **times, "break_minutes": pause, "activity": activity}


class TimesheetFactory(factory.django.DjangoModelFactory):
    """`TimesheetFactory(user=…, status="submitted")`: last week's report with one 8-hour Monday entry by default
    (`entries=[…]` for others, `entries=[]` for none), moved to `status` through the services."""

    class Meta:
        model = Timesheet

    user = factory.SubFactory(UserFactory, timesheet_enabled=True)
    department = factory.LazyAttribute(lambda o: o.user.default_department)
    year = factory.LazyFunction(lambda: weeks_ago(1)[0])
    week = factory.LazyFunction(lambda: weeks_ago(1)[1])

    @classmethod
    def _create(cls, model_class, *args, user, department, year, week, entries=None, status="draft", **kwargs):
        if entries is None:
            entries = [full_day(Timesheet(year=year, week=week).week_start)]
        timesheet = services.timesheet_create(user=None, owner=user, department=department, year=year, week=week,
                                              entries=entries, **kwargs)  # fmt: skip
        if status in ("submitted", "approved", "rejected"):
            services.timesheet_submit(timesheet=timesheet, user=None)
        if status == "approved":
            services.timesheet_approve(timesheet=timesheet, user=None)
        if status == "rejected":
            services.timesheet_reject(timesheet=timesheet, user=None, reason="Bitte Pausen eintragen.")
        timesheet.refresh_from_db()
        return timesheet
