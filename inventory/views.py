"""Tool and consumable pages. Thin: parse input, call a selector or service, render.

Domain errors from the services come back as form errors or messages; a missing record is a 404
(the ApplicationErrorMiddleware turns NOT_FOUND from a selector into one).
"""

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lending import selectors as lending_selectors
from scandy_site.accounts.permissions import capability_required
from scandy_site.core.errors import ApplicationError
from scandy_site.core.listing import list_page
from scandy_site.core.pages import choose_department_page
from scandy_site.core.sheet_views import export_urls

from . import selectors, services
from .filters import ConsumableFilter, ToolFilter
from .forms import (
    ConsumableForm,
    MaintenanceForm,
    StockAdjustForm,
    ToolForm,
    ToolStatusForm,
    filter_names,
)
from .models import Category, Location, Tool

# The full history is in the admin; a detail page shows the recent part.
HISTORY_LIMIT = 25
# The detail page lists the latest lendings of a tool; the lending history page has them all.
LENDING_LIMIT = 20

# ?ordering= value -> order_by fields; anything else falls back to the first entry.
TOOL_ORDERINGS = {
    "name": ("name", "barcode"),
    "barcode": ("barcode",),
    "status": ("status", "name"),
    "category": ("category__name", "name"),
    "location": ("location__name", "name"),
    "updated": ("updated_at", "id"),
}
CONSUMABLE_ORDERINGS = {
    "name": ("name", "barcode"),
    "barcode": ("barcode",),
    "stock": ("current_stock", "name"),
    "category": ("category__name", "name"),
    "location": ("location__name", "name"),
    "updated": ("updated_at", "id"),
}

# What each status button on the tool page says.
STATUS_ACTIONS = {
    Tool.Status.AVAILABLE: gettext_lazy("Mark available"),
    Tool.Status.DEFECTIVE: gettext_lazy("Mark defective"),
    Tool.Status.MAINTENANCE: gettext_lazy("Send to maintenance"),
}


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _scanned_match(request, filterset):
    """A full barcode typed or scanned into the search and sent with Enter opens that record directly."""
    query = request.GET.get("q", "").strip()
    if not query or getattr(request, "htmx", False):
        return None
    matches = list(filterset.qs.filter(barcode=query)[:2])
    return matches[0] if len(matches) == 1 else None


def _list_page(request, *, filterset, orderings, template: str, partial: str, context: dict):
    context["filters"] = filterset.form
    return list_page(
        request, items=filterset.qs, orderings=orderings, template=template, partial=partial, context=context
    )


# --- Tools -------------------------------------------------------------------------------------


@require_GET
@capability_required("inventory.view")
def tool_list(request):
    scope = _scope(request)
    # Each row shows who has a lent tool and whether it is overdue: one extra query per page, not per row.
    tools = lending_selectors.with_open_lending(selectors.tool_list(department=scope.department))
    filterset = ToolFilter(request.GET, queryset=tools)
    if tool := _scanned_match(request, filterset):
        return redirect("inventory:tool-detail", barcode=tool.barcode)
    context = {
        "scope": scope,
        "categories": filter_names(Category, scope.department),
        "locations": filter_names(Location, scope.department),
        "statuses": Tool.Status.choices,
        "selected_statuses": request.GET.getlist("status"),
        "export_urls": export_urls("inventory:tools"),
        "import_url": reverse("inventory:tools-import"),
    }
    return _list_page(
        request,
        filterset=filterset,
        orderings=TOOL_ORDERINGS,
        template="inventory/tool_list.html",
        partial="inventory/_tool_results.html",
        context=context,
    )


def _tool_detail_context(tool, *, maintenance_form=None) -> dict:
    # A lent tool changes status only by being taken back (lending_return), so it gets no buttons.
    lent = tool.status == Tool.Status.LENT
    return {
        "tool": tool,
        "open_lending": lending_selectors.open_lending_for(tool) if lent else None,
        "lendings": list(lending_selectors.tool_lendings(tool, limit=LENDING_LIMIT)),
        "lending_limit": LENDING_LIMIT,
        "today": timezone.localdate(),
        "maintenance_records": tool.maintenance_records.select_related("created_by"),
        "maintenance_form": maintenance_form or MaintenanceForm(),
        "history": list(selectors.history_for(tool, limit=HISTORY_LIMIT)),
        "status_actions": [] if lent else [(v, label) for v, label in STATUS_ACTIONS.items() if v != tool.status],
    }


@require_GET
@capability_required("inventory.view")
def tool_detail(request, barcode):
    tool = selectors.tool_get(department=_scope(request).department, barcode=barcode)
    return render(request, "inventory/tool_detail.html", _tool_detail_context(tool))


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def tool_create(request):
    scope = _scope(request)
    if scope.is_all:
        return choose_department_page(request, _("tool"))
    form = ToolForm(request.POST or None, department=scope.department)
    if request.method == "POST" and form.is_valid():
        try:
            tool = services.tool_create(department=scope.department, user=request.user, **form.service_fields())
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Tool “%(name)s” created.") % {"name": tool.name})
            return redirect("inventory:tool-detail", barcode=tool.barcode)
    return render(request, "inventory/tool_form.html", {"form": form, "scope": scope})


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def tool_edit(request, barcode):
    tool = selectors.tool_get(department=_scope(request).department, barcode=barcode)
    form = ToolForm(request.POST or None, department=tool.department, instance=tool)
    if request.method == "POST" and form.is_valid():
        try:
            tool = services.tool_update(tool=tool, user=request.user, **form.service_fields())
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("inventory:tool-detail", barcode=tool.barcode)
    return render(request, "inventory/tool_form.html", {"form": form, "tool": tool})


@capability_required("inventory.edit")
@require_POST
def tool_status(request, barcode):
    tool = selectors.tool_get(department=_scope(request).department, barcode=barcode)
    form = ToolStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This status cannot be set here."))
    else:
        try:
            services.tool_set_status(
                tool=tool, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            label = Tool.Status(form.cleaned_data["status"]).label
            messages.success(request, _("Status set to “%(status)s”.") % {"status": label})
    return redirect("inventory:tool-detail", barcode=tool.barcode)


@capability_required("inventory.edit")
@require_POST
def tool_maintenance(request, barcode):
    tool = selectors.tool_get(department=_scope(request).department, barcode=barcode)
    form = MaintenanceForm(request.POST)
    if form.is_valid():
        try:
            services.tool_add_maintenance(tool=tool, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Maintenance recorded."))
            return redirect("inventory:tool-detail", barcode=tool.barcode)
    context = _tool_detail_context(tool, maintenance_form=form)
    return render(request, "inventory/tool_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.delete")
def tool_delete(request, barcode):
    tool = selectors.tool_get(department=_scope(request).department, barcode=barcode)
    if request.method == "POST":
        try:
            services.tool_soft_delete(tool=tool, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("inventory:tool-detail", barcode=tool.barcode)
        messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": tool.name})
        return redirect("inventory:tools")
    return render(
        request,
        "inventory/confirm_delete.html",
        {"object": tool, "cancel_url": reverse("inventory:tool-detail", args=[tool.barcode])},
    )


# --- Consumables -------------------------------------------------------------------------------


@require_GET
@capability_required("inventory.view")
def consumable_list(request):
    scope = _scope(request)
    filterset = ConsumableFilter(request.GET, queryset=selectors.consumable_list(department=scope.department))
    if consumable := _scanned_match(request, filterset):
        return redirect("inventory:consumable-detail", barcode=consumable.barcode)
    context = {
        "scope": scope,
        "categories": filter_names(Category, scope.department),
        "locations": filter_names(Location, scope.department),
        "export_urls": export_urls("inventory:consumables"),
        "import_url": reverse("inventory:consumables-import"),
    }
    return _list_page(
        request,
        filterset=filterset,
        orderings=CONSUMABLE_ORDERINGS,
        template="inventory/consumable_list.html",
        partial="inventory/_consumable_results.html",
        context=context,
    )


def stock_gauge(consumable) -> dict:
    """Where the stock, the minimum and the maximum sit on a 0-100 % bar."""
    top = consumable.max_stock or max(consumable.min_stock * 2, consumable.current_stock, 1)
    top = max(top, consumable.current_stock, 1)

    def percent(value):
        return round(100 * min(value, top) / top, 1)

    if consumable.below_min:
        level = "low"
    elif consumable.max_stock is not None and consumable.current_stock > consumable.max_stock:
        level = "over"
    else:
        level = "ok"
    return {
        "fill": percent(consumable.current_stock),
        "min": percent(consumable.min_stock) if consumable.min_stock else None,
        "max": percent(consumable.max_stock) if consumable.max_stock is not None else None,
        "top": top,
        "level": level,
    }


@require_GET
@capability_required("inventory.view")
def consumable_detail(request, barcode):
    consumable = selectors.consumable_get(department=_scope(request).department, barcode=barcode)
    forecast = selectors.consumable_forecast(consumable=consumable)
    context = {
        "consumable": consumable,
        "gauge": stock_gauge(consumable),
        "forecast": forecast,
        # Whole days read better than 12.3; rounded down, the warning comes a little early rather than late.
        "days_until_min": None if forecast.days_until_min is None else math.floor(forecast.days_until_min),
        "days_until_empty": None if forecast.days_until_empty is None else math.floor(forecast.days_until_empty),
        "movements": selectors.stock_movements(consumable=consumable, limit=20),
        "history": list(selectors.history_for(consumable, limit=HISTORY_LIMIT)),
    }
    return render(request, "inventory/consumable_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def consumable_create(request):
    scope = _scope(request)
    if scope.is_all:
        return choose_department_page(request, _("consumable"))
    form = ConsumableForm(request.POST or None, department=scope.department)
    if request.method == "POST" and form.is_valid():
        try:
            consumable = services.consumable_create(
                department=scope.department, user=request.user, **form.create_kwargs()
            )
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Consumable “%(name)s” created.") % {"name": consumable.name})
            return redirect("inventory:consumable-detail", barcode=consumable.barcode)
    return render(request, "inventory/consumable_form.html", {"form": form, "scope": scope})


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def consumable_edit(request, barcode):
    consumable = selectors.consumable_get(department=_scope(request).department, barcode=barcode)
    form = ConsumableForm(request.POST or None, department=consumable.department, instance=consumable)
    if request.method == "POST" and form.is_valid():
        try:
            consumable = services.consumable_update(consumable=consumable, user=request.user, **form.service_fields())
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("inventory:consumable-detail", barcode=consumable.barcode)
    return render(request, "inventory/consumable_form.html", {"form": form, "consumable": consumable})


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def consumable_adjust(request, barcode):
    consumable = selectors.consumable_get(department=_scope(request).department, barcode=barcode)
    form = StockAdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.consumable_adjust_stock(consumable=consumable, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Stock changed by %(delta)+d to %(stock)s %(unit)s.")
                % {"delta": movement.delta, "stock": movement.stock_after, "unit": consumable.unit},
            )
            return redirect("inventory:consumable-detail", barcode=consumable.barcode)
    return render(
        request,
        "inventory/consumable_adjust.html",
        {"form": form, "consumable": consumable, "gauge": stock_gauge(consumable)},
    )


@require_http_methods(["GET", "POST"])
@capability_required("inventory.delete")
def consumable_delete(request, barcode):
    consumable = selectors.consumable_get(department=_scope(request).department, barcode=barcode)
    if request.method == "POST":
        try:
            services.consumable_soft_delete(consumable=consumable, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("inventory:consumable-detail", barcode=consumable.barcode)
        messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": consumable.name})
        return redirect("inventory:consumables")
    return render(
        request,
        "inventory/confirm_delete.html",
        {"object": consumable, "cancel_url": reverse("inventory:consumable-detail", args=[consumable.barcode])},
    )


def _add_errors(form, exc: ApplicationError) -> None:
    """The service's message on top of the form, and its field errors next to the fields the form has."""
    form.add_error(None, exc.message)
    for field, errors in exc.errors.items():
        if field in form.fields and field not in form.errors:
            for error in errors:
                form.add_error(field, str(error))
