"""Export and import pages of the tool and consumable lists (CSV or xlsx). Thin: the columns live in
inventory.sheets, the engine and the pages' flow in scandy_site.core.sheets / sheet_views."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.sheet_views import ImportPage, sheet_export, sheet_import_page

from . import selectors
from .filters import ConsumableFilter, ToolFilter


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _scope_label(scope) -> str:
    return "all" if scope.is_all else scope.department.code


def export_urls(name: str) -> dict:
    """format -> URL of a list's export (URL names `<name>-export` and `<name>-export-xlsx`)."""
    return {"csv": reverse(f"inventory:{name}-export"), "xlsx": reverse(f"inventory:{name}-export-xlsx")}


@require_GET
@capability_required("inventory.view")
def tools_export(request, fmt: str):
    """The tool list as CSV or xlsx, with the same filters as the list page."""
    scope = _scope(request)
    tools = ToolFilter(request.GET, queryset=selectors.tool_list(department=scope.department)).qs
    return sheet_export("tools", tools, basename=f"tools-{_scope_label(scope)}", fmt=fmt)


@require_GET
@capability_required("inventory.view")
def consumables_export(request, fmt: str):
    scope = _scope(request)
    consumables = ConsumableFilter(request.GET, queryset=selectors.consumable_list(department=scope.department)).qs
    return sheet_export("consumables", consumables, basename=f"consumables-{_scope_label(scope)}", fmt=fmt)


@require_http_methods(["GET", "POST"])
@capability_required("data.import")
def tools_import(request):
    page = ImportPage("tools", _("Import tools"), reverse("inventory:tools"), export_urls("tools"))
    return sheet_import_page(request, page)


@require_http_methods(["GET", "POST"])
@capability_required("data.import")
def consumables_import(request):
    page = ImportPage(
        "consumables", _("Import consumables"), reverse("inventory:consumables"), export_urls("consumables")
    )
    return sheet_import_page(request, page)
