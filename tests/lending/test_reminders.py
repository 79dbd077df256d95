import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation

from lending import services
from lending.models import Lending, OverdueDigest
from lending.tasks import send_overdue_reminders
from scandy_site.core.schedules import ensure_schedules
from tests.factories import ToolFactory, UserFactory, WorkerFactory
from tests.factories.lending import LendingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_lending(department, employee):
    worker = WorkerFactory(department=department, barcode="W-1", email="ada@example.org", first_name="Ada")
    tool = ToolFactory(department=department, barcode="T-1", name="Flex")
    lending = services.lending_checkout(tool=tool, worker=worker, user=employee)
    Lending.objects.filter(pk=lending.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    return lending


def test_worker_gets_one_reminder_per_day_and_staff_a_digest(overdue_lending, employee, admin_user):
    summary = send_overdue_reminders()
    assert "worker mails=1" in summary
    to_worker = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    assert len(to_worker) == 1
    assert "T-1" in to_worker[0].body
    digest = [m for m in mail.outbox if "employee@example.org" in m.to]
    assert len(digest) == 1
    assert "admin@example.org" in digest[0].to
    assert "Flex" in digest[0].body

    mail.outbox.clear()
    send_overdue_reminders()
    assert not [m for m in mail.outbox if m.to == ["ada@example.org"]]
    overdue_lending.refresh_from_db()
    assert overdue_lending.reminder_sent_at is not None


def test_reminder_again_the_next_day(overdue_lending):
    send_overdue_reminders()
    Lending.objects.filter(pk=overdue_lending.pk).update(
        reminder_sent_at=timezone.now() - datetime.timedelta(days=1, hours=1)
    )
    mail.outbox.clear()
    send_overdue_reminders()
    assert [m for m in mail.outbox if m.to == ["ada@example.org"]]


def test_nothing_overdue_sends_nothing(department):
    worker = WorkerFactory(department=department, email="w@example.org")
    services.lending_checkout(tool=ToolFactory(department=department), worker=worker, user=None)
    send_overdue_reminders()
    assert mail.outbox == []


def test_reminder_mail_is_german_by_default(overdue_lending):
    send_overdue_reminders()
    to_worker = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    assert "Hallo Ada" in to_worker.body


def test_schedule_is_declared():
    from django_q.models import Schedule

    ensure_schedules()
    schedule = Schedule.objects.get(name="overdue-reminders")
    assert schedule.func == "lending.tasks.send_overdue_reminders"
    assert schedule.schedule_type == Schedule.DAILY
    ensure_schedules()
    assert Schedule.objects.filter(name="overdue-reminders").count() == 1


def digests() -> list:
    return [m for m in mail.outbox if "employee@example.org" in m.to]


def test_the_digest_goes_out_once_a_day(overdue_lending, employee, department):
    send_overdue_reminders()
    assert len(digests()) == 1
    assert OverdueDigest.objects.get().department == department

    mail.outbox.clear()
    summary = send_overdue_reminders()  # a second run the same day, e.g. after a worker restart
    assert digests() == []
    assert "digests=0" in summary

    # The next day it comes again.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    services.lending_send_overdue_reminders(now=tomorrow)
    assert len(digests()) == 1
    assert OverdueDigest.objects.count() == 2


def test_one_refused_mail_does_not_stop_the_others(settings, department, employee, caplog):
    settings.EMAIL_BACKEND = "tests.lending.mail_backends.RefusingBackend"
    bad = WorkerFactory(department=department, barcode="W-BAD", email="unreachable@example.org")
    good = WorkerFactory(department=department, barcode="W-OK", email="grace@example.org")
    LendingFactory(department=department, worker=bad, overdue_days=1)
    LendingFactory(department=department, worker=good, overdue_days=1)

    summary = send_overdue_reminders()

    assert "worker mails=1" in summary and "digests=1" in summary and "failed=1" in summary
    assert [m.to for m in mail.outbox if "grace@example.org" in m.to] == [["grace@example.org"]]
    assert len(digests()) == 1
    assert "sending the worker" in caplog.text
    # Only what went out is marked: the refused reminder is tried again on the next run.
    assert not Lending.objects.filter(worker=bad, reminder_sent_at__isnull=False).exists()
    assert Lending.objects.filter(worker=good, reminder_sent_at__isnull=False).exists()
    bad.email = "ada@example.org"
    bad.save()
    mail.outbox.clear()
    assert "worker mails=1" in send_overdue_reminders()
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_a_refused_digest_is_sent_on_the_next_run(settings, department, admin_user):
    settings.EMAIL_BACKEND = "tests.lending.mail_backends.RefusingBackend"
    boss = UserFactory(role="employee", username="boss", email="unreachable@example.org", default_department=department)
    LendingFactory(department=department, overdue_days=1)

    assert "failed=1" in send_overdue_reminders()
    assert not OverdueDigest.objects.exists()

    boss.email = "boss@example.org"
    boss.save()
    mail.outbox.clear()
    assert "digests=1" in send_overdue_reminders()
    assert any("boss@example.org" in m.to for m in mail.outbox)
    assert OverdueDigest.objects.count() == 1


def test_a_worker_gets_at_most_one_reminder_a_day_even_with_a_new_overdue_tool(overdue_lending, department):
    send_overdue_reminders()
    # Another tool of the same worker turns overdue later that day.
    LendingFactory(department=department, worker=overdue_lending.worker, overdue_days=1)
    mail.outbox.clear()
    send_overdue_reminders()
    assert [m for m in mail.outbox if m.to == ["ada@example.org"]] == []


def test_mails_are_in_the_site_language_whatever_the_thread_served_last(overdue_lending):
    # A worker process that just answered an English request still writes the mails in the site's language.
    with translation.override("en"):
        send_overdue_reminders()
    to_worker = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    overdue_lending.refresh_from_db()
    due = overdue_lending.due_date
    assert f"{due.day:02d}.{due.month:02d}.{due.year}" in to_worker.body  # the German date format
