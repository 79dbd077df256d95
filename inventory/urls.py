from django.urls import include, path

from . import views

app_name = "inventory"
urlpatterns = [
    # First, so that tools/import/ is not taken for a tool with the barcode "import".
    path("", include("inventory.csv_urls")),
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
