from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scandy_site.core.admin_mixins import (
    CapabilityAdminMixin,
    HistoryInline,
    ReadOnlyInlineMixin,
    ServiceAdminMixin,
    adopt,
)

from . import services
from .models import MaterialLine, OrderDetails, Tag, Ticket, TicketAssignment, TicketMessage, WorkLine


class OrderDetailsInline(ReadOnlyInlineMixin, admin.StackedInline):
    model = OrderDetails
    fields = readonly_fields = ("client_type", "client_name", "contact_name", "contact_email", "contact_phone",
                                "order_description", "completion_date", "vat_rate", "hourly_rate")  # fmt: skip


class WorkLineInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = WorkLine
    fields = readonly_fields = ("work", "service_category", "hours")


class MaterialLineInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = MaterialLine
    fields = readonly_fields = ("material", "quantity", "unit", "unit_price", "line_total")

    @admin.display(description=_("Total"))
    def line_total(self, obj):
        return obj.total


class AssignmentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TicketAssignment
    fk_name = "ticket"
    fields = readonly_fields = ("user", "assigned_by", "assigned_at")


class MessageInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TicketMessage
    fields = readonly_fields = ("created_at", "author", "author_name", "is_internal", "body")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


def _transition_action(target: str, label):
    def action(modeladmin, request, queryset):
        modeladmin.run_service(
            request, queryset, str(label),
            lambda ticket: services.ticket_transition(ticket=ticket, user=request.user, status=target),
        )  # fmt: skip

    action.__name__ = f"to_{target}"
    return admin.action(description=label, permissions=["change"])(action)


@admin.register(Ticket)
class TicketAdmin(ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """Tickets in the back office. Fields are written through the ticket services (history, rules);
    the conversation, assignments, order lines and files are looked at here and worked on the pages."""

    capability = "tickets.manage_all"
    department_field = "department"
    list_display = ("ticket_number", "title", "status", "priority", "category", "department", "due_date",
                    "updated_at")  # fmt: skip
    list_filter = ("status", "priority", "category", ("department", admin.RelatedOnlyFieldListFilter), "is_external")
    search_fields = ("ticket_number", "title", "description")
    list_select_related = ("department",)
    list_per_page = 50
    date_hierarchy = "created_at"
    inlines = (OrderDetailsInline, WorkLineInline, MaterialLineInline, AssignmentInline, MessageInline,
               HistoryInline)  # fmt: skip
    fields = ("ticket_number", "department", "title", "description", "category", "priority", "status", "due_date",
              "estimated_hours", "actual_hours", "is_external", "created_by", "created_at", "updated_at",
              "resolved_at", "closed_at")  # fmt: skip
    actions = (
        _transition_action(Ticket.Status.IN_PROGRESS, _("Start work")),
        _transition_action(Ticket.Status.RESOLVED, _("Mark resolved")),
        _transition_action(Ticket.Status.CLOSED, _("Close")),
        _transition_action(Ticket.Status.OPEN, _("Reopen closed tickets")),
    )

    def get_readonly_fields(self, request, obj=None):
        record = ("ticket_number", "status", "is_external", "created_by", "created_at", "updated_at",
                  "resolved_at", "closed_at")  # fmt: skip
        return (*record, "department") if obj else record

    def has_delete_permission(self, request, obj=None):
        # Tickets are closed, not deleted; an administrator may remove one for good.
        return bool(request.user.is_authenticated and request.user.can("system.manage"))

    def save_model(self, request, obj, form, change):
        names = [name for name in services.TICKET_FIELDS if name in form.cleaned_data]
        if change:
            fields = {name: form.cleaned_data[name] for name in names if name in form.changed_data}
            saved = services.ticket_update(ticket=obj, user=request.user, **fields)
        else:
            fields = {name: form.cleaned_data[name] for name in names}
            saved = services.ticket_create(department=form.cleaned_data["department"], user=request.user, **fields)
        adopt(obj, saved)

    def is_trashed(self, obj) -> bool:
        return True  # no trash for tickets: deleting removes the ticket for good

    def purge_object(self, request, obj) -> None:
        services.ticket_delete(ticket=obj, user=request.user)


@admin.register(Tag)
class TagAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    capability = "tickets.manage_all"
    search_fields = ("name",)
