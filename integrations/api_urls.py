from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .cetec import api as cetec_api

router = SimpleRouter(trailing_slash=False)
router.register("customers", api.CustomerViewSet, basename="customer")
router.register("devices", api.DeviceViewSet, basename="device")
router.register("shop/orders", api.OrderViewSet, basename="shop-order")
router.register("shop/products", api.ProductViewSet, basename="shop-product")
router.register("sync/runs", api.SyncRunViewSet, basename="sync-run")

urlpatterns = [
    path("shop/sync-orders", api.ShopSyncView.as_view(entity="orders"), name="api-shop-sync-orders"),
    path("shop/sync-products", api.ShopSyncView.as_view(entity="products"), name="api-shop-sync-products"),
    path("sync/status", api.SyncStatusView.as_view(), name="api-sync-status"),
    path("cetec/customer", cetec_api.CetecCustomerView.as_view(), name="api-cetec-customer"),
    path("cetec/mysql-status", cetec_api.CetecMySQLStatusView.as_view(), name="api-cetec-mysql-status"),
    *router.urls,
]
