from django.urls import path

from . import sheet_views, views

app_name = "inventory"
urlpatterns = [
    # First, so that tools/import/ is not taken for a tool with the barcode "import".
    path("tools/export.csv", sheet_views.tools_export, {"fmt": "csv"}, name="tools-export"),
    path("tools/export.xlsx", sheet_views.tools_export, {"fmt": "xlsx"}, name="tools-export-xlsx"),
    path("tools/import/", sheet_views.tools_import, name="tools-import"),
    path("consumables/export.csv", sheet_views.consumables_export, {"fmt": "csv"}, name="consumables-export"),
    path("consumables/export.xlsx", sheet_views.consumables_export, {"fmt": "xlsx"}, name="consumables-export-xlsx"),
    path("consumables/import/", sheet_views.consumables_import, name="consumables-import"),
    path("tools/", views.tool_list, name="tools"),
    path("tools/new/", views.tool_create, name="tool-create"),
    path("tools/<str:barcode>/", views.tool_detail, name="tool-detail"),
    path("tools/<str:barcode>/edit/", views.tool_edit, name="tool-edit"),
    path("tools/<str:barcode>/status/", views.tool_status, name="tool-status"),
    path("tools/<str:barcode>/maintenance/", views.tool_maintenance, name="tool-maintenance"),
    path("tools/<str:barcode>/delete/", views.tool_delete, name="tool-delete"),
    path("consumables/", views.consumable_list, name="consumables"),
    path("consumables/new/", views.consumable_create, name="consumable-create"),
    path("consumables/<str:barcode>/", views.consumable_detail, name="consumable-detail"),
    path("consumables/<str:barcode>/edit/", views.consumable_edit, name="consumable-edit"),
    path("consumables/<str:barcode>/adjust/", views.consumable_adjust, name="consumable-adjust"),
    path("consumables/<str:barcode>/delete/", views.consumable_delete, name="consumable-delete"),
]
