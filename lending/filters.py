"""django-filter sets shared by the lending API and the lending history page (and its CSV export)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Lending, Worker


class WorkerFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))

    class Meta:
        model = Worker
        fields = ["active"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(barcode__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )  # fmt: skip


class LendingFilter(django_filters.FilterSet):
    """tool / worker: a barcode; since / until: the day it was lent; open: true or false;
    state: open, returned or overdue (an open lending past its due date); q: tool or worker name or barcode."""

    STATES = (("open", _("Open")), ("returned", _("Returned")), ("overdue", _("Overdue")))

    tool = django_filters.CharFilter(field_name="tool__barcode", label=_("Tool barcode"))
    worker = django_filters.CharFilter(field_name="worker__barcode", label=_("Worker card"))
    since = django_filters.DateFilter(field_name="lent_at", lookup_expr="date__gte", label=_("Lent from"))
    until = django_filters.DateFilter(field_name="lent_at", lookup_expr="date__lte", label=_("Lent until"))
    open = django_filters.BooleanFilter(field_name="returned_at", lookup_expr="isnull", label=_("Open"))
    state = django_filters.ChoiceFilter(choices=STATES, method="filter_state", label=_("State"))
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))

    class Meta:
        model = Lending
        fields = ["tool", "worker", "since", "until", "open", "state"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(returned_at__isnull=True)
        if value == "returned":
            return queryset.filter(returned_at__isnull=False)
        return queryset.filter(returned_at__isnull=True, due_date__lt=timezone.localdate())

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(tool__barcode__icontains=value) | Q(tool__name__icontains=value) | Q(worker__barcode__icontains=value)
            | Q(worker__first_name__icontains=value) | Q(worker__last_name__icontains=value)
        )  # fmt: skip
