"""CSV download and upload pages for tools and consumables. Thin: the rules live in csv_io."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.errors import ApplicationError

from . import csv_io, selectors
from .filters import ConsumableFilter, ToolFilter


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, separated by ; or , with a header row; at most 5 MB and 10 000 rows."),
    )
    create_missing = forms.BooleanField(
        label=_("Create categories and locations that do not exist yet"),
        required=False,
        help_text=_("Without this, an unknown category or location name is an error in that row."),
    )


def csv_download(lines, basename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"{basename}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _scope_label(scope) -> str:
    return "all" if scope.is_all else scope.department.code


@require_GET
@capability_required("inventory.view")
def tools_export(request):
    """The tool list as CSV, with the same filters as the list page."""
    scope = _scope(request)
    tools = ToolFilter(request.GET, queryset=selectors.tool_list(department=scope.department)).qs
    return csv_download(csv_io.tools_export_csv(tools), f"tools-{_scope_label(scope)}")


@require_GET
@capability_required("inventory.view")
def consumables_export(request):
    scope = _scope(request)
    consumables = ConsumableFilter(request.GET, queryset=selectors.consumable_list(department=scope.department)).qs
    return csv_download(csv_io.consumables_export_csv(consumables), f"consumables-{_scope_label(scope)}")


_IMPORTS = {
    "tools": {
        "title": _("Import tools"),
        "run": csv_io.tools_import_csv,
        "export": "inventory:tools-export",
    },
    "consumables": {
        "title": _("Import consumables"),
        "run": csv_io.consumables_import_csv,
        "export": "inventory:consumables-export",
    },
}


def _import_page(request, kind: str):
    scope = _scope(request)
    spec = _IMPORTS[kind]
    form = CsvImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        if scope.is_all:
            form.add_error(None, _("Choose one department in the header to import into."))
        else:
            try:
                result = spec["run"](
                    department=scope.department,
                    user=request.user,
                    file=form.cleaned_data["file"],
                    create_missing=form.cleaned_data["create_missing"],
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
    context = {
        "title": spec["title"],
        "kind": kind,
        "form": form,
        "result": result,
        "department": scope.department,
        "columns": csv_io.column_names(kind),
        "export_url": reverse(spec["export"]),
    }
    return render(request, "inventory/csv_import.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def tools_import(request):
    return _import_page(request, "tools")


@require_http_methods(["GET", "POST"])
@capability_required("inventory.edit")
def consumables_import(request):
    return _import_page(request, "consumables")
