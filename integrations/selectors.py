"""Reads of the local copies. Pages and API use the same functions, so both show the same rows with
the same number of queries; nothing here ever calls an outside system."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Lower, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from scandy_site.core.errors import ApplicationError

from .engine import normaliser
from .models import Customer, Device, Order, Product, Source, SyncConflict, SyncRun, SyncSource
from .shop import NOT_SOLD
from .sources import source_configured


def _get(queryset, pk, label: str):
    obj = None if "\x00" in str(pk) else queryset.filter(pk=pk).first()
    if obj is None:
        raise ApplicationError("NOT_FOUND", _("No %(kind)s with ID %(id)s.") % {"kind": label, "id": pk})
    return obj


# --- ThingsBoard ------------------------------------------------------------------------------------------


def customer_list():
    return Customer.objects.all()


def customer_list_with_device_counts():
    devices = Device.objects.filter(customer_id=OuterRef("pk")).order_by().values("customer_id")
    count = Subquery(devices.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())
    return Customer.objects.annotate(device_count=Coalesce(count, 0))


def customer_get(pk: str) -> Customer:
    return _get(Customer.objects.all(), pk, _("customer"))


def device_list():
    # One query for a page: the customer comes along by a LEFT JOIN (an unknown customer gives None).
    return Device.objects.select_related("customer")


def device_get(pk: str) -> Device:
    return _get(device_list(), pk, _("device"))


def device_types() -> list[str]:
    return list(Device.objects.exclude(type="").order_by("type").values_list("type", flat=True).distinct())


def devices_in_state(queryset, state: str):
    """assigned / unassigned / unknown (the customer is not in the local table) / deleted (remotely)."""
    known = Exists(Customer.objects.filter(pk=OuterRef("customer_id")))
    # Through an alias of the column: a condition on the relation itself would turn the LEFT JOIN of
    # select_related into an INNER JOIN and drop the devices whose customer is unknown here.
    queryset = queryset.alias(customer_ref=F("customer_id"))
    if state == "assigned":
        return queryset.filter(known)
    if state == "unassigned":
        return queryset.filter(customer_ref__isnull=True)
    if state == "unknown":
        return queryset.filter(customer_ref__isnull=False).exclude(known)
    if state == "deleted":
        return queryset.exclude(remote_deleted_at=None)
    return queryset


# --- Shop -------------------------------------------------------------------------------------------------


def product_list():
    return Product.objects.all()


def product_get(pk) -> Product:
    return _get(Product.objects.all(), pk, _("product"))


def product_trend_chart(product: Product, *, today: datetime.date, days: int = 30) -> dict:
    """The last `days` days of sales, oldest first (days without sales included), with each day's
    share of the best day for the bar widths, and totals."""
    since = today - datetime.timedelta(days=days - 1)
    rows = {row.day: row for row in product.trends.filter(day__gte=since, day__lte=today)}
    best = max((row.quantity for row in rows.values()), default=0)
    series = []
    for offset in range(days):
        day = since + datetime.timedelta(days=offset)
        row = rows.get(day)
        quantity = row.quantity if row else 0
        series.append({"day": day, "quantity": quantity, "revenue": row.revenue if row else 0,
                       "percent": round(100 * quantity / best) if best else 0})  # fmt: skip
    return {
        "days": series,
        "quantity": sum(item["quantity"] for item in series),
        "revenue": sum(row.revenue for row in rows.values()),
        "all_time": product.trends.aggregate(quantity=Sum("quantity"), revenue=Sum("revenue")),
    }


def order_list():
    return Order.objects.annotate(item_count=Count("items"))


def order_get(pk) -> Order:
    return _get(Order.objects.prefetch_related("items"), pk, pgettext("shop", "order"))


def order_statuses() -> list[str]:
    return list(Order.objects.order_by("status").values_list("status", flat=True).distinct())


def order_stats(*, since: datetime.date | None = None, until: datetime.date | None = None) -> dict:
    """Counts and revenue by status and by (local) day. Revenue leaves out cancelled, refunded and
    failed orders; orders deleted in the shop are left out entirely."""
    orders = Order.objects.filter(remote_deleted_at=None)
    if since:
        orders = orders.filter(ordered_at__date__gte=since)
    if until:
        orders = orders.filter(ordered_at__date__lte=until)
    sold = ~Q(status_lower__in=NOT_SOLD)
    orders = orders.annotate(status_lower=Lower("status"))
    totals = orders.aggregate(count=Count("pk"), revenue=Sum("total", filter=sold))
    by_status = orders.values("status").annotate(count=Count("pk"), revenue=Sum("total")).order_by("status")
    by_day = (
        orders.exclude(ordered_at=None)
        .annotate(day=TruncDate("ordered_at"))
        .values("day")
        .annotate(count=Count("pk"), revenue=Sum("total", filter=sold))
        .order_by("day")
    )
    return {
        "since": since,
        "until": until,
        "total_orders": totals["count"],
        "total_revenue": totals["revenue"] or 0,
        "by_status": [{"status": r["status"], "count": r["count"], "revenue": r["revenue"] or 0} for r in by_status],
        "by_day": [{"day": r["day"], "count": r["count"], "revenue": r["revenue"] or 0} for r in by_day],
    }


# --- What was edited here, what conflicts -------------------------------------------------------------------


def locally_edited(record, fields) -> set[str]:
    """The fields whose local value differs from the last remote value (edited here)."""
    base = record.remote_base if isinstance(record.remote_base, dict) else None
    if base is None:
        return set()
    edited = set()
    for name in fields:
        model_field = record._meta.get_field(name)
        if name in base and normaliser(model_field)(getattr(record, model_field.attname)) != base[name]:
            edited.add(name)
    return edited


def conflicts_of(record) -> list[SyncConflict]:
    return list(
        SyncConflict.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk), resolved_at=None
        )
    )


def last_success(source: str) -> SyncSource | None:
    """The source row with its last run, for "last synced …" lines on pages."""
    return SyncSource.objects.select_related("last_run").filter(code=source).first()


# --- Sync runs ------------------------------------------------------------------------------------------------


def sync_runs():
    return SyncRun.objects.select_related("started_by")


def sync_run_get(pk) -> SyncRun:
    return _get(sync_runs(), pk, _("sync run"))


@dataclass(frozen=True)
class SourceStatus:
    source: str
    label: str
    configured: bool
    active_run: SyncRun | None
    last_run: SyncRun | None
    last_success_at: datetime.datetime | None
    open_conflicts: int


def sync_status() -> list[SourceStatus]:
    """Per source: configured, the run in progress, the last run, the last success, open conflicts."""
    rows = {row.code: row for row in SyncSource.objects.select_related("last_run", "last_run__started_by")}
    active = {run.source: run for run in sync_runs().filter(status__in=SyncRun.ACTIVE)}
    open_conflicts = SyncConflict.objects.filter(resolved_at=None).values("source").annotate(n=Count("pk"))
    conflicts = dict(open_conflicts.values_list("source", "n"))
    statuses = []
    for code, label in Source.choices:
        row = rows.get(code)
        statuses.append(
            SourceStatus(
                source=code,
                label=str(label),
                configured=source_configured(code),
                active_run=active.get(code),
                last_run=row.last_run if row else None,
                last_success_at=row.last_success_at if row else None,
                open_conflicts=conflicts.get(code, 0),
            )
        )
    return statuses


def conflict_list(*, open_only: bool = True):
    conflicts = SyncConflict.objects.select_related("content_type", "run", "resolved_by")
    return conflicts.filter(resolved_at=None) if open_only else conflicts
