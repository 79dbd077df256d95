"""Writes to workers, lendings and consumable issues. Each public function is one user action in one
transaction, leaves a history row, and raises ApplicationError when a rule is broken."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from inventory.barcodes import barcode_ensure_free, barcode_move, barcode_save_new, clean_barcoded, normalise_barcode
from inventory.models import BarcodeKind, Consumable, StockMovement, Tool
from inventory.selectors import tool_get_for_update
from inventory.services import consumable_adjust_stock
from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import SystemNote, change_event, diff, record_change, record_changes, snapshot
from scandy_site.core.models import SiteConfiguration
from scandy_site.core.validation import reject_unknown_fields

from .models import Lending, OverdueDigest, Worker

logger = logging.getLogger(__name__)

WORKER_FIELDS = ("barcode", "first_name", "last_name", "email", "active")


def _actor(user):
    return user if user is not None and user.is_authenticated else None


def _lock(worker: Worker) -> Worker:
    return Worker.objects.select_for_update().get(pk=worker.pk)


@transaction.atomic
def worker_create(*, department, user, **fields) -> Worker:
    reject_unknown_fields(fields, WORKER_FIELDS)
    fields = dict(fields)
    fields["barcode"] = normalise_barcode(fields.get("barcode"))
    barcode_ensure_free(department=department, barcode=fields["barcode"])
    worker = Worker(department=department, created_by=_actor(user), **fields)
    clean_barcoded(worker)
    barcode_save_new(worker, kind=BarcodeKind.WORKER)
    record_change(worker, action="created", user=user, changes=diff({}, snapshot(worker, WORKER_FIELDS)))
    return worker


@transaction.atomic
def worker_update(*, worker: Worker, user, note: str = "", **fields) -> Worker:
    reject_unknown_fields(fields, WORKER_FIELDS)
    worker = _lock(worker)
    if worker.deleted_at is not None:
        raise ApplicationError("NOT_FOUND", _("This worker is in the trash; restore it first."))
    fields = dict(fields)
    if "barcode" in fields:
        fields["barcode"] = normalise_barcode(fields["barcode"])
    before = snapshot(worker, WORKER_FIELDS)
    for name, value in fields.items():
        setattr(worker, name, value)
    changes = diff(before, snapshot(worker, WORKER_FIELDS))
    if not changes:
        return worker
    if "barcode" in changes:
        # Before full_clean, whose unique-constraint check would call a taken barcode a plain validation error.
        barcode_ensure_free(
            department=worker.department, barcode=worker.barcode, kind=BarcodeKind.WORKER, object_id=worker.pk
        )
    clean_barcoded(worker)
    if "barcode" in changes:
        barcode_move(department=worker.department, kind=BarcodeKind.WORKER, object_id=worker.pk, barcode=worker.barcode)
    worker.save(update_fields=[*fields.keys(), "updated_at"])
    record_change(worker, action="updated", user=user, changes=changes, note=note)
    return worker


@transaction.atomic
def worker_soft_delete(*, worker: Worker, user) -> Worker:
    worker = _lock(worker)
    if worker.deleted_at is not None:
        return worker
    if worker.lendings.filter(returned_at__isnull=True).exists():
        raise ApplicationError(
            "CONFLICT", _("%(worker)s still has tools on loan; take them back first.") % {"worker": worker}
        )
    # The barcode stays registered while the worker is in the trash, so restoring cannot collide.
    worker.deleted_at = timezone.now()
    worker.save(update_fields=["deleted_at", "updated_at"])
    record_change(worker, action="deleted", user=user)
    return worker


@transaction.atomic
def worker_restore(*, worker: Worker, user) -> Worker:
    worker = _lock(worker)
    if worker.deleted_at is None:
        return worker
    worker.deleted_at = None
    worker.save(update_fields=["deleted_at", "updated_at"])
    record_change(worker, action="restored", user=user)
    return worker


# --- Lending -----------------------------------------------------------------------------------


def default_due_date() -> datetime.date:
    """Today plus DEFAULT_LENDING_DAYS: the due date when none is given (QuickScan shows it beforehand)."""
    return timezone.localdate() + datetime.timedelta(days=settings.DEFAULT_LENDING_DAYS)


# Why a tool that is not lent out cannot be lent. QuickScan shows the same sentence as soon as such a tool
# is scanned, before anyone scans a worker card for it.
NOT_LENDABLE = {
    Tool.Status.DEFECTIVE: gettext_lazy("%(tool)s is marked defective and cannot be lent."),
    Tool.Status.MAINTENANCE: gettext_lazy("%(tool)s is in maintenance and cannot be lent."),
}


def _tool_unavailable(tool: Tool) -> ApplicationError:
    if tool.status == Tool.Status.LENT:
        open_lending = tool.lendings.filter(returned_at__isnull=True).select_related("worker").first()
        who = open_lending.worker.full_name if open_lending else "?"
        return ApplicationError(
            "TOOL_NOT_AVAILABLE",
            _("%(tool)s is already lent to %(worker)s.") % {"tool": tool.name, "worker": who},
        )
    reason = NOT_LENDABLE.get(tool.status, gettext_lazy("%(tool)s cannot be lent right now."))
    return ApplicationError("TOOL_NOT_AVAILABLE", reason % {"tool": tool.name}, errors={"status": [tool.status]})


@transaction.atomic
def lending_checkout(
    *, tool: Tool, worker: Worker, user, due_date: datetime.date | None = None, notes: str = ""
) -> Lending:
    """Lend a tool. The tool row is locked, so of two people scanning it at once exactly one wins;
    the partial unique index on open lendings is the database's guarantee behind that."""
    return _checkout(_lock_tool(tool), worker, user=user, due_date=due_date, notes=notes)


@transaction.atomic
def lending_checkout_by_barcode(
    *, department, tool_barcode: str, worker: Worker, user, due_date: datetime.date | None = None, notes: str = ""
) -> Lending:
    """The scan station's lend: finds the tool by its barcode and locks it in the same query."""
    tool = tool_get_for_update(department=department, barcode=tool_barcode, field="tool_barcode")
    return _checkout(tool, worker, user=user, due_date=due_date, notes=notes)


def _lock_tool(tool: Tool) -> Tool:
    return Tool.objects.select_for_update().get(pk=tool.pk)


def _checkout(tool: Tool, worker: Worker, *, user, due_date, notes) -> Lending:
    """The rules of lending, for a tool locked in the current transaction."""
    if tool.is_deleted:
        raise ApplicationError("NOT_FOUND", _("This tool is in the trash."))
    if tool.status != Tool.Status.AVAILABLE:
        raise _tool_unavailable(tool)
    if worker.department_id != tool.department_id:
        raise ApplicationError("VALIDATION_ERROR", _("Tool and worker belong to different departments."))
    if not worker.active or worker.deleted_at is not None:
        raise ApplicationError(
            "VALIDATION_ERROR", _("%(worker)s is not active.") % {"worker": worker.full_name},
            errors={"worker_barcode": [_("inactive")]},
        )  # fmt: skip
    due_date = due_date or default_due_date()
    if due_date < timezone.localdate():
        raise ApplicationError(
            "VALIDATION_ERROR", _("The due date lies in the past."), errors={"due_date": [_("in the past")]}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            lending = Lending.objects.create(
                department_id=tool.department_id, tool=tool, worker=worker, lent_at=now, due_date=due_date,
                lent_by=_actor(user), notes=(notes or "").strip(),
            )  # fmt: skip
    except IntegrityError as exc:
        raise _tool_unavailable(Tool.objects.get(pk=tool.pk)) from exc
    tool.status = Tool.Status.LENT
    tool.save(update_fields=["status", "updated_at"])
    record_changes(
        change_event(
            tool, action="updated", user=user, changes={"status": [Tool.Status.AVAILABLE, Tool.Status.LENT]},
            note=SystemNote(gettext_noop("Lent to %(worker)s"), {"worker": worker.full_name}),
        ),
        change_event(lending, action="created", user=user, changes={"worker": [None, worker.barcode]}),
    )  # fmt: skip
    return lending


@transaction.atomic
def lending_return(*, tool: Tool, user, notes: str = "", defective: bool = False) -> Lending:
    return _return(_lock_tool(tool), user=user, notes=notes, defective=defective)


@transaction.atomic
def lending_return_by_barcode(*, department, tool_barcode: str, user, notes: str = "", defective: bool = False):
    """The scan station's return: finds the tool by its barcode and locks it in the same query."""
    tool = tool_get_for_update(department=department, barcode=tool_barcode, field="tool_barcode")
    return _return(tool, user=user, notes=notes, defective=defective)


def _return(tool: Tool, *, user, notes: str, defective: bool) -> Lending:
    """Take back a tool locked in the current transaction."""
    lending = Lending.objects.select_related("worker", "lent_by").filter(tool=tool, returned_at__isnull=True).first()
    if lending is None:
        raise ApplicationError("TOOL_NOT_LENT", _("%(tool)s is not lent out.") % {"tool": tool.name})
    lending.tool = tool  # already locked and loaded; callers render it
    lending.returned_at = max(timezone.now(), lending.lent_at)
    lending.returned_by = _actor(user)
    if notes:
        lending.notes = f"{lending.notes}\n{notes}".strip()
    lending.save(update_fields=["returned_at", "returned_by", "notes"])
    new_status = Tool.Status.DEFECTIVE if defective else Tool.Status.AVAILABLE
    tool.status = new_status
    tool.save(update_fields=["status", "updated_at"])
    record_changes(
        change_event(
            tool, action="updated", user=user, changes={"status": [Tool.Status.LENT, new_status]},
            note=SystemNote(gettext_noop("Returned by %(worker)s"), {"worker": lending.worker.full_name}),
        ),
        change_event(
            lending, action="updated", user=user, changes={"returned_at": [None, lending.returned_at.isoformat()]}
        ),
    )  # fmt: skip
    return lending


@transaction.atomic
def consumable_issue(*, consumable: Consumable, worker: Worker, user, quantity: int = 1, notes: str = ""):
    """Hand consumables to a worker: a stock movement of kind 'issue' tied to the worker."""
    quantity = int(quantity)
    if quantity < 1:
        raise ApplicationError(
            "VALIDATION_ERROR", _("The quantity must be at least 1."), errors={"quantity": [_("at least 1")]}
        )
    if not worker.active or worker.deleted_at is not None:
        raise ApplicationError("VALIDATION_ERROR", _("%(worker)s is not active.") % {"worker": worker.full_name})
    reason = (notes or "").strip() or _("Issued to %(worker)s") % {"worker": worker.full_name}
    return consumable_adjust_stock(
        consumable=consumable, user=user, delta=-quantity, reason=reason, worker=worker,
        kind=StockMovement.Kind.ISSUE,
    )  # fmt: skip


# --- Overdue reminders -------------------------------------------------------------------------


@dataclass
class ReminderResult:
    workers_mailed: int = 0
    digests_mailed: int = 0
    lendings: int = 0
    failed: int = 0


def lending_send_overdue_reminders(*, now=None) -> ReminderResult:
    """Daily: mail every worker with overdue tools (at most once a day), and staff one digest per department
    and day. A mail that cannot be sent is logged and counted, and the run goes on with the next one; what
    failed is tried again on the next run. Marks are written only after their mail went out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = ReminderResult()
    overdue = list(
        Lending.objects.filter(returned_at__isnull=True, due_date__lt=today)
        .select_related("tool", "worker", "department")
        .order_by("department_id", "worker_id", "due_date")
    )
    result.lendings = len(overdue)
    system = SiteConfiguration.current().display_name
    by_worker: dict[int, list[Lending]] = {}
    by_department: dict[int, list[Lending]] = {}
    for lending in overdue:
        by_worker.setdefault(lending.worker_id, []).append(lending)
        by_department.setdefault(lending.department_id, []).append(lending)
    for lendings in by_worker.values():
        if _remind_worker(lendings, today=today, now=now, system=system, result=result):
            result.workers_mailed += 1
    for department_id, lendings in by_department.items():
        if _send_digest(department_id, lendings, today=today, system=system, result=result):
            result.digests_mailed += 1
    return result


def _remind_worker(lendings: list[Lending], *, today, now, system: str, result: ReminderResult) -> bool:
    worker = lendings[0].worker
    mailed_today = any(
        lending.reminder_sent_at and timezone.localdate(lending.reminder_sent_at) == today for lending in lendings
    )
    if not worker.email or mailed_today:
        return False
    context = {"worker": worker, "lendings": lendings, "system_name": system, "today": today}
    if not _try_mail("lending/mail/overdue_worker", context, [worker.email], what=f"worker {worker.pk}"):
        result.failed += 1
        return False
    Lending.objects.filter(pk__in=[lending.pk for lending in lendings]).update(reminder_sent_at=now)
    return True


def _send_digest(department_id: int, lendings: list[Lending], *, today, system: str, result: ReminderResult) -> bool:
    recipients = _staff_emails(department_id)
    if not recipients:
        return False
    # Claimed before sending: a second run (the same day, or at the same moment) finds the row and sends nothing.
    try:
        with transaction.atomic():
            claim = OverdueDigest.objects.create(
                department_id=department_id, sent_on=today, recipients=len(recipients), lendings=len(lendings)
            )
    except IntegrityError:
        return False
    context = {"department": lendings[0].department, "lendings": lendings, "system_name": system, "today": today}
    department = lendings[0].department.code
    if not _try_mail("lending/mail/overdue_digest", context, recipients, what=f"digest of department {department}"):
        claim.delete()  # not sent: the next run tries again
        result.failed += 1
        return False
    return True


def _try_mail(template: str, context: dict, recipients: list[str], *, what: str) -> bool:
    try:
        _send_mail(template, context, recipients)
    except Exception:
        # Whatever the mail backend raises (SMTP refusal, timeout, DNS): one bad mail must not stop the others.
        logger.exception("overdue reminder: sending the %s failed", what)
        return False
    return True


def _staff_emails(department_id: int) -> list[str]:
    """Everyone who manages workers in the department (administrators see every department)."""
    from scandy_site.accounts.roles import CAPABILITIES

    managers = get_user_model().objects.filter(is_active=True).exclude(email="")
    managers = managers.filter(Q(role__in=CAPABILITIES["workers.manage"]) | Q(is_superuser=True))
    everywhere = Q(role__in=CAPABILITIES["departments.all"]) | Q(is_superuser=True)
    return sorted(set(managers.filter(Q(departments__id=department_id) | everywhere).values_list("email", flat=True)))


def _send_mail(template: str, context: dict, recipients: list[str]) -> None:
    # In the site's language, whatever language the worker thread last served a request in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
