"""Writes to tickets. Each public function is one user action in one transaction: it checks the
user's right to it, writes a history row for every field change, assignment and transition, and
queues the mails it causes for after the commit (django-q2 task)."""

import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scandy_site.accounts.models import Department
from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import SystemNote, diff, record_change, snapshot
from scandy_site.core.queue import queue_after_commit
from scandy_site.core.validation import clean_or_raise, reject_unknown_fields

from . import policy
from .models import (
    MaterialLine,
    OrderDetails,
    Tag,
    Ticket,
    TicketAssignment,
    TicketMessage,
    TicketNumberCounter,
    WorkLine,
)
from .workflow import check_transition

logger = logging.getLogger(__name__)

TICKET_FIELDS = ("title", "description", "category", "priority", "due_date", "estimated_hours", "actual_hours")
ORDER_FIELDS = ("client_type", "client_name", "contact_name", "contact_email", "contact_phone",
                "order_description", "completion_date", "vat_rate", "hourly_rate")  # fmt: skip
MAX_TAGS = 20
MAX_MESSAGE_LENGTH = 20_000
MAX_HOURS = Decimal("99999.99")
# The history key of an internal note (see `ticket_add_message`); participants never see such rows.
INTERNAL_NOTES = "internal_notes"


# --- helpers -----------------------------------------------------------------------------------


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _deny(message=None):
    return ApplicationError("PERMISSION_DENIED", message or _("You may not change this ticket."))


def _require_edit(user, ticket) -> None:
    if user is not None and not policy.can_edit(user, ticket):
        raise _deny()


def _check_hours(ticket) -> None:
    for name in ("estimated_hours", "actual_hours"):
        value = getattr(ticket, name)
        if value is not None and not (0 <= Decimal(value) <= MAX_HOURS):
            raise ApplicationError(
                "VALIDATION_ERROR",
                _("%(field)s must be between 0 and %(max)s.") % {"field": name, "max": MAX_HOURS},
                errors={name: [_("out of range")]},
            )


def normalise_tags(tags) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    names = list(dict.fromkeys(str(tag).strip().lower()[:50] for tag in tags if str(tag).strip()))
    if len(names) > MAX_TAGS:
        raise ApplicationError(
            "VALIDATION_ERROR", _("At most %(count)s tags.") % {"count": MAX_TAGS}, errors={"tags": [_("too many")]}
        )
    return sorted(names)


def _set_tags(ticket, names: list[str]) -> None:
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _created = Tag.objects.get_or_create(name=name)
    ticket.tags.set([existing[name] for name in names])


def _tag_names(ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def _lock(ticket) -> Ticket:
    # Only the ticket row is locked: no joins (an outer join cannot be locked, and the department stays free).
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def next_ticket_number(now=None) -> str:
    """`YYMM-NNN`: the month's counter, raised by one under its row lock (call inside the transaction
    that saves the ticket, so a rollback gives the number back and no gap appears)."""
    period = timezone.localtime(now).strftime("%y%m")
    TicketNumberCounter.objects.get_or_create(period=period)
    TicketNumberCounter.objects.filter(period=period).update(last_number=F("last_number") + 1)
    number = TicketNumberCounter.objects.get(period=period).last_number
    return f"{period}-{number:03d}"


def _queue_mail(kind: str, ticket_id: int, **extra) -> None:
    queue_after_commit("tickets.tasks.send_ticket_mail", kind, ticket_id, **extra)


# --- tickets -----------------------------------------------------------------------------------


@transaction.atomic
def ticket_create(
    *, department, user, title: str, tags=None, assignees=(), order: dict | None = None, is_external=False,
    **fields,
) -> Ticket:  # fmt: skip
    reject_unknown_fields(fields, TICKET_FIELDS)
    if user is not None and not user.can("tickets.create"):
        raise _deny(_("You may not create tickets."))
    if assignees and user is not None and not policy.can_assign(user):
        raise _deny(_("Only staff may assign tickets."))
    ticket = Ticket(department=department, created_by=_actor(user), title=(title or "").strip(),
                    is_external=is_external, **fields)  # fmt: skip
    _check_hours(ticket)
    clean_or_raise(ticket, exclude=["ticket_number"])
    if order is not None and ticket.category != Ticket.Category.ORDER:
        raise ApplicationError(
            "VALIDATION_ERROR", _("Order details belong to tickets of category “order”."),
            errors={"order": [_("only for orders")]},
        )  # fmt: skip
    ticket.ticket_number = next_ticket_number()
    ticket.save()
    tag_names = normalise_tags(tags)
    _set_tags(ticket, tag_names)
    changes = diff({}, snapshot(ticket, ("ticket_number", "status", *TICKET_FIELDS)))
    if tag_names:
        changes["tags"] = [None, ", ".join(tag_names)]
    record_change(ticket, action="created", user=user, changes=changes)
    if ticket.category == Ticket.Category.ORDER:
        _order_save(ticket, user=user, fields=order or {}, record=False)
    for assignee in assignees:
        ticket_assign(ticket=ticket, user=user, assignee=assignee)
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, user, tags=None, **fields) -> Ticket:
    reject_unknown_fields(fields, TICKET_FIELDS)
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    before = snapshot(ticket, TICKET_FIELDS)
    for name, value in fields.items():
        setattr(ticket, name, value.strip() if name == "title" and isinstance(value, str) else value)
    changes = diff(before, snapshot(ticket, TICKET_FIELDS))
    if tags is not None:
        old_tags, new_tags = _tag_names(ticket), normalise_tags(tags)
        if old_tags != new_tags:
            _set_tags(ticket, new_tags)
            changes["tags"] = [", ".join(old_tags) or None, ", ".join(new_tags) or None]
    if not changes:
        return ticket
    _check_hours(ticket)
    clean_or_raise(ticket, exclude=["ticket_number"])
    if "category" in changes and ticket.category == Ticket.Category.ORDER and not hasattr(ticket, "order"):
        _order_save(ticket, user=user, fields={}, record=False)
    ticket.save(update_fields=[*fields.keys(), "updated_at"])
    record_change(ticket, action="updated", user=user, changes=changes)
    return ticket


def _assignable(ticket, assignee) -> None:
    if not policy.can_be_assigned(assignee):
        raise ApplicationError(
            "VALIDATION_ERROR", _("%(user)s cannot work on tickets.") % {"user": assignee.username},
            errors={"username": [_("not assignable")]},
        )  # fmt: skip
    in_department = assignee.can("departments.all") or assignee.departments.filter(pk=ticket.department_id).exists()
    if not in_department:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("%(user)s does not work in %(department)s.") % {"user": assignee.username,
                                                              "department": ticket.department.name},
            errors={"username": [_("other department")]},
        )  # fmt: skip


@transaction.atomic
def ticket_assign(*, ticket: Ticket, user, assignee) -> TicketAssignment:
    """Add `assignee` (recording who assigned when). An open ticket becomes `assigned` with it."""
    ticket = _lock(ticket)
    if user is not None and not policy.can_assign(user):
        raise _deny(_("Only staff may assign tickets."))
    _assignable(ticket, assignee)
    existing = ticket.assignments.filter(user=assignee).first()
    if existing is not None:
        return existing
    before = sorted(ticket.assignments.values_list("user__username", flat=True))
    assignment = TicketAssignment.objects.create(ticket=ticket, user=assignee, assigned_by=_actor(user))
    record_change(
        ticket, action="updated", user=user,
        changes={"assignees": [", ".join(before) or None, ", ".join(sorted([*before, assignee.username]))]},
        note=SystemNote(gettext_noop("Assigned to %(user)s"), {"user": assignee.get_full_name() or assignee.username}),
    )  # fmt: skip
    if ticket.status == Ticket.Status.OPEN:
        _move(ticket, Ticket.Status.ASSIGNED, user=user)
    if assignee != user:
        _queue_mail("assigned", ticket.pk, assignee_id=assignee.pk)
    return assignment


@transaction.atomic
def ticket_unassign(*, ticket: Ticket, user, assignee) -> None:
    ticket = _lock(ticket)
    if user is not None and not policy.can_assign(user):
        raise _deny(_("Only staff may assign tickets."))
    before = sorted(ticket.assignments.values_list("user__username", flat=True))
    if assignee.username not in before:
        raise ApplicationError(
            "VALIDATION_ERROR", _("%(user)s is not assigned.") % {"user": assignee.username},
            errors={"username": [_("not assigned")]},
        )  # fmt: skip
    ticket.assignments.filter(user=assignee).delete()
    after = [name for name in before if name != assignee.username]
    record_change(
        ticket, action="updated", user=user, changes={"assignees": [", ".join(before), ", ".join(after) or None]},
        note=SystemNote(
            gettext_noop("%(user)s no longer assigned"), {"user": assignee.get_full_name() or assignee.username}
        ),
    )  # fmt: skip


def _move(ticket, target: str, *, user) -> None:
    source = ticket.status
    now = timezone.now()
    ticket.status = target
    update = ["status", "updated_at"]
    if target == Ticket.Status.RESOLVED:
        ticket.resolved_at = now
        update.append("resolved_at")
    if target == Ticket.Status.CLOSED:
        ticket.closed_at = now
        update.append("closed_at")
    if source in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED) and target in (
        Ticket.Status.OPEN,
        Ticket.Status.IN_PROGRESS,
    ):
        ticket.resolved_at = ticket.closed_at = None
        update += ["resolved_at", "closed_at"]
    ticket.save(update_fields=list(dict.fromkeys(update)))
    record_change(ticket, action="updated", user=user, changes={"status": [source, target]})
    _queue_mail("status", ticket.pk, old_status=source, actor_id=getattr(_actor(user), "pk", None))


@transaction.atomic
def ticket_transition(*, ticket: Ticket, user, status: str) -> Ticket:
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    check_transition(ticket.status, status, user)
    if status == Ticket.Status.ASSIGNED and not ticket.assignments.exists():
        raise ApplicationError(
            "VALIDATION_ERROR", _("Assign someone to the ticket first."), errors={"status": [_("nobody assigned")]}
        )
    _move(ticket, status, user=user)
    return ticket


@transaction.atomic
def ticket_add_message(
    *, ticket: Ticket, user, body: str, internal: bool = False, author_name: str = ""
) -> TicketMessage:
    ticket = Ticket.objects.select_related("department").get(pk=ticket.pk)
    if user is not None and not policy.can_view(user, ticket):
        raise ApplicationError("NOT_FOUND", _("Not found."))
    if internal and user is not None and not policy.can_see_internal(user):
        raise _deny(_("You may not write internal notes."))
    body = (body or "").strip()
    if not body:
        raise ApplicationError("VALIDATION_ERROR", _("Write a message."), errors={"body": [_("required")]})
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ApplicationError("VALIDATION_ERROR", _("The message is too long."), errors={"body": [_("too long")]})
    message = TicketMessage.objects.create(
        ticket=ticket, author=_actor(user), author_name=author_name[:200], body=body, is_internal=internal
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    # Internal notes go under their own key: participants' history and event feed leave those rows out.
    key = INTERNAL_NOTES if internal else "messages"
    excerpt = body if len(body) <= 80 else body[:79] + "…"
    record_change(ticket, action="updated", user=user, changes={key: [None, excerpt]})
    _queue_mail("message", ticket.pk, message_id=message.pk)
    return message


@transaction.atomic
def ticket_delete(*, ticket: Ticket, user) -> None:
    """Remove a ticket for good (administrators, in the back office); its files go with it."""
    ticket = _lock(ticket)
    if user is not None and not user.can("system.manage"):
        raise _deny(_("Only administrators may delete tickets."))
    record_change(ticket, action="deleted", user=user, note=ticket.ticket_number)
    ticket.delete()


# --- order details -----------------------------------------------------------------------------


def _clean_decimal(value, name: str, *, minimum=Decimal("0"), maximum=None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ApplicationError("VALIDATION_ERROR", _("%(field)s must be a number.") % {"field": name},
                               errors={name: [_("not a number")]}) from exc  # fmt: skip
    if not number.is_finite() or number < minimum or (maximum is not None and number > maximum):
        raise ApplicationError("VALIDATION_ERROR", _("%(field)s is out of range.") % {"field": name},
                               errors={name: [_("out of range")]})  # fmt: skip
    return number


def _order_save(ticket, *, user, fields: dict, record: bool = True) -> OrderDetails:
    reject_unknown_fields(fields, ORDER_FIELDS)
    order = OrderDetails.objects.filter(ticket=ticket).first()
    created = order is None
    if created:
        order = OrderDetails(ticket=ticket, vat_rate=settings.TICKET_VAT_RATE, hourly_rate=settings.TICKET_HOURLY_RATE)
    before = {} if created else snapshot(order, ORDER_FIELDS)
    for name, value in fields.items():
        setattr(order, name, value if value is not None or name in ("completion_date",) else getattr(order, name))
    order.vat_rate = _clean_decimal(order.vat_rate, "vat_rate", maximum=Decimal("100"))
    order.hourly_rate = _clean_decimal(order.hourly_rate, "hourly_rate", maximum=Decimal("99999999"))
    clean_or_raise(order, exclude=["ticket"])
    order.save()
    changes = diff(before, snapshot(order, ORDER_FIELDS))
    if record and changes:
        record_change(ticket, action="updated", user=user, changes={f"order.{k}": v for k, v in changes.items()})
    return order


def _require_order(ticket) -> None:
    if ticket.category != Ticket.Category.ORDER:
        raise ApplicationError(
            "VALIDATION_ERROR", _("Only tickets of category “order” have order details."),
            errors={"category": [_("not an order")]},
        )  # fmt: skip


@transaction.atomic
def ticket_order_update(*, ticket: Ticket, user, **fields) -> OrderDetails:
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    _require_order(ticket)
    order = _order_save(ticket, user=user, fields=fields)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return order


def _next_position(queryset) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


MAX_AMOUNT = Decimal("99999999")


def _cents(value: Decimal) -> Decimal:
    # What the two-decimal columns store, so the history shows the same text before and after saving.
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _work_line(ticket, *, position: int, work: str, hours, service_category: str = "") -> WorkLine:
    line = WorkLine(
        ticket=ticket, position=position, work=(work or "").strip(), service_category=(service_category or "").strip(),
        hours=_cents(_clean_decimal(hours, "hours", maximum=MAX_HOURS)),
    )  # fmt: skip
    clean_or_raise(line, exclude=["ticket"])
    line.save()
    return line


def _material_line(ticket, *, position: int, material: str, quantity, unit_price, unit: str = "Stk") -> MaterialLine:
    quantity = _cents(_clean_decimal(quantity, "quantity", maximum=MAX_AMOUNT))
    if quantity == 0:
        raise ApplicationError(
            "VALIDATION_ERROR", _("The quantity must be more than zero."), errors={"quantity": [_("zero")]}
        )
    line = MaterialLine(
        ticket=ticket, position=position, material=(material or "").strip(), unit=(unit or "").strip()[:20],
        quantity=quantity, unit_price=_cents(_clean_decimal(unit_price, "unit_price", maximum=MAX_AMOUNT)),
    )  # fmt: skip
    clean_or_raise(line, exclude=["ticket"])
    line.save()
    return line


@transaction.atomic
def ticket_work_line_add(*, ticket: Ticket, user, work: str, hours, service_category: str = "") -> WorkLine:
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    _require_order(ticket)
    line = _work_line(ticket, position=_next_position(ticket.work_lines), work=work, hours=hours,
                      service_category=service_category)  # fmt: skip
    record_change(ticket, action="updated", user=user, changes={"work_lines": [None, str(line)]})
    return line


@transaction.atomic
def ticket_material_line_add(
    *, ticket: Ticket, user, material: str, quantity, unit_price, unit: str = "Stk"
) -> MaterialLine:
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    _require_order(ticket)
    line = _material_line(ticket, position=_next_position(ticket.material_lines), material=material,
                          quantity=quantity, unit_price=unit_price, unit=unit)  # fmt: skip
    record_change(ticket, action="updated", user=user, changes={"material_lines": [None, _material_text(line)]})
    return line


def _material_text(line) -> str:
    return f"{line} à {line.unit_price}"


@transaction.atomic
def ticket_line_remove(*, ticket: Ticket, user, kind: str, line_id: int) -> None:
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    model = {"work": WorkLine, "material": MaterialLine}.get(kind)
    line = model.objects.filter(ticket=ticket, pk=line_id).first() if model else None
    if line is None:
        raise ApplicationError("NOT_FOUND", _("No such line."))
    line.delete()
    field = "work_lines" if kind == "work" else "material_lines"
    record_change(ticket, action="updated", user=user, changes={field: [str(line), None]})


@transaction.atomic
def ticket_order_replace(*, ticket: Ticket, user, details: dict, work_lines: list[dict], material_lines: list[dict]):
    """The API's PUT of a whole order: details and both line lists replace what was there."""
    ticket = _lock(ticket)
    _require_edit(user, ticket)
    _require_order(ticket)
    _order_save(ticket, user=user, fields=details)
    old_work = [str(line) for line in ticket.work_lines.all()]
    old_material = [_material_text(line) for line in ticket.material_lines.all()]
    ticket.work_lines.all().delete()
    ticket.material_lines.all().delete()
    for position, line in enumerate(work_lines, start=1):
        _work_line(ticket, position=position, **line)
    for position, line in enumerate(material_lines, start=1):
        _material_line(ticket, position=position, **line)
    new_work = [str(line) for line in ticket.work_lines.all()]
    new_material = [_material_text(line) for line in ticket.material_lines.all()]
    changes = {}
    if old_work != new_work:
        changes["work_lines"] = ["; ".join(old_work) or None, "; ".join(new_work) or None]
    if old_material != new_material:
        changes["material_lines"] = ["; ".join(old_material) or None, "; ".join(new_material) or None]
    if changes:
        record_change(ticket, action="updated", user=user, changes=changes)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return ticket


# --- the public order form ---------------------------------------------------------------------


def external_order_department() -> Department:
    """Where orders from /tickets/order/ go: TICKET_EXTERNAL_DEPARTMENT (a code) when set and active,
    otherwise the first active department (the one the setup wizard created)."""
    code = settings.TICKET_EXTERNAL_DEPARTMENT
    active = Department.objects.filter(active=True)
    if code:
        department = active.filter(code=code).first()
        if department is not None:
            return department
        logger.warning("TICKET_EXTERNAL_DEPARTMENT=%s is no active department; using the first one", code)
    department = active.order_by("pk").first()
    if department is None:
        raise ApplicationError("SETUP_REQUIRED", _("Orders cannot be taken right now."))
    return department


@transaction.atomic
def ticket_submit_external_order(
    *, client_name: str, contact_name: str, contact_email: str, contact_phone: str = "", title: str,
    description: str, completion_date=None,
) -> Ticket:  # fmt: skip
    """An order from someone without an account: an `order` ticket in the external-order department,
    a confirmation to the contact, and a note to the department's staff."""
    ticket = ticket_create(
        department=external_order_department(), user=None, title=title, description=description,
        category=Ticket.Category.ORDER, is_external=True,
        order={
            "client_type": OrderDetails.ClientType.EXTERNAL, "client_name": client_name,
            "contact_name": contact_name, "contact_email": contact_email, "contact_phone": contact_phone,
            "order_description": description, "completion_date": completion_date,
        },
    )  # fmt: skip
    _queue_mail("order_confirmation", ticket.pk)
    _queue_mail("new_order", ticket.pk)
    return ticket


def users_by_username(usernames) -> list:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=list(usernames), is_active=True)}
    missing = [name for name in usernames if name not in users]
    if missing:
        raise ApplicationError(
            "VALIDATION_ERROR", _("Unknown user: %(names)s") % {"names": ", ".join(missing)},
            errors={"username": [_("unknown user")]},
        )  # fmt: skip
    return [users[name] for name in usernames]
