from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scandy_site.core.admin_mixins import (
    CapabilityAdminMixin,
    DepartmentRecordAdminMixin,
    HistoryInline,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ServiceAdminMixin,
    TrashFilter,
    adopt,
    latest_only,
)
from scandy_site.core.errors import ApplicationError
from scandy_site.core.sheet_views import sheet_export

from . import services
from .labels import label_sheet_response
from .models import BarcodeRegistration, Category, Consumable, Location, MaintenanceRecord, StockMovement, Tool

STOCK_INLINE_LIMIT = 20


def related_only(*names) -> tuple:
    """List filters offering only the values that occur in the rows the user may see."""
    return tuple((name, admin.RelatedOnlyFieldListFilter) for name in names)


class PrintLabelsMixin:
    """ "Print labels": a PDF sheet of the selected records' barcodes, in the stored default label size."""

    label_kind = ""

    @admin.action(description=_("Print labels"), permissions=["view"])
    def print_labels(self, request, queryset):
        try:
            return label_sheet_response(list(queryset), kind=self.label_kind)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None


class _InventoryAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    capability = "inventory.edit"
    delete_capability = "inventory.delete"
    department_field = "department"


@admin.register(Category)
class CategoryAdmin(_InventoryAdmin):
    list_display = ("name", "department")
    list_filter = related_only("department")
    search_fields = ("name",)
    list_select_related = ("department",)


@admin.register(Location)
class LocationAdmin(_InventoryAdmin):
    list_display = ("name", "description", "department")
    list_filter = related_only("department")
    search_fields = ("name", "description")
    list_select_related = ("department",)


class _ItemAdmin(PrintLabelsMixin, DepartmentRecordAdminMixin, ServiceAdminMixin, _InventoryAdmin):
    """Shared by tools and consumables: service writes, trash, CSV export."""

    service_fields: tuple[str, ...] = ()
    list_per_page = 50
    search_fields = ("barcode", "name")
    list_select_related = ("category", "location", "department")
    record_fields = ("created_at", "updated_at", "created_by", "deleted_at", "deleted_by")

    def fields_for_service(self, form, change) -> dict:
        names = [name for name in self.service_fields if name in form.cleaned_data]
        if change:
            names = [name for name in names if name in form.changed_data]
        return {name: form.cleaned_data[name] for name in names}

    @admin.action(description=_("Move to trash"), permissions=["delete"])
    def move_to_trash(self, request, queryset):
        queryset = queryset.filter(deleted_at__isnull=True)
        self.run_service(request, queryset, gettext("Moved to the trash"), lambda obj: self.trash_object(request, obj))

    @admin.action(description=_("Restore from trash"), permissions=["delete"])
    def restore_from_trash(self, request, queryset):
        queryset = queryset.filter(deleted_at__isnull=False)
        self.run_service(request, queryset, gettext("Restored"), lambda obj: self.restore_object(request, obj))

    @admin.action(description=_("Delete for good (only records in the trash)"), permissions=["delete"])
    def purge(self, request, queryset):
        self.run_service(request, queryset, gettext("Deleted for good"), lambda obj: self.purge_object(request, obj))


class MaintenanceInline(admin.TabularInline):
    """Past maintenance is a record; new rows are added through `tool_add_maintenance`."""

    model = MaintenanceRecord
    fields = ("date", "description", "cost", "performed_by")
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tool")

    def has_view_permission(self, request, obj=None):
        return request.user.can("inventory.edit")

    def has_add_permission(self, request, obj=None):
        return request.user.can("inventory.edit") and not (obj is not None and obj.deleted_at is not None)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tool)
class ToolAdmin(_ItemAdmin):
    service_fields = services.TOOL_FIELDS
    list_display = ("barcode", "name", "category", "location", "status", "department", "updated_at")
    list_filter = (*related_only("department"), "status", TrashFilter, *related_only("category", "location"))
    search_fields = ("barcode", "name", "serial_number")
    inlines = (MaintenanceInline, HistoryInline)
    label_kind = "tool"
    actions = (
        "mark_defective", "mark_available", "print_labels", "move_to_trash", "restore_from_trash", "purge",
        "export_csv", "export_xlsx",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("department", "barcode", "name", "description", "category", "location")}),
        (_("Status"), {"fields": ("status", "condition", "serial_number")}),
        (_("Purchase and maintenance"), {"fields": ("purchase_date", "purchase_price", "maintenance_due")}),
        (_("Custom fields"), {"fields": ("custom_fields",), "classes": ("collapse",)}),
        (_("Record"), {"fields": _ItemAdmin.record_fields, "classes": ("collapse",)}),
    )

    def save_model(self, request, obj, form, change):
        fields = self.fields_for_service(form, change)
        if change:
            saved = services.tool_update(tool=obj, user=request.user, **fields)
        else:
            saved = services.tool_create(department=form.cleaned_data["department"], user=request.user, **fields)
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        if formset.model is MaintenanceRecord:
            for record in formset.save(commit=False):
                services.tool_add_maintenance(
                    tool=form.instance, user=request.user, date=record.date, description=record.description,
                    cost=record.cost, performed_by=record.performed_by,
                )  # fmt: skip
            return
        super().save_formset(request, form, formset, change)

    def trash_object(self, request, obj):
        services.tool_soft_delete(tool=obj, user=request.user)

    def restore_object(self, request, obj):
        services.tool_restore(tool=obj, user=request.user)

    def purge_object(self, request, obj):
        services.tool_purge(tool=obj, user=request.user)

    @admin.action(description=_("Mark as defective"), permissions=["change"])
    def mark_defective(self, request, queryset):
        self.run_service(
            request, queryset, gettext("Marked as defective"),
            lambda tool: services.tool_set_status(tool=tool, user=request.user, status=Tool.Status.DEFECTIVE),
        )  # fmt: skip

    @admin.action(description=_("Mark as available"), permissions=["change"])
    def mark_available(self, request, queryset):
        self.run_service(
            request, queryset, gettext("Marked as available"),
            lambda tool: services.tool_set_status(tool=tool, user=request.user, status=Tool.Status.AVAILABLE),
        )  # fmt: skip

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return sheet_export("tools", queryset, basename="tools-selected", fmt="csv")

    @admin.action(description=_("Export selected as Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return sheet_export("tools", queryset, basename="tools-selected", fmt="xlsx")


class StockMovementInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = StockMovement
    fields = readonly_fields = ("created_at", "kind", "delta", "stock_after", "reason", "worker", "user")
    verbose_name_plural = _("stock movements (latest)")

    def get_formset(self, request, obj=None, **kwargs):
        return latest_only(super().get_formset(request, obj, **kwargs), STOCK_INLINE_LIMIT)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("consumable", "worker", "user").order_by("-created_at", "-id")
        )


class AdjustStockForm(forms.Form):
    delta = forms.IntegerField(
        label=_("Change in stock"), min_value=-1_000_000, max_value=1_000_000,
        help_text=_("Positive to add to the stock, negative to take from it."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("The change must not be zero."))
        return delta


@admin.register(Consumable)
class ConsumableAdmin(_ItemAdmin):
    service_fields = services.CONSUMABLE_FIELDS
    list_display = ("barcode", "name", "category", "location", "stock", "min_stock", "below_min", "department",
                    "updated_at")  # fmt: skip
    list_filter = (*related_only("department"), TrashFilter, *related_only("category", "location"))
    search_fields = ("barcode", "name", "supplier")
    inlines = (StockMovementInline, HistoryInline)
    label_kind = "consumable"
    actions = (
        "adjust_stock", "print_labels", "move_to_trash", "restore_from_trash", "purge", "export_csv", "export_xlsx",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("department", "barcode", "name", "description", "category", "location")}),
        (_("Stock"), {"fields": ("current_stock", "unit", "min_stock", "max_stock")}),
        (_("Purchasing"), {"fields": ("cost_per_unit", "supplier", "last_ordered_at")}),
        (_("Record"), {"fields": _ItemAdmin.record_fields, "classes": ("collapse",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # After creation the stock changes only through "adjust stock", so every change has a reason.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "current_stock") if obj else readonly

    @admin.display(description=_("stock"), ordering="current_stock")
    def stock(self, consumable):
        return f"{consumable.current_stock} {consumable.unit}"

    @admin.display(description=_("below minimum"), boolean=True)
    def below_min(self, consumable):
        return consumable.below_min

    def save_model(self, request, obj, form, change):
        fields = self.fields_for_service(form, change)
        if change:
            saved = services.consumable_update(consumable=obj, user=request.user, **fields)
        else:
            saved = services.consumable_create(
                department=form.cleaned_data["department"], user=request.user,
                current_stock=form.cleaned_data.get("current_stock") or 0, **fields,
            )  # fmt: skip
        adopt(obj, saved)

    def trash_object(self, request, obj):
        services.consumable_soft_delete(consumable=obj, user=request.user)

    def restore_object(self, request, obj):
        services.consumable_restore(consumable=obj, user=request.user)

    def purge_object(self, request, obj):
        services.consumable_purge(consumable=obj, user=request.user)

    @admin.action(description=_("Adjust stock"), permissions=["change"])
    def adjust_stock(self, request, queryset):
        form = AdjustStockForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            delta, reason = form.cleaned_data["delta"], form.cleaned_data["reason"]
            self.run_service(
                request, queryset, gettext("Stock adjusted"),
                lambda item: services.consumable_adjust_stock(
                    consumable=item, user=request.user, delta=delta, reason=reason
                ),
            )  # fmt: skip
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Adjust stock"),
            "action": "adjust_stock",
            "opts": self.opts,
            "form": form,
            "queryset": queryset,
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/inventory/adjust_stock.html", context)

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return sheet_export("consumables", queryset, basename="consumables-selected", fmt="csv")

    @admin.action(description=_("Export selected as Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return sheet_export("consumables", queryset, basename="consumables-selected", fmt="xlsx")


@admin.register(MaintenanceRecord)
class MaintenanceRecordAdmin(ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """Maintenance is a record: added (through the tool's service), never changed afterwards."""

    capability = "inventory.edit"
    department_field = "tool__department"
    list_display = ("tool", "date", "description", "cost", "performed_by")
    list_select_related = ("tool",)
    search_fields = ("tool__barcode", "tool__name", "description", "performed_by")
    autocomplete_fields = ("tool",)
    fields = ("tool", "date", "description", "cost", "performed_by", "created_at", "created_by")
    readonly_fields = ("created_at", "created_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tool":
            kwargs["queryset"] = Tool.objects.alive()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.tool_add_maintenance(
            tool=data["tool"], user=request.user, date=data["date"], description=data["description"],
            cost=data.get("cost"), performed_by=data.get("performed_by", ""),
        )  # fmt: skip
        adopt(obj, saved)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "inventory.edit"
    department_field = "consumable__department"
    list_display = ("created_at", "consumable", "kind", "delta", "stock_after", "reason", "worker", "user")
    list_filter = ("kind", *related_only("consumable__department"))
    search_fields = ("consumable__barcode", "consumable__name", "reason")
    list_select_related = ("consumable", "worker", "user")
    show_full_result_count = False


@admin.register(BarcodeRegistration)
class BarcodeRegistrationAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "inventory.edit"
    department_field = "department"
    list_display = ("barcode", "kind", "object_id", "department")
    list_filter = ("kind", *related_only("department"))
    search_fields = ("barcode",)
    list_select_related = ("department",)
