"""Who may see and change which ticket (CONTRACT section 4), for one ticket at a time.

The list-level version of `can_view` is `selectors.ticket_list`; both say the same:
admin/employee: every ticket; user: own, assigned and open ones; participant: own only."""

from .models import Ticket


def _is_assignee(user, ticket) -> bool:
    cache = getattr(ticket, "_prefetched_objects_cache", {})
    if "assignments" in cache:
        return any(a.user_id == user.pk for a in cache["assignments"])
    return ticket.assignments.filter(user=user).exists()


def can_view(user, ticket: Ticket) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.can("tickets.manage_all"):
        return True
    if ticket.created_by_id == user.pk:
        return True
    if not user.can("tickets.see_open"):
        return False
    return ticket.status == Ticket.Status.OPEN or _is_assignee(user, ticket)


def can_edit(user, ticket: Ticket) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user.can("tickets.manage_all") or ticket.created_by_id == user.pk:
        return True
    return user.can("tickets.see_open") and _is_assignee(user, ticket)


def can_assign(user) -> bool:
    return bool(user and user.is_authenticated and user.can("tickets.manage_all"))


def can_see_internal(user) -> bool:
    return bool(user and user.is_authenticated and user.can("tickets.internal_notes"))


def can_be_assigned(user) -> bool:
    """Participants file tickets; they are never the ones working on them."""
    return user.is_active and user.can("tickets.see_open")
