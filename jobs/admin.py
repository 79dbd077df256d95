from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from scandy_site.core.admin_mixins import CapabilityAdminMixin, HistoryInline, ReadOnlyInlineMixin

from .models import Job, JobApplication


class ApplicationInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = JobApplication
    fields = readonly_fields = ("applicant", "phone", "status", "message", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("applicant")


@admin.register(Job)
class JobAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    """Job offers in the back office, to look at with their applications and history. Offers are posted and
    changed on the job pages (or the API), where the services keep the rules and the history."""

    capability = "jobs.manage"
    department_field = "department"
    list_display = ("title", "department", "employment_type", "status", "closing_date", "applications", "created_at")
    list_filter = ("status", "employment_type", ("department", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "description", "location")
    list_select_related = ("department",)
    list_per_page = 50
    ordering = ("-created_at",)
    inlines = (ApplicationInline, HistoryInline)
    fields = readonly_fields = (
        "title", "description", "location", "employment_type", "contact_email", "closing_date", "status",
        "department", "created_by", "created_at", "updated_at",
    )  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(application_count=Count("applications"))

    @admin.display(description=_("applications"), ordering="application_count")
    def applications(self, job):
        return job.application_count

    def has_add_permission(self, request, obj=None):
        return False  # offers are posted on the job pages

    def has_delete_permission(self, request, obj=None):
        # Removing an offer removes its applications: only an administrator does that for good.
        return bool(request.user.is_authenticated and request.user.can("system.manage"))
