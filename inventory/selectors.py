"""Reads of tools and consumables, always scoped to a department (None = all departments)."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent

from .models import Consumable, StockMovement, Tool

FORECAST_DAYS = 90


def _scoped(queryset, department):
    return queryset if department is None else queryset.filter(department=department)


def tool_list(*, department, include_deleted: bool = False):
    qs = Tool.objects.all() if include_deleted else Tool.objects.alive()
    return _scoped(qs, department).select_related("category", "location", "department")


def consumable_list(*, department, include_deleted: bool = False):
    qs = Consumable.objects.all() if include_deleted else Consumable.objects.alive()
    return _scoped(qs, department).select_related("category", "location", "department")


def get_by_barcode(queryset, barcode: str, label: str, *, missing: str = "NOT_FOUND", field: str | None = None):
    """The one record of `queryset` with this barcode. Shared by tools, consumables and workers.

    Unknown: `missing` (NOT_FOUND, or UNKNOWN_BARCODE at the scan station), naming `field` when given. Across
    all departments a barcode may exist more than once: that is a VALIDATION_ERROR, never a silent pick."""
    # No stored barcode holds a NUL character, and PostgreSQL refuses one as a query parameter.
    matches = [] if "\x00" in barcode else list(queryset.filter(barcode=barcode)[:2])
    if not matches:
        raise ApplicationError(
            missing,
            _("No %(kind)s with barcode %(barcode)s.") % {"kind": label, "barcode": barcode},
            errors={field: [_("unknown")]} if field else None,
        )
    if len(matches) > 1:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("Barcode %(barcode)s exists in several departments; choose one.") % {"barcode": barcode},
            errors={field: [_("ambiguous")]} if field else None,
        )
    return matches[0]


def tool_get(*, department, barcode: str, include_deleted: bool = False, related: bool = True) -> Tool:
    """`related=False` skips loading category, location and department (the scan station's hot path)."""
    tools = tool_list(department=department, include_deleted=include_deleted)
    if not related:
        tools = tools.select_related(None)
    return get_by_barcode(tools, barcode, _("tool"))


def tool_get_for_update(*, department, barcode: str, field: str) -> Tool:
    """The tool with this barcode, its row locked until the current transaction ends (so call inside one).

    For the scan station: one query finds and locks it, and an unknown barcode is UNKNOWN_BARCODE."""
    tools = tool_list(department=department).select_related(None).select_for_update()
    return get_by_barcode(tools, barcode, _("tool"), missing="UNKNOWN_BARCODE", field=field)


def consumable_get(*, department, barcode: str, include_deleted: bool = False) -> Consumable:
    return get_by_barcode(
        consumable_list(department=department, include_deleted=include_deleted), barcode, _("consumable")
    )


def consumables_below_min(*, department):
    return consumable_list(department=department).filter(current_stock__lt=F("min_stock")).order_by("name")


def history_for(obj, *, limit: int = 50):
    return (
        ChangeEvent.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("user")
        .order_by("-id")[:limit]
    )


def stock_movements(*, consumable, limit: int = 50):
    return consumable.movements.select_related("user", "worker").order_by("-created_at", "-id")[:limit]


@dataclass(frozen=True)
class Forecast:
    average_daily_use: float
    days_until_min: float | None
    days_until_empty: float | None
    suggested_order_quantity: int
    period_days: int = FORECAST_DAYS

    def as_dict(self) -> dict:
        return {
            "period_days": self.period_days,
            "average_daily_use": round(self.average_daily_use, 3),
            "days_until_min": None if self.days_until_min is None else round(self.days_until_min, 1),
            "days_until_empty": None if self.days_until_empty is None else round(self.days_until_empty, 1),
            "suggested_order_quantity": self.suggested_order_quantity,
        }


def consumable_forecast(*, consumable: Consumable, now=None) -> Forecast:
    """Average daily use = everything that left the stock in the last 90 days / 90.

    The order suggestion fills up to max stock; without a max it covers the minimum plus 30 days of use.
    """
    now = now or timezone.now()
    used = (
        StockMovement.objects.filter(
            consumable=consumable, delta__lt=0, created_at__gte=now - timedelta(days=FORECAST_DAYS)
        ).aggregate(total=Sum("delta"))["total"]
        or 0
    )
    daily = -used / FORECAST_DAYS
    stock = consumable.current_stock
    if daily > 0:
        until_min = max(0.0, (stock - consumable.min_stock) / daily)
        until_empty = stock / daily
    else:
        until_min = until_empty = None
    if consumable.max_stock is not None:
        suggested = max(0, consumable.max_stock - stock)
    else:
        suggested = max(0, consumable.min_stock + math.ceil(daily * 30) - stock)
    return Forecast(daily, until_min, until_empty, suggested)


def dashboard_stats(*, department) -> dict:
    tools = _scoped(Tool.objects.alive(), department).aggregate(
        total=Count("id"),
        available=Count("id", filter=Q(status=Tool.Status.AVAILABLE)),
        lent=Count("id", filter=Q(status=Tool.Status.LENT)),
        defective=Count("id", filter=Q(status=Tool.Status.DEFECTIVE)),
        maintenance=Count("id", filter=Q(status=Tool.Status.MAINTENANCE)),
        maintenance_due=Count("id", filter=Q(maintenance_due__lte=timezone.localdate())),
    )
    consumables = _scoped(Consumable.objects.alive(), department).aggregate(
        total=Count("id"), below_min=Count("id", filter=Q(current_stock__lt=F("min_stock")))
    )
    return {"tools": tools, "consumables": consumables}


def stock_use_by_day(*, department, days: int = 14) -> list[tuple]:
    """Units issued per day over the last `days` days, for the dashboard chart (oldest first)."""
    since = timezone.localdate() - timedelta(days=days - 1)
    movements = StockMovement.objects.filter(delta__lt=0, created_at__date__gte=since)
    if department is not None:
        movements = movements.filter(consumable__department=department)
    rows = dict(
        movements.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(used=Sum("delta"))
        .values_list("day", "used")
    )
    return [(since + timedelta(days=i), -(rows.get(since + timedelta(days=i)) or 0)) for i in range(days)]
