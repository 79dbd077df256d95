"""Reads of tickets: always scoped to a department (None = all) and to what the user may see."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent

from . import policy
from .models import Ticket, TicketAssignment, TicketMessage


def visible_to(queryset, user):
    """Admin/employee: all; user: own, assigned and open ones; participant: own only."""
    if user.can("tickets.manage_all"):
        return queryset
    rule = Q(created_by=user)
    if user.can("tickets.see_open"):
        assigned = TicketAssignment.objects.filter(ticket=OuterRef("pk"), user=user)
        rule |= Q(status=Ticket.Status.OPEN) | Q(Exists(assigned))
    return queryset.filter(rule)


PRIORITY_RANK = Case(
    *(When(priority=value, then=Value(rank)) for rank, value in enumerate(Ticket.Priority.values)),
    output_field=IntegerField(),
)


def ticket_list(*, user, department, with_order: bool = False):
    qs = Ticket.objects.all()
    if department is not None:
        qs = qs.filter(department=department)
    qs = (
        visible_to(qs, user)
        .annotate(priority_rank=PRIORITY_RANK)
        .select_related("department", "created_by")
        .prefetch_related(
            Prefetch("assignments", queryset=TicketAssignment.objects.select_related("user", "assigned_by")), "tags"
        )
    )
    if with_order:
        qs = qs.select_related("order").prefetch_related("work_lines", "material_lines")
    return qs


def ticket_get(*, user, department, identifier) -> Ticket:
    """By id, or by ticket number (`2611-007`)."""
    identifier = str(identifier).strip()
    qs = ticket_list(user=user, department=department, with_order=True)
    ticket = None
    if identifier.isdigit() and len(identifier) < 19:
        ticket = qs.filter(pk=int(identifier)).first()
    elif len(identifier) <= 16 and "\x00" not in identifier:
        ticket = qs.filter(ticket_number=identifier).first()
    if ticket is None:
        raise ApplicationError("NOT_FOUND", _("No ticket %(id)s.") % {"id": identifier[:20]})
    return ticket


def ticket_messages(*, ticket, user):
    messages = TicketMessage.objects.filter(ticket=ticket).select_related("author")
    if not policy.can_see_internal(user):
        messages = messages.filter(is_internal=False)
    return messages.order_by("created_at", "id")


def ticket_history(*, ticket, user=None, limit: int | None = None):
    """The ticket's history rows, newest first; without the internal notes for who may not see them."""
    from .services import INTERNAL_NOTES

    qs = (
        ChangeEvent.objects.filter(content_type=ContentType.objects.get_for_model(Ticket), object_id=ticket.pk)
        .select_related("user")
        .order_by("-id")
    )
    if user is not None and not policy.can_see_internal(user):
        qs = qs.exclude(changes__has_key=INTERNAL_NOTES)
    return qs[:limit] if limit else qs


def due_filter(queryset, due: str):
    """`overdue`, `today`, `week` (the next seven days), `none` (no due date)."""
    today = timezone.localdate()
    open_states = [Ticket.Status.OPEN, Ticket.Status.ASSIGNED, Ticket.Status.IN_PROGRESS]
    if due == "overdue":
        return queryset.filter(due_date__lt=today, status__in=open_states)
    if due == "today":
        return queryset.filter(due_date=today)
    if due == "week":
        return queryset.filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=7))
    if due == "none":
        return queryset.filter(due_date__isnull=True)
    return queryset


def assignable_users(*, department):
    from django.contrib.auth import get_user_model

    from scandy_site.accounts.roles import CAPABILITIES

    users = get_user_model().objects.filter(is_active=True)
    users = users.filter(Q(role__in=CAPABILITIES["tickets.see_open"]) | Q(is_superuser=True))
    if department is not None:
        everywhere = Q(role__in=CAPABILITIES["departments.all"]) | Q(is_superuser=True)
        users = users.filter(Q(departments=department) | everywhere)
    return users.distinct().order_by("last_name", "first_name", "username")
