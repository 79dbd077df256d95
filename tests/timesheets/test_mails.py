"""Mails to a report's owner when it is approved, rejected or reopened: queued after the commit as a django-q2
task, sent through Django's mail backend (locmem here), rendered in the site language (LANGUAGE_CODE)."""

import pytest
from django.core import mail

from tests.factories.timesheets import TimesheetFactory
from timesheets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(owner):
    return TimesheetFactory(user=owner, status="submitted")


def to_owner():
    return [m for m in mail.outbox if m.to == ["anwender@example.org"]]


def test_nothing_is_sent_before_the_commit(submitted, employee, q_sync, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.timesheet_approve(timesheet=submitted, user=employee)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(to_owner()) == 1


def test_the_mail_goes_through_a_django_q_task(submitted, employee, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kwargs: queued.append((func, args, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_reject(timesheet=submitted, user=employee, reason="Pause fehlt")
    assert queued == [("timesheets.tasks.send_timesheet_mail", ("rejected", submitted.pk), {"actor_id": employee.pk})]
    assert mail.outbox == []  # only the worker sends


def test_approval_mail_in_the_site_language(submitted, employee, q_sync, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://scandy.example.org"
    employee.first_name, employee.last_name = "Erika", "Meister"
    employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_approve(timesheet=submitted, user=employee)
    (message,) = to_owner()
    week = f"{submitted.week}/{submitted.year}"
    assert week in message.subject
    assert "Max Muster" in message.body and "Erika Meister" in message.body
    assert "8:00" in message.body
    assert f"https://scandy.example.org/timesheets/week/{submitted.year}/{submitted.week}/" in message.body


def test_rejection_mail_carries_the_reason(submitted, employee, q_sync, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_reject(timesheet=submitted, user=employee, reason="Bitte Dienstag prüfen.")
    (message,) = to_owner()
    assert "Bitte Dienstag prüfen." in message.body
    assert "/timesheets/" not in message.body  # no SITE_URL configured: no link


def test_reopening_an_approved_report_tells_the_owner_why(submitted, employee, admin_user, q_sync,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    services.timesheet_approve(timesheet=submitted, user=employee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_reopen(timesheet=submitted, user=admin_user, reason="Freitag fehlt")
    (message,) = to_owner()
    assert "Freitag fehlt" in message.body


def test_the_owners_own_moves_send_nothing(submitted, plain_user, q_sync, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_reopen(timesheet=submitted, user=plain_user)
        services.timesheet_submit(timesheet=submitted, user=plain_user)
    assert mail.outbox == []


def test_no_address_no_mail(submitted, plain_user, employee, q_sync, django_capture_on_commit_callbacks):
    plain_user.email = ""
    plain_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.timesheet_approve(timesheet=submitted, user=employee)
    assert mail.outbox == []


def test_written_in_the_site_language_not_the_callers(submitted, employee, q_sync,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.timesheet_approve(timesheet=submitted, user=employee)
    (message,) = to_owner()
    assert submitted.week_start.strftime("%d.%m.%Y") in message.body  # German dates (LANGUAGE_CODE "de")
    assert submitted.week_start.strftime("%m/%d/%Y") not in message.body
