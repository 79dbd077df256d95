"""Mails on assignment, status change and new messages: queued after the commit as a django-q2 task,
sent through Django's mail backend (locmem here), rendered in the site language (LANGUAGE_CODE)."""

import pytest
from django.core import mail

from tests.factories import UserFactory
from tests.factories.tickets import TicketFactory
from tickets import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(department, plain_user):
    return TicketFactory(department=department, created_by=plain_user, title="Bohrmaschine defekt")


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_nothing_is_sent_before_the_commit(ticket, employee, q_sync, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.ticket_assign(ticket=ticket, user=employee, assignee=employee)
        services.ticket_add_message(ticket=ticket, user=employee, body="Schaue ich mir an")
    assert mail.outbox == []
    assert callbacks  # queued for after the commit
    for callback in callbacks:
        callback()
    assert mail.outbox


def test_the_mail_goes_through_a_django_q_task(ticket, employee, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *args, **kwargs: queued.append((func, args, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, user=employee, body="Hallo")
    assert queued[0][0] == "tickets.tasks.send_ticket_mail"
    assert queued[0][1][0] == "message"
    assert mail.outbox == []  # only the worker sends


def test_assignment_mails_the_assignee(ticket, admin_user, employee, q_sync, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, user=admin_user, assignee=employee)
    mails = to("employee@example.org")
    assert len(mails) == 1
    assert ticket.ticket_number in mails[0].subject
    assert "Bohrmaschine defekt" in mails[0].subject
    assert f"/tickets/{ticket.pk}/" not in mails[0].body  # no SITE_URL configured: no link


def test_assigning_oneself_sends_no_assignment_mail(ticket, employee, q_sync, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, user=employee, assignee=employee)
    assert to("employee@example.org") == []


def test_status_change_mails_the_creator(ticket, employee, q_sync, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://scandy.example.org"
    services.ticket_assign(ticket=ticket, user=employee, assignee=employee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, user=employee, status="in_progress")
    mails = to("anwender@example.org")
    assert len(mails) == 1
    assert mails[0].subject == f"[{ticket.ticket_number}] Status: in Bearbeitung"  # the site language, German
    assert "zugewiesen → in Bearbeitung" in mails[0].body  # both sides as labels, never the codes
    assert f"https://scandy.example.org/tickets/{ticket.pk}/" in mails[0].body
    assert not to("employee@example.org")  # the one who moved it is not told


def test_messages_go_to_the_other_side(ticket, employee, plain_user, q_sync, django_capture_on_commit_callbacks):
    colleague = UserFactory(role="employee", username="kollege", default_department=ticket.department)
    services.ticket_assign(ticket=ticket, user=employee, assignee=employee)
    services.ticket_assign(ticket=ticket, user=employee, assignee=colleague)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, user=plain_user, body="Wann ist sie fertig?")
    assert {m.to[0] for m in mail.outbox} == {"employee@example.org", "kollege@example.org"}
    assert "Wann ist sie fertig?" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, user=employee, body="Morgen.")
    assert [m.to for m in mail.outbox] == [["anwender@example.org"]]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, user=employee, body="Ersatzteil fehlt", internal=True)
    assert [m.to for m in mail.outbox] == [["kollege@example.org"]]
    assert "Ersatzteil fehlt" in mail.outbox[0].body


def test_message_without_assignees_goes_to_department_staff(
    ticket, plain_user, employee, admin_user, q_sync, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, user=plain_user, body="Hallo?")
    assert {m.to[0] for m in mail.outbox} == {"employee@example.org", "admin@example.org"}


def test_a_failed_change_sends_nothing(ticket, employee, q_sync, django_capture_on_commit_callbacks):
    from scandy_site.core.errors import ApplicationError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        services.ticket_transition(ticket=ticket, user=employee, status="closed")
    assert mail.outbox == []
