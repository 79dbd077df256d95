"""One filter set for the ticket list page and `GET /api/tickets`."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Ticket


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Ticket.Priority.choices)
    category = django_filters.ChoiceFilter(choices=Ticket.Category.choices)
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee (user name, “me” or “none”)"))
    department_code = django_filters.CharFilter(field_name="department__code", label=_("Department code"))
    due = django_filters.ChoiceFilter(
        method="filter_due",
        label=_("Due"),
        choices=[
            ("overdue", _("Overdue")),
            ("today", _("Today")),
            ("week", _("Next 7 days")),
            ("none", _("No due date")),
        ],
    )
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    tag = django_filters.CharFilter(field_name="tags__name", lookup_expr="iexact", distinct=True)
    created_by = django_filters.CharFilter(field_name="created_by__username")
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))

    class Meta:
        model = Ticket
        fields = ["status", "priority", "category"]

    def filter_assignee(self, queryset, name, value):
        if value == "none":
            return queryset.filter(assignments__isnull=True)
        if value == "me":
            user = getattr(self.request, "user", None)
            value = getattr(user, "username", "")
        return queryset.filter(assignments__user__username=value).distinct()

    def filter_due(self, queryset, name, value):
        return selectors.due_filter(queryset, value)

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100].replace("\x00", "")
        if not value:
            return queryset
        return queryset.filter(
            Q(ticket_number__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )
