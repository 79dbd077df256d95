"""Reads for workers, lendings and the scan station, scoped to a department (None = all)."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import BarcodeKind, BarcodeRegistration, Consumable, Tool
from inventory.selectors import get_by_barcode
from scandy_site.core.errors import ApplicationError

from .models import Lending, Worker


def _scoped(queryset, department):
    return queryset if department is None else queryset.filter(department=department)


def worker_list(*, department, include_deleted: bool = False):
    qs = Worker.objects.all() if include_deleted else Worker.objects.alive()
    return _scoped(qs, department).select_related("department")


def worker_list_with_counts(*, department):
    today = timezone.localdate()
    return worker_list(department=department).annotate(
        open_lendings=Count("lendings", filter=Q(lendings__returned_at__isnull=True)),
        overdue_lendings=Count("lendings", filter=Q(lendings__returned_at__isnull=True, lendings__due_date__lt=today)),
    )


def worker_get(*, department, barcode: str) -> Worker:
    """An unknown worker card is UNKNOWN_BARCODE (the scan station's word for it)."""
    return get_by_barcode(
        worker_list(department=department), barcode, _("worker"), missing="UNKNOWN_BARCODE", field="worker_barcode"
    )


def lending_list(*, department):
    return _scoped(Lending.objects.all(), department).select_related(
        "tool", "worker", "department", "lent_by", "returned_by"
    )


def lendings_overdue(*, department, today=None):
    today = today or timezone.localdate()
    return (
        lending_list(department=department)
        .filter(returned_at__isnull=True, due_date__lt=today)
        .order_by("due_date", "id")
    )


def with_open_lending(tools):
    """Tools with `current_lendings`: their open lending (with its worker) in a list, or an empty one.
    One query for a whole page of tools, whatever its size."""
    open_lendings = Lending.objects.filter(returned_at__isnull=True).select_related("worker")
    return tools.prefetch_related(Prefetch("lendings", queryset=open_lendings, to_attr="current_lendings"))


def overdue_summary(*, department, limit: int = 10) -> tuple[int, list[Lending]]:
    """For the dashboard: how many lendings are overdue, and the `limit` longest overdue of them."""
    overdue = lendings_overdue(department=department)
    return overdue.count(), list(overdue[:limit])


def open_lending_for(tool: Tool) -> Lending | None:
    return Lending.objects.select_related("worker").filter(tool=tool, returned_at__isnull=True).first()


def worker_open_lendings(worker: Worker):
    return worker.lendings.filter(returned_at__isnull=True).select_related("tool").order_by("due_date")


def worker_past_lendings(worker: Worker, *, limit: int = 50):
    past = worker.lendings.filter(returned_at__isnull=False).select_related("tool", "lent_by", "returned_by")
    return past.order_by("-returned_at")[:limit]


def tool_lendings(tool: Tool, *, limit: int = 50):
    return tool.lendings.select_related("worker", "lent_by", "returned_by").order_by("-lent_at")[:limit]


def scan_lookup(*, department, barcode: str) -> tuple[str, object]:
    """What a barcode is: ('tool', Tool) / ('consumable', Consumable) / ('worker', Worker).

    One indexed lookup in the barcode registry, then one query for the object."""
    barcode = (barcode or "").strip()
    registrations = _scoped(BarcodeRegistration.objects.filter(barcode=barcode), department)
    found = list(registrations[:2])
    if not found:
        raise ApplicationError(
            "UNKNOWN_BARCODE", _("Unknown barcode %(barcode)s.") % {"barcode": barcode},
            errors={"barcode": [_("unknown")]},
        )  # fmt: skip
    if len(found) > 1:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("Barcode %(barcode)s exists in several departments; choose one.") % {"barcode": barcode},
        )
    registration = found[0]
    if registration.kind == BarcodeKind.TOOL:
        tools = Tool.objects.alive().select_related("category", "location", "department")
        obj = next(iter(tools.filter(pk=registration.object_id)), None)
        if obj is not None:
            # Only a lent tool has an open lending (services keep status and lendings in step).
            obj.open_lendings = (
                list(obj.lendings.filter(returned_at__isnull=True).select_related("worker"))
                if obj.status == Tool.Status.LENT
                else []
            )
    elif registration.kind == BarcodeKind.CONSUMABLE:
        obj = (
            Consumable.objects.alive()
            .select_related("category", "location", "department")
            .filter(pk=registration.object_id)
            .first()
        )
    else:
        obj = Worker.objects.alive().select_related("department").filter(pk=registration.object_id).first()
    if obj is None:  # registered but in the trash
        raise ApplicationError(
            "UNKNOWN_BARCODE", _("Barcode %(barcode)s belongs to a deleted record.") % {"barcode": barcode},
            errors={"barcode": [_("deleted")]},
        )  # fmt: skip
    return registration.kind, obj


def worker_recent_issues(worker: Worker, *, limit: int = 20):
    return worker.stock_movements.select_related("consumable").order_by("-created_at")[:limit]
