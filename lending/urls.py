from django.urls import path

from . import views

app_name = "lending"
urlpatterns = [
    path("workers/", views.worker_list, name="workers"),
    # Before the detail, so that workers/new/ is not taken for a worker with the barcode "new".
    path("workers/new/", views.worker_create, name="worker-create"),
    path("workers/<str:barcode>/", views.worker_detail, name="worker-detail"),
    path("workers/<str:barcode>/edit/", views.worker_edit, name="worker-edit"),
    path("workers/<str:barcode>/delete/", views.worker_delete, name="worker-delete"),
    path("lendings/", views.lending_history, name="history"),
    path("lendings/export.csv", views.lending_history_export, name="history-export"),
    path("labels/", views.label_sheet, name="labels"),
]
