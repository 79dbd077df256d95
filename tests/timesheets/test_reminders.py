"""The Monday reminder (django-q2 schedule): everyone who keeps timesheets and has not handed in last week's
report gets one mail, once per week, however often the schedule runs."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from scandy_site.core.schedules import ensure_schedules
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, weeks_ago
from timesheets.models import TimesheetReminder
from timesheets.notifications import send_weekly_reminders
from timesheets.tasks import send_weekly_reminders as task

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(department):
    def person(name, **kwargs):
        kwargs.setdefault("timesheet_enabled", True)
        return UserFactory(username=name, default_department=department, **kwargs)

    made = {name: person(name) for name in ("draft", "rejected", "missing", "submitted", "approved")}
    made["disabled"] = person("disabled", timesheet_enabled=False)
    made["inactive"] = person("inactive", is_active=False)
    made["no-mail"] = person("no-mail", email="")
    for status in ("draft", "rejected", "submitted", "approved"):
        TimesheetFactory(user=made[status], status=status)
    return made


def reminded() -> set[str]:
    return {m.to[0].split("@")[0] for m in mail.outbox}


def test_who_is_reminded(people):
    assert task() == "week={}/{} reminders=3".format(*reversed(weeks_ago(1)))
    assert reminded() == {"draft", "rejected", "missing"}
    year, week = weeks_ago(1)
    draft = next(m for m in mail.outbox if m.to == ["draft@example.org"])
    assert f"{week}/{year}" in draft.subject
    assert "8:00" in draft.body  # what the draft holds so far


def test_each_week_is_reminded_once(people):
    send_weekly_reminders()
    mail.outbox.clear()
    assert send_weekly_reminders()[2] == 0
    assert mail.outbox == []
    assert TimesheetReminder.objects.count() == 3


def test_next_week_reminds_again(people):
    send_weekly_reminders()
    mail.outbox.clear()
    next_monday = timezone.localdate() + datetime.timedelta(days=7)
    year, week, sent = send_weekly_reminders(today=next_monday)
    assert (year, week) == weeks_ago(0)
    assert sent == 8 - 3  # everyone enabled, active and with an address: nobody has a report of that week


def test_a_failed_mail_is_tried_again_next_run(people, monkeypatch):
    import timesheets.notifications as notifications

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    assert send_weekly_reminders()[2] == 0
    assert TimesheetReminder.objects.count() == 0
    monkeypatch.undo()
    assert send_weekly_reminders()[2] == 3


def test_the_schedule_is_declared_for_monday_morning():
    from django_q.models import Schedule

    ensure_schedules()
    schedule = Schedule.objects.get(name="timesheet-reminders")
    assert schedule.func == "timesheets.tasks.send_weekly_reminders"
    assert schedule.schedule_type == Schedule.WEEKLY
    first = timezone.localtime(schedule.next_run)
    assert (first.weekday(), first.hour, first.minute) == (0, 7, 0)
    assert timezone.now() < schedule.next_run <= timezone.now() + datetime.timedelta(days=7)
    ensure_schedules()
    assert Schedule.objects.filter(name="timesheet-reminders").count() == 1
