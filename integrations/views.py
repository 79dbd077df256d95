"""Pages of the local copies: devices and customers (ThingsBoard), shop orders and products, the
customer sync page of the back office. Thin: parse, call a selector or service, render. Nothing here
calls an outside system; a sync is only queued."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.admin_mixins import add_application_error
from scandy_site.core.errors import ApplicationError

from . import selectors, services
from .filters import DEVICE_STATES, CustomerFilter, DeviceFilter, OrderFilter, ProductFilter
from .forms import OrderForm, ProductForm, changed_values
from .models import Source, SyncRun
from .sources import NotConfiguredError, source_account

PAGE_SIZE = 50
RECENT_RUNS = 10

# ?ordering= value -> order_by fields; anything else falls back to the first entry.
DEVICE_ORDERINGS = {
    "name": ("name", "id"),
    "type": ("type", "name", "id"),
    "customer": ("customer__name", "name", "id"),
    "created": ("created_time", "id"),
}
CUSTOMER_ORDERINGS = {
    "name": ("name", "id"),
    "city": ("city", "name", "id"),
    "country": ("country", "name", "id"),
    "devices": ("device_count", "name", "id"),
}
ORDER_ORDERINGS = {
    "ordered": ("-ordered_at", "-id"),
    "status": ("status", "-ordered_at", "-id"),
    "total": ("total", "id"),
    "customer": ("customer_name", "id"),
}
PRODUCT_ORDERINGS = {
    "name": ("name", "id"),
    "stock": ("stock", "name", "id"),
    "price": ("price", "name", "id"),
    "category": ("category", "name", "id"),
}


def _ordered(queryset, requested: str, orderings: dict):
    key = (requested or "").lstrip("-")
    if key not in orderings:
        requested = key = next(iter(orderings))
    fields = orderings[key]
    if requested.startswith("-"):
        fields = tuple(field[1:] if field.startswith("-") else f"-{field}" for field in fields)
    return queryset.order_by(*fields), requested


def _search(queryset, request, *fields):
    query = request.GET.get("q", "").strip()
    if not query or "\x00" in query:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


def _list(request, queryset, orderings: dict, template: str, context: dict):
    """A paginated, ordered list; an htmx live-filter request gets only the results block
    (`integrations/_results_<name>.html` beside `integrations/<name>.html`)."""
    items, ordering = _ordered(queryset, request.GET.get("ordering", ""), orderings)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "ordering"))
    results_template = template.replace("/", "/_results_", 1)
    context.update({"page": page, "ordering": ordering, "filtered": filtered, "results_template": results_template})
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        template = results_template
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _sync_context(source: str) -> dict:
    """What the "last synced … / Sync now" line over a list needs."""
    return {"source": source, "last_success": selectors.last_success(source)}


def _source_status(code: str):
    return next(item for item in selectors.sync_status() if item.source == code)


# --- ThingsBoard ------------------------------------------------------------------------------------------


@require_GET
@capability_required("customers.view")
def device_list(request):
    filterset = DeviceFilter(request.GET, queryset=selectors.device_list())
    queryset = _search(filterset.qs, request, "name", "label", "type", "customer__name")
    customer_id = request.GET.get("customer", "").strip()[:36].replace("\x00", "")
    context = {
        "types": selectors.device_types(),
        "states": DEVICE_STATES,
        "customer": selectors.customer_list().filter(pk=customer_id).first() if customer_id else None,
        "customer_id": customer_id,
        **_sync_context(Source.THINGSBOARD),
    }
    return _list(request, queryset, DEVICE_ORDERINGS, "integrations/device_list.html", context)


@require_GET
@capability_required("customers.view")
def customer_list(request):
    filterset = CustomerFilter(request.GET, queryset=selectors.customer_list_with_device_counts())
    queryset = _search(filterset.qs, request, "name", "title", "email", "city", "phone")
    context = _sync_context(Source.THINGSBOARD)
    return _list(request, queryset, CUSTOMER_ORDERINGS, "integrations/customer_list.html", context)


# --- Shop ---------------------------------------------------------------------------------------------------


@require_GET
@capability_required("shop.view")
def order_list(request):
    filterset = OrderFilter(request.GET, queryset=selectors.order_list())
    queryset = _search(filterset.qs, request, "external_id", "customer_name", "customer_phone")
    context = {
        "filters": filterset.form,
        "statuses": selectors.order_statuses(),
        **_sync_context(Source.SHOP),
    }
    return _list(request, queryset, ORDER_ORDERINGS, "integrations/order_list.html", context)


def _detail_page(request, *, record, form_class, save, saved_message: str, template: str, context: dict):
    """A shop record with its edit form: a POST (shop.edit) saves the changed fields through the
    service and comes back; a refused change shows on the form (400)."""
    form = form_class(request.POST or None, instance=record)
    if request.method == "POST":
        if not request.user.can("shop.edit"):
            raise PermissionDenied
        if form.is_valid():
            try:
                save(record, changed_values(form))
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, saved_message)
                return redirect(request.path)
    context.update({"form": form, "record": record, "conflicts": selectors.conflicts_of(record)})
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@capability_required("shop.view")
def order_detail(request, pk):
    order = selectors.order_get(pk)
    return _detail_page(
        request,
        record=order,
        form_class=OrderForm,
        save=lambda record, fields: services.order_update(order=record, user=request.user, **fields),
        saved_message=_("Order saved. The change stays when the shop is synced again."),
        template="integrations/order_detail.html",
        context={
            # From the database, not the instance the form has already changed.
            "order": selectors.order_get(pk),
            "statuses": selectors.order_statuses(),
            "edited": selectors.locally_edited(order, ("status", "total", "customer_name", "customer_phone")),
        },
    )


@require_GET
@capability_required("shop.view")
def product_list(request):
    queryset = selectors.product_list()
    if request.GET.get("hidden") != "all":
        queryset = queryset.filter(hidden=request.GET.get("hidden") == "yes")
    filterset = ProductFilter({k: v for k, v in request.GET.items() if k != "hidden"}, queryset=queryset)
    queryset = _search(filterset.qs, request, "name", "category", "external_id")
    context = _sync_context(Source.SHOP)
    return _list(request, queryset, PRODUCT_ORDERINGS, "integrations/product_list.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("shop.view")
def product_detail(request, pk):
    product = selectors.product_get(pk)
    return _detail_page(
        request,
        record=product,
        form_class=ProductForm,
        save=lambda record, fields: services.product_update(product=record, user=request.user, **fields),
        saved_message=_("Product saved. The change stays when the shop is synced again."),
        template="integrations/product_detail.html",
        context={
            "product": selectors.product_get(pk),
            "trend": selectors.product_trend_chart(product, today=timezone.localdate()),
            "edited": selectors.locally_edited(product, ("name", "category", "price", "stock", "is_active")),
        },
    )


# --- Starting a sync from a page ------------------------------------------------------------------------------


@require_POST
@capability_required("integrations.sync")
def sync_start(request, source):
    """Queue a sync of one source and go back where the button was."""
    if source not in Source.values:
        raise PermissionDenied
    _queue(request, source=source, trigger=SyncRun.Trigger.API)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("dashboard")
    return redirect(target)


def _queue(request, *, source: str, trigger: str, dry_run: bool = False) -> SyncRun | None:
    try:
        run, created = services.sync_request(source=source, trigger=trigger, user=request.user, dry_run=dry_run)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    if created:
        messages.success(request, _("Sync queued (run #%(id)s); the worker runs it in a moment.") % {"id": run.pk})
    else:
        messages.info(request, _("A sync is already %(status)s (run #%(id)s).") % {
            "status": run.get_status_display(), "id": run.pk,
        })  # fmt: skip
    return run


# --- /admin/customer-sync/ ----------------------------------------------------------------------------------------


def _admin_only(view):
    """Inside the admin (its login and layout), for administrators only (`system.manage`)."""

    def wrapped(request, *args, **kwargs):
        if not request.user.can("system.manage"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return admin.site.admin_view(wrapped)


def _customer_sync_status_context() -> dict:
    status = _source_status(Source.THINGSBOARD)
    return {
        "status": status,
        "runs": list(selectors.sync_runs().filter(source=Source.THINGSBOARD)[:RECENT_RUNS]),
        "open_conflicts_url": reverse("admin:integrations_syncconflict_changelist") + "?source=thingsboard",
    }


@require_http_methods(["GET", "POST"])
def _customer_sync(request):
    """Start a ThingsBoard sync, follow it, and look through the local customers."""
    if request.method == "POST":
        _queue(request, source=Source.THINGSBOARD, trigger=SyncRun.Trigger.ADMIN, dry_run="dry_run" in request.POST)
        return redirect("admin-customer-sync")
    try:
        account, account_problem = source_account(Source.THINGSBOARD, user=request.user), ""
    except NotConfiguredError as exc:
        account, account_problem = "", str(exc)
    customers = _search(selectors.customer_list_with_device_counts(), request, "name", "title", "email", "city")
    page = Paginator(customers.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **admin.site.each_context(request),
        **_customer_sync_status_context(),
        "title": _("Customer sync (ThingsBoard)"),
        "account": account,
        "account_problem": account_problem,
        "page": page,
        "q": request.GET.get("q", ""),
    }
    return render(request, "admin/integrations/customer_sync.html", context)


@require_GET
def _customer_sync_status(request):
    """The status block alone, polled by the page while a run is queued or running."""
    return render(request, "admin/integrations/_customer_sync_status.html", _customer_sync_status_context())


customer_sync = _admin_only(_customer_sync)
customer_sync_status = _admin_only(_customer_sync_status)
