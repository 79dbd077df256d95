"""CSV export and import pages; included from inventory/urls.py inside the `inventory` namespace."""

from django.urls import path

from . import csv_views

urlpatterns = [
    path("tools/export.csv", csv_views.tools_export, name="tools-export"),
    path("tools/import/", csv_views.tools_import, name="tools-import"),
    path("consumables/export.csv", csv_views.consumables_export, name="consumables-export"),
    path("consumables/import/", csv_views.consumables_import, name="consumables-import"),
]
