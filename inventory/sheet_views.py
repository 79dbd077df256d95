"""Export and import pages of the tool and consumable lists (CSV or xlsx). Thin: the columns live in
inventory.sheets, the engine and the pages' flow in scandy_site.core.sheets / sheet_views."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.sheet_views import ImportPage, export_urls, list_export, sheet_import_page

from . import selectors
from .filters import ConsumableFilter, ToolFilter


@require_GET
@capability_required("inventory.view")
def tools_export(request, fmt: str):
    """The tool list as CSV or xlsx, with the same filters as the list page."""
    return list_export(request, kind="tools", filterset=ToolFilter, rows=selectors.tool_list, fmt=fmt)


@require_GET
@capability_required("inventory.view")
def consumables_export(request, fmt: str):
    return list_export(request, kind="consumables", filterset=ConsumableFilter, rows=selectors.consumable_list, fmt=fmt)


@require_http_methods(["GET", "POST"])
@capability_required("data.import")
def tools_import(request):
    page = ImportPage("tools", _("Import tools"), reverse("inventory:tools"), export_urls("inventory:tools"))
    return sheet_import_page(request, page)


@require_http_methods(["GET", "POST"])
@capability_required("data.import")
def consumables_import(request):
    page = ImportPage(
        "consumables", _("Import consumables"), reverse("inventory:consumables"), export_urls("inventory:consumables")
    )
    return sheet_import_page(request, page)
