"""django-filter sets shared by the API lists and the pages."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import Customer, Device, Order, Product, SyncRun
from .selectors import devices_in_state

DEVICE_STATES = (
    ("assigned", _("with a known customer")),
    ("unassigned", _("without customer")),
    ("unknown", _("customer unknown here")),
    ("deleted", _("deleted in ThingsBoard")),
)


class _RemoteDeletedFilter(django_filters.FilterSet):
    deleted = django_filters.BooleanFilter(field_name="remote_deleted_at", lookup_expr="isnull", exclude=True,
                                           label=_("deleted remotely"))  # fmt: skip


class CustomerFilter(_RemoteDeletedFilter):
    country = django_filters.CharFilter(lookup_expr="iexact")
    city = django_filters.CharFilter(lookup_expr="iexact")
    origin = django_filters.ChoiceFilter(
        choices=(("thingsboard", "ThingsBoard"), ("local", _("made here"))), method="filter_origin"
    )

    class Meta:
        model = Customer
        fields = ["country", "city"]

    def filter_origin(self, queryset, name, value):
        return queryset.exclude(remote_hash="") if value == "thingsboard" else queryset.filter(remote_hash="")


class DeviceFilter(_RemoteDeletedFilter):
    customer = django_filters.CharFilter(method="filter_customer", label=_("customer ID"))
    type = django_filters.CharFilter()
    state = django_filters.ChoiceFilter(choices=DEVICE_STATES, method="filter_state")

    class Meta:
        model = Device
        fields = ["type"]

    def filter_customer(self, queryset, name, value):
        # By the column, so that a customer unknown here still finds its devices (see devices_in_state).
        return queryset.alias(customer_ref=F("customer_id")).filter(customer_ref=value)

    def filter_state(self, queryset, name, value):
        return devices_in_state(queryset, value)


class ProductFilter(_RemoteDeletedFilter):
    category = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Product
        fields = ["category", "hidden", "is_active"]


class OrderFilter(_RemoteDeletedFilter):
    status = django_filters.CharFilter(lookup_expr="iexact")
    since = django_filters.DateFilter(field_name="ordered_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="ordered_at", lookup_expr="date__lte")

    class Meta:
        model = Order
        fields = ["status"]


class SyncRunFilter(django_filters.FilterSet):
    class Meta:
        model = SyncRun
        fields = ["source", "status", "trigger", "dry_run"]
