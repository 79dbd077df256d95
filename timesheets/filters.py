"""One filter set for `GET /api/timesheets` and the approver pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Timesheet


class TimesheetFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", min_value=0, max_value=9999, decimal_places=0)
    week = django_filters.NumberFilter(field_name="week", min_value=0, max_value=99, decimal_places=0)
    status = django_filters.MultipleChoiceFilter(choices=Timesheet.Status.choices)
    user = django_filters.CharFilter(method="filter_user", label=_("User name (“me” for your own)"))
    department_code = django_filters.CharFilter(field_name="department__code", label=_("Department code"))
    since = django_filters.DateFilter(method="filter_since", label=_("Weeks ending on or after"))

    class Meta:
        model = Timesheet
        fields = ["year", "week", "status"]

    def filter_user(self, queryset, name, value):
        value = value.strip()[:150].replace("\x00", "")
        if value == "me":
            value = getattr(getattr(self.request, "user", None), "username", "")
        return queryset.filter(user__username=value)

    def filter_since(self, queryset, name, value):
        year, week, _day = value.isocalendar()
        return queryset.filter(Q(year__gt=year) | Q(year=year, week__gte=week))
