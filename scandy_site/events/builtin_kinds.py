"""The event kinds of Scandy's own apps, with the visibility rules of CONTRACT section 4."""

from django.db.models import Q

from .kinds import EventKind, register


def _ticket_rows(user) -> Q:
    """Tickets as the ticket pages show them. An internal note's event is left out for those who may not
    see internal notes (participants): not even its existence reaches them."""
    from tickets import policy
    from tickets.models import Ticket
    from tickets.selectors import visible_to
    from tickets.services import INTERNAL_NOTES

    rule = Q()
    if not user.can("tickets.manage_all"):
        # The tickets the user sees now (own, assigned, open ones; participants: own only).
        rule &= Q(object_id__in=visible_to(Ticket.objects.all(), user).values("pk"))
    if not policy.can_see_internal(user):
        rule &= ~Q(changes__has_key=INTERNAL_NOTES)
    return rule


def _job_rows(user) -> Q:
    """Job offers as the job pages show them: staff see every one, everyone else only published ones."""
    from jobs.models import Job

    if user.can("jobs.manage"):
        return Q()
    return Q(object_id__in=Job.objects.filter(status=Job.Status.PUBLISHED).values("pk"))


def register_builtin() -> None:
    from integrations.models import Customer, Device, Order, Product
    from inventory.models import Consumable, Tool
    from jobs.models import Job
    from lending.models import Lending, Worker
    from tickets.models import Ticket

    register(EventKind("tool", Tool, "inventory.view", key_field="barcode"))
    register(EventKind("consumable", Consumable, "inventory.view", key_field="barcode"))
    register(EventKind("worker", Worker, "lending.use", key_field="barcode"))
    register(EventKind("lending", Lending, "lending.use"))
    register(EventKind("ticket", Ticket, "tickets.create", rows=_ticket_rows, feature="ENABLE_TICKET_SYSTEM"))
    # Applications are personal: their history rows are kept (and go to webhooks) but reach no one's feed.
    register(EventKind("job", Job, "jobs.view", rows=_job_rows, feature="ENABLE_JOB_BOARD"))
    # Local copies of outside systems: not bound to a department.
    register(EventKind("customer", Customer, "customers.view", department_scoped=False))
    register(EventKind("device", Device, "customers.view", department_scoped=False))
    register(EventKind("order", Order, "shop.view", department_scoped=False))
    register(EventKind("product", Product, "shop.view", department_scoped=False))
