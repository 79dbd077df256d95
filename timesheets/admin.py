from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scandy_site.core.admin_mixins import CapabilityAdminMixin, HistoryInline, ReadOnlyInlineMixin, ServiceAdminMixin

from . import services
from .forms import ReasonForm
from .models import Timesheet, TimesheetEntry


class EntryInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TimesheetEntry
    fields = readonly_fields = ("entry_date", "start_time", "end_time", "break_minutes", "worked", "activity",
                                "description", "ticket")  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("timesheet", "ticket")

    @admin.display(description=_("date"))
    def entry_date(self, entry):
        return entry.date

    @admin.display(description=_("hours"))
    def worked(self, entry):
        return entry.duration_display


@admin.register(Timesheet)
class TimesheetAdmin(ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """Weekly reports in the back office, for those who approve them. Reports and their entries are made by
    their owners on the pages; here they are looked at, approved, rejected or reopened through the services
    (same rules, same history, same mails as the pages)."""

    capability = "timesheets.approve"
    department_field = "department"
    list_display = ("user", "week_label", "department", "status", "hours", "submitted_at", "approved_by")
    list_filter = ("status", ("department", admin.RelatedOnlyFieldListFilter), "year", "week")
    search_fields = ("user__username", "user__first_name", "user__last_name", "note")
    list_select_related = ("user", "department", "approved_by")
    list_per_page = 50
    ordering = ("-year", "-week", "user__username")
    inlines = (EntryInline, HistoryInline)
    fields = readonly_fields = (
        "user", "department", "year", "week", "status", "hours", "note", "submitted_at", "approved_at", "approved_by",
        "rejected_at", "rejected_by", "rejection_reason", "created_at", "updated_at",
    )  # fmt: skip
    actions = ("approve", "reject", "reopen")

    @admin.display(description=_("week"), ordering="week")
    def week_label(self, timesheet):
        return f"{timesheet.week}/{timesheet.year} ({timesheet.week_start:%d.%m.} – {timesheet.week_end:%d.%m.})"

    @admin.display(description=_("hours"), ordering="total_minutes")
    def hours(self, timesheet):
        return timesheet.total_display

    def has_add_permission(self, request, obj=None):
        return False  # everyone makes their own reports, on the pages

    def has_delete_permission(self, request, obj=None):
        # Reports are records of work; only an administrator removes one for good.
        return bool(request.user.is_authenticated and request.user.can("system.manage"))

    def is_trashed(self, obj) -> bool:
        return True  # no trash: deleting removes the report with its entries

    def purge_object(self, request, obj) -> None:
        obj.delete()

    @admin.action(description=_("Approve selected reports"), permissions=["change"])
    def approve(self, request, queryset):
        self.run_service(request, queryset, gettext("Approved"),
                         lambda ts: services.timesheet_approve(timesheet=ts, user=request.user))  # fmt: skip

    @admin.action(description=_("Reject selected reports …"), permissions=["change"])
    def reject(self, request, queryset):
        return self._with_reason(request, queryset, "reject", gettext("Reject"), gettext("Rejected"))

    @admin.action(description=_("Reopen selected approved reports …"), permissions=["change"])
    def reopen(self, request, queryset):
        return self._with_reason(request, queryset, "reopen", gettext("Reopen"), gettext("Reopened"))

    def _with_reason(self, request, queryset, action: str, title: str, done: str):
        form = ReasonForm(request.POST if "apply" in request.POST else None, required=True)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self.run_service(request, queryset, done, lambda ts: services.timesheet_act(
                timesheet=ts, user=request.user, action=action, reason=reason))  # fmt: skip
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "action": action,
            "queryset": queryset.select_related("user"),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/timesheets/reason.html", context)
