from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.admin import PrintLabelsMixin
from inventory.models import Tool
from scandy_site.core.admin_mixins import (
    CapabilityAdminMixin,
    DepartmentRecordAdminMixin,
    HistoryInline,
    ReadOnlyAdminMixin,
    ServiceAdminMixin,
    TrashFilter,
    adopt,
)

from . import services
from .models import Lending, OverdueDigest, Worker


@admin.register(Worker)
class WorkerAdmin(
    PrintLabelsMixin, DepartmentRecordAdminMixin, ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin
):
    capability = "workers.manage"
    department_field = "department"
    label_kind = "worker"
    list_display = ("barcode", "last_name", "first_name", "email", "active", "department", "updated_at")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter), "active", TrashFilter)
    search_fields = ("barcode", "first_name", "last_name", "email")
    list_select_related = ("department",)
    list_per_page = 50
    inlines = (HistoryInline,)
    actions = ("print_labels", "move_to_trash", "restore_from_trash")
    fields = ("department", "barcode", "first_name", "last_name", "email", "active", "created_at", "updated_at",
              "created_by", "deleted_at")  # fmt: skip
    record_fields = ("created_at", "updated_at", "created_by", "deleted_at")

    def has_delete_permission(self, request, obj=None):
        # Workers are only moved to the trash; there is no deleting them for good.
        if obj is not None and self.is_trashed(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        names = [name for name in services.WORKER_FIELDS if name in form.cleaned_data]
        if change:
            names = [name for name in names if name in form.changed_data]
            fields = {name: form.cleaned_data[name] for name in names}
            saved = services.worker_update(worker=obj, user=request.user, **fields)
        else:
            fields = {name: form.cleaned_data[name] for name in names}
            saved = services.worker_create(department=form.cleaned_data["department"], user=request.user, **fields)
        adopt(obj, saved)

    def trash_object(self, request, obj):
        services.worker_soft_delete(worker=obj, user=request.user)

    @admin.action(description=_("Move to trash"), permissions=["delete"])
    def move_to_trash(self, request, queryset):
        self.run_service(
            request, queryset.filter(deleted_at__isnull=True), gettext("Moved to the trash"),
            lambda worker: services.worker_soft_delete(worker=worker, user=request.user),
        )  # fmt: skip

    @admin.action(description=_("Restore from trash"), permissions=["delete"])
    def restore_from_trash(self, request, queryset):
        self.run_service(
            request, queryset.filter(deleted_at__isnull=False), gettext("Restored"),
            lambda worker: services.worker_restore(worker=worker, user=request.user),
        )  # fmt: skip


class LendingStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("open", _("Open")), ("overdue", _("Overdue")), ("returned", _("Returned")))

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(returned_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(returned_at__isnull=True, due_date__lt=timezone.localdate())
        if self.value() == "returned":
            return queryset.filter(returned_at__isnull=False)
        return queryset


class LendForm(forms.ModelForm):
    """A manual lend in the back office. The choices are what can be lent right now; the rules (and the
    race with a scan station) are the service's, so a refusal shows its message on this form."""

    class Meta:
        model = Lending
        fields = ("tool", "worker", "due_date", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "due_date" not in self.fields:
            return  # a lending's own page: every field is read-only
        self.fields["due_date"].required = False
        self.fields["due_date"].help_text = gettext("Empty: %(date)s, after the default lending period.") % {
            "date": date_format(services.default_due_date(), "DATE_FORMAT")
        }


@admin.register(Lending)
class LendingAdmin(ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """Lendings are made and ended only by the services (as at QuickScan): "Add" lends a tool, the action
    "Return selected" takes tools back; a lending itself is a record to look at, with its history."""

    capability = "lending.use"
    department_field = "department"
    form = LendForm
    list_display = ("tool", "worker", "lent_at", "due_date", "overdue", "returned_at", "department")
    list_filter = (LendingStateFilter, ("department", admin.RelatedOnlyFieldListFilter), "due_date")
    search_fields = ("tool__barcode", "tool__name", "worker__barcode", "worker__first_name", "worker__last_name")
    list_select_related = ("tool", "worker", "department")
    date_hierarchy = "lent_at"
    list_per_page = 50
    show_full_result_count = False
    inlines = (HistoryInline,)
    actions = ("return_selected",)
    readonly_fields = ("department", "tool", "worker", "lent_at", "due_date", "overdue", "returned_at", "lent_by",
                       "returned_by", "notes", "reminder_sent_at")  # fmt: skip

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else LendForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_return_permission(self, request):
        return self._user_can(request, self.capability)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tool":
            kwargs["queryset"] = Tool.objects.alive().filter(status=Tool.Status.AVAILABLE).order_by("name")
        elif db_field.name == "worker":
            kwargs["queryset"] = Worker.objects.alive().filter(active=True).order_by("last_name", "first_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.lending_checkout(
            tool=data["tool"], worker=data["worker"], user=request.user, due_date=data.get("due_date"),
            notes=data.get("notes", ""),
        )  # fmt: skip
        adopt(obj, saved)

    @admin.display(description=_("overdue"), boolean=True, ordering="due_date")
    def overdue(self, lending):
        return lending.is_overdue

    @admin.action(description=_("Return selected tools"), permissions=["return"])
    def return_selected(self, request, queryset):
        self.run_service(
            request, queryset.filter(returned_at__isnull=True), gettext("Returned"),
            lambda lending: services.lending_return(tool=lending.tool, user=request.user),
        )  # fmt: skip


@admin.register(OverdueDigest)
class OverdueDigestAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """When the daily staff digest of overdue tools went out, per department (written by the reminder run)."""

    capability = "workers.manage"
    department_field = "department"
    list_display = ("sent_on", "department", "lendings", "recipients", "sent_at")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("department",)
    date_hierarchy = "sent_on"
