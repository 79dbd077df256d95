"""django-filter sets shared by the API lists and the list pages."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .models import Consumable, Tool


class ToolFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__name", lookup_expr="iexact")
    location = django_filters.CharFilter(field_name="location__name", lookup_expr="iexact")
    status = django_filters.MultipleChoiceFilter(choices=Tool.Status.choices)
    condition = django_filters.ChoiceFilter(choices=Tool.Condition.choices)
    maintenance_due_before = django_filters.DateFilter(field_name="maintenance_due", lookup_expr="lte")
    purchase_date_after = django_filters.DateFilter(field_name="purchase_date", lookup_expr="gte")
    purchase_date_before = django_filters.DateFilter(field_name="purchase_date", lookup_expr="lte")
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))

    class Meta:
        model = Tool
        fields = ["category", "location", "status", "condition"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(barcode__icontains=value) | Q(serial_number__icontains=value)
            | Q(description__icontains=value)
        )  # fmt: skip


class ConsumableFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__name", lookup_expr="iexact")
    location = django_filters.CharFilter(field_name="location__name", lookup_expr="iexact")
    supplier = django_filters.CharFilter(lookup_expr="icontains")
    below_min = django_filters.BooleanFilter(method="filter_below_min", label=_("Below minimum stock"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))

    class Meta:
        model = Consumable
        fields = ["category", "location", "supplier"]

    def filter_below_min(self, queryset, name, value):
        below = Q(current_stock__lt=F("min_stock"))
        return queryset.filter(below) if value else queryset.exclude(below)

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(barcode__icontains=value) | Q(supplier__icontains=value)
            | Q(description__icontains=value)
        )  # fmt: skip
