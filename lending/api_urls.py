from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(trailing_slash=False)
router.register("workers", api.WorkerViewSet, basename="worker")

urlpatterns = [
    path("scan", api.ScanView.as_view(), name="api-scan"),
    path("lending/process", api.LendingProcessView.as_view(), name="api-lending-process"),
    path("lending/return", api.LendingReturnView.as_view(), name="api-lending-return"),
    path("lending/history", api.LendingHistoryView.as_view(), name="api-lending-history"),
    path("lending/overdue", api.LendingOverdueView.as_view(), name="api-lending-overdue"),
    *router.urls,
]
