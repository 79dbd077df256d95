"""Pages: QuickScan, workers (with their import and export), lending history (with its export) and label
sheets. Thin: parse input, call a selector or service, render. A missing record is a 404
(ApplicationErrorMiddleware)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from inventory import selectors as inventory_selectors
from inventory.labels import LabelLayout, label_sheet_response
from inventory.models import Tool
from scandy_site.accounts.permissions import capability_required
from scandy_site.core.admin_mixins import add_application_error
from scandy_site.core.errors import ApplicationError
from scandy_site.core.listing import list_page
from scandy_site.core.pages import choose_department_page
from scandy_site.core.sheet_views import ImportPage, export_urls, list_export, sheet_import_page
from scandy_site.core.tabular import download

from . import selectors, services
from .exports import COLUMNS as LENDING_COLUMNS
from .exports import lending_rows
from .filters import LendingFilter, WorkerFilter
from .forms import WorkerForm

# ?ordering= value -> order_by fields; anything else falls back to the default.
WORKER_ORDERINGS = {
    "name": ("last_name", "first_name", "barcode"),
    "barcode": ("barcode",),
    "open": ("open_lendings", "last_name", "first_name"),
    "overdue": ("overdue_lendings", "last_name", "first_name"),
}
# The worker page shows the recent part; the lending history page has everything.
PAST_LIMIT = 25
ISSUED_LIMIT = 20
LENDING_ORDERINGS = {
    "lent": ("lent_at", "id"),
    "due": ("due_date", "id"),
    "returned": ("returned_at", "id"),
}


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _scope_label(scope) -> str:
    return "all" if scope.is_all else scope.department.code


# --- QuickScan ---------------------------------------------------------------------------------


def _quickscan_text() -> dict:
    """Every sentence the QuickScan script shows, translated on the server. `%(name)s` placeholders are
    filled in by the script, so one msgid serves the page and the API alike."""
    return {
        "ready": _("Ready: scan a tool, consumable or worker card."),
        "ask_worker": _("Now scan the worker card."),
        "ask_item": _("Now scan a tool or consumable."),
        "ask_quantity": _("How many? Enter the quantity and press Enter."),
        "quantity_invalid": _("The quantity must be a whole number of at least 1."),
        "not_lent_continuous": _("This tool is not lent out; nothing to return."),
        "continuous_on": _("Continuous return: every tool scanned now is taken back."),
        "scan_item": _("Scan a tool or consumable"),
        "scan_worker": _("Scan a worker card"),
        "labelled": _("%(name)s (%(barcode)s)"),
        "worker_name": _("%(first_name)s %(last_name)s"),
        "lent_to": _("Lent to %(worker)s, due %(due)s"),
        "in_stock": _("In stock: %(stock)s %(unit)s"),
        "returned_count": _("Returned so far: %(count)s"),
        "returned_line": _("%(tool)s, from %(worker)s"),
        "network_error": _("No answer from the server. Check the connection and scan again."),
        "camera_error": _("The camera could not be started."),
        # Live updates: what was scanned here was changed at another station (or in the admin) meanwhile.
        "changed_elsewhere": _("%(name)s was just changed elsewhere; scan it again."),
        "status": {value: str(label) for value, label in Tool.Status.choices},
        # A defective or maintenance tool is refused as soon as it is scanned, in the service's own words.
        "not_lendable": {status: str(message) for status, message in services.NOT_LENDABLE.items()},
    }


@capability_required("lending.use")
def quickscan(request):
    context = {"default_due_date": services.default_due_date(), "quickscan_text": _quickscan_text()}
    return render(request, "lending/quickscan.html", context)


# --- Workers -----------------------------------------------------------------------------------


@require_GET
@capability_required("lending.use")
def worker_list(request):
    scope = _scope(request)
    filterset = WorkerFilter(request.GET, queryset=selectors.worker_list_with_counts(department=scope.department))
    query = request.GET.get("q", "").strip()
    if query and not getattr(request, "htmx", False):
        # A worker card scanned into the search and sent with Enter opens that worker.
        matches = list(filterset.qs.filter(barcode=query)[:2])
        if len(matches) == 1:
            return redirect("lending:worker-detail", barcode=matches[0].barcode)
    context = {"scope": scope, "filters": filterset.form, "export_urls": export_urls("lending:workers")}
    return list_page(
        request, items=filterset.qs, orderings=WORKER_ORDERINGS, template="lending/worker_list.html",
        partial="lending/_worker_results.html", context=context,
    )  # fmt: skip


@require_GET
@capability_required("lending.use")
def worker_export(request, fmt: str):
    """The worker list as CSV or xlsx, with the same filters as the list page; the columns its import takes."""
    return list_export(request, kind="workers", filterset=WorkerFilter, rows=selectors.worker_list, fmt=fmt)


@require_http_methods(["GET", "POST"])
@capability_required("data.import")
def worker_import(request):
    """Workers from a spreadsheet (a class list): upload, preview, confirm."""
    page = ImportPage("workers", _("Import workers"), reverse("lending:workers"), export_urls("lending:workers"))
    return sheet_import_page(request, page)


@require_GET
@capability_required("lending.use")
def worker_detail(request, barcode):
    worker = selectors.worker_get(department=_scope(request).department, barcode=barcode)
    context = {
        "worker": worker,
        "open_lendings": list(selectors.worker_open_lendings(worker)),
        "past_lendings": list(selectors.worker_past_lendings(worker, limit=PAST_LIMIT)),
        "past_limit": PAST_LIMIT,
        "issued": list(selectors.worker_recent_issues(worker, limit=ISSUED_LIMIT)),
        "today": timezone.localdate(),
    }
    return render(request, "lending/worker_detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("workers.manage")
def worker_create(request):
    scope = _scope(request)
    if scope.is_all:
        return choose_department_page(request, _("worker"))
    form = WorkerForm(request.POST or None)

    def create(fields):
        worker = services.worker_create(department=scope.department, user=request.user, **fields)
        return worker, _("Worker “%(name)s” created.") % {"name": worker.full_name}

    return _worker_form(request, form, create, {"scope": scope})


@require_http_methods(["GET", "POST"])
@capability_required("workers.manage")
def worker_edit(request, barcode):
    worker = selectors.worker_get(department=_scope(request).department, barcode=barcode)
    form = WorkerForm(request.POST or None, instance=worker)

    def update(fields):
        return services.worker_update(worker=worker, user=request.user, **fields), _("Changes saved.")

    return _worker_form(request, form, update, {"worker": worker})


def _worker_form(request, form, save, context: dict):
    """The worker form page: on a valid POST `save(fields)` calls the service and gives (worker, message);
    a refusal shows on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            worker, message = save(form.service_fields())
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("lending:worker-detail", barcode=worker.barcode)
    return render(request, "lending/worker_form.html", {"form": form, **context})


@require_http_methods(["GET", "POST"])
@capability_required("workers.manage")
def worker_delete(request, barcode):
    worker = selectors.worker_get(department=_scope(request).department, barcode=barcode)
    if request.method == "POST":
        try:
            services.worker_soft_delete(worker=worker, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("lending:worker-detail", barcode=worker.barcode)
        messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": worker.full_name})
        return redirect("lending:workers")
    return render(
        request,
        "inventory/confirm_delete.html",
        {"object": worker, "name": worker.full_name,
         "cancel_url": reverse("lending:worker-detail", args=[worker.barcode])},
    )  # fmt: skip


# --- Lending history ---------------------------------------------------------------------------


def _lendings(request, scope):
    return LendingFilter(request.GET, queryset=selectors.lending_list(department=scope.department))


@require_GET
@capability_required("lending.use")
def lending_history(request):
    scope = _scope(request)
    filterset = _lendings(request, scope)
    export_query = request.GET.copy()
    for key in ("page", "ordering"):
        export_query.pop(key, None)
    context = {
        "scope": scope,
        "filters": filterset.form,
        "states": LendingFilter.STATES,
        # A filter that cannot be read (a date like 2024-13-45) is left out; the page says so.
        "filter_errors": [
            f"{filterset.form[name].label}: {error}" for name, errors in filterset.errors.items() for error in errors
        ],
        "export_urls": export_urls("lending:history"),
        "export_query": export_query.urlencode(),
    }
    return list_page(
        request, items=filterset.qs, orderings=LENDING_ORDERINGS, default="-lent",
        template="lending/history.html", partial="lending/_history_results.html", context=context,
    )  # fmt: skip


@require_GET
@capability_required("lending.use")
def lending_history_export(request, fmt: str):
    """The lending history as CSV or xlsx, with the same filters as the page (newest first)."""
    scope = _scope(request)
    lendings = _lendings(request, scope).qs.order_by("-lent_at", "-id")
    return download(LENDING_COLUMNS, lending_rows(lendings), basename=f"lendings-{_scope_label(scope)}", fmt=fmt)


# --- Labels ------------------------------------------------------------------------------------


LABEL_SOURCES = {
    "tool": inventory_selectors.tool_list,
    "consumable": inventory_selectors.consumable_list,
    "worker": selectors.worker_list,
}


@require_GET
@capability_required("inventory.view")
def label_sheet(request):
    """`/labels/?kind=tool&barcode=A&barcode=B&width_mm=70&height_mm=37` → PDF (A4 sheet). Without a size,
    the default size of the site configuration."""
    kind = request.GET.get("kind", "tool")
    if kind not in LABEL_SOURCES:
        return _plain(_("Unknown label kind."), 400)
    codes = request.GET.getlist("barcode")
    try:
        layout = LabelLayout.from_values(request.GET)
        objects = LABEL_SOURCES[kind](department=_scope(request).department).filter(barcode__in=codes)
        # In the order they were selected.
        return label_sheet_response(sorted(objects, key=lambda o: codes.index(o.barcode)), kind=kind, layout=layout)
    except ApplicationError as exc:
        return _plain(exc.message, exc.status)


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
