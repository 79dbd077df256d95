"""Who gets which ticket mail, and the mail itself (translated templates in templates/tickets/mail/).

Runs in the django-q2 worker (tasks.send_ticket_mail), after the change was committed."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from scandy_site.accounts.roles import CAPABILITIES
from scandy_site.core.models import SiteConfiguration

from .models import Ticket, TicketMessage

logger = logging.getLogger(__name__)


def _emails(users, *, exclude_id=None) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active and u.pk != exclude_id})


def _assignees(ticket):
    return [a.user for a in ticket.assignments.select_related("user")]


def department_staff(ticket) -> list:
    """Those who see and edit every ticket of the department (administrators see every department)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(role__in=CAPABILITIES["tickets.manage_all"]) | Q(is_superuser=True))
    everywhere = Q(role__in=CAPABILITIES["departments.all"]) | Q(is_superuser=True)
    return list(users.filter(Q(departments=ticket.department_id) | everywhere).distinct())


def _client_email(ticket) -> str:
    order = getattr(ticket, "order", None)
    return order.contact_email if ticket.is_external and order is not None else ""


def _requester(ticket, *, exclude_id=None) -> list[str]:
    """The side that asked: the creator, or for an external order its contact."""
    if ticket.created_by is not None:
        return _emails([ticket.created_by], exclude_id=exclude_id)
    email = _client_email(ticket)
    return [email] if email else []


def recipients(kind: str, ticket: Ticket, **extra) -> list[str]:
    if kind == "assigned":
        assignee = get_user_model().objects.filter(pk=extra.get("assignee_id")).first()
        return _emails([assignee]) if assignee else []
    if kind == "status":
        return _requester(ticket, exclude_id=extra.get("actor_id"))
    if kind == "order_confirmation":
        email = _client_email(ticket)
        return [email] if email else []
    if kind == "new_order":
        return _emails(department_staff(ticket))
    if kind == "message":
        message = extra["message"]
        author_id = message.author_id
        working = _assignees(ticket)
        if message.is_internal:
            return _emails(working, exclude_id=author_id)
        from_requester = author_id is None or author_id == ticket.created_by_id
        if from_requester:
            return _emails(working or department_staff(ticket), exclude_id=author_id)
        return _requester(ticket, exclude_id=author_id)
    raise ValueError(f"unknown ticket mail {kind!r}")


def _ticket_url(ticket) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{reverse('tickets:detail', args=[ticket.pk])}" if base else ""


def send_ticket_mail(kind: str, ticket_id: int, **extra) -> int:
    ticket = Ticket.objects.select_related("department", "created_by", "order").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    if kind == "message":
        extra["message"] = TicketMessage.objects.select_related("author").filter(pk=extra.pop("message_id")).first()
        if extra["message"] is None:
            return 0
    to = recipients(kind, ticket, **extra)
    if not to:
        return 0
    status_labels = dict(Ticket.Status.choices)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **extra,  # first: `old_status` comes in as the code and goes out as its label
            "ticket": ticket,
            "system_name": SiteConfiguration.current().display_name,
            "url": _ticket_url(ticket),
            "old_status": status_labels.get(extra.get("old_status"), ""),
            "new_status": ticket.get_status_display(),
            # The external client gets no link into the staff pages.
            "for_client": kind in ("order_confirmation",) or (kind in ("status", "message") and ticket.is_external),
        }
        subject = " ".join(render_to_string(f"tickets/mail/{kind}_subject.txt", context).split())
        body = render_to_string(f"tickets/mail/{kind}.txt", context)
    # One mail per recipient: nobody sees who else was told.
    for address in to:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    logger.info("ticket mail %s for %s sent to %d recipient(s)", kind, ticket.ticket_number, len(to))
    return len(to)
