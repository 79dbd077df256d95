from django.urls import path

from . import views
from .cetec import views as cetec_views

app_name = "integrations"
urlpatterns = [
    path("inventory/devices/", views.device_list, name="devices"),
    path("inventory/customers/", views.customer_list, name="customers"),
    path("shop/orders/", views.order_list, name="orders"),
    path("shop/orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("shop/products/", views.product_list, name="products"),
    path("shop/products/<int:pk>/", views.product_detail, name="product-detail"),
    path("integrations/sync/<slug:source>/", views.sync_start, name="sync-start"),
    path("integrations/cetec/", cetec_views.cetec_customers, name="cetec-customers"),
]
