from django.urls import path

from . import views

app_name = "lending"
urlpatterns = [
    path("workers/", views.worker_list, name="workers"),
    # Before the detail, so that workers/new/ and workers/import/ are not taken for a worker's barcode.
    path("workers/new/", views.worker_create, name="worker-create"),
    path("workers/import/", views.worker_import, name="workers-import"),
    path("workers/export.csv", views.worker_export, {"fmt": "csv"}, name="workers-export"),
    path("workers/export.xlsx", views.worker_export, {"fmt": "xlsx"}, name="workers-export-xlsx"),
    path("workers/<str:barcode>/", views.worker_detail, name="worker-detail"),
    path("workers/<str:barcode>/edit/", views.worker_edit, name="worker-edit"),
    path("workers/<str:barcode>/delete/", views.worker_delete, name="worker-delete"),
    path("lendings/", views.lending_history, name="history"),
    path("lendings/export.csv", views.lending_history_export, {"fmt": "csv"}, name="history-export"),
    path("lendings/export.xlsx", views.lending_history_export, {"fmt": "xlsx"}, name="history-export-xlsx"),
    path("labels/", views.label_sheet, name="labels"),
]
