"""Back office of the integrations: sources with their last run and a "sync now" button, runs with
their errors, conflicts with "take remote" / "keep local", and the synced records (edits go through
the services, so they are kept by later syncs like any other local edit)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from scandy_site.core.admin_mixins import (
    CapabilityAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ServiceAdminMixin,
    adopt,
)
from scandy_site.core.errors import ApplicationError
from scandy_site.core.templatetags.scandy import field_label

from . import selectors, services
from .models import Customer, Device, Order, OrderItem, Product, ProductTrend, SyncConflict, SyncRun, SyncSource
from .shop import ENTITIES as SHOP_CONNECTORS
from .sources import ENTITIES, source_configured
from .thingsboard import ENTITIES as THINGSBOARD_CONNECTORS

# Record type code ("products") -> the model it syncs into, for its name in the active language.
_ENTITY_MODELS = {
    entity: connector.model for entity, connector in {**THINGSBOARD_CONNECTORS, **SHOP_CONNECTORS}.items()
}


def _entity_label(entity: str) -> str:
    model = _ENTITY_MODELS.get(entity)
    return str(capfirst(model._meta.verbose_name_plural)) if model else entity


def _run_link(run):
    if run is None:
        return "–"
    url = reverse("admin:integrations_syncrun_change", args=[run.pk])
    return format_html('<a href="{}">#{} {}</a>', url, run.pk, run.get_status_display())


@admin.register(SyncSource)
class SyncSourceAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    capability = "integrations.sync"
    list_display = ("code", "configured", "last_run_link", "last_success_at", "open_conflicts")
    fields = readonly_fields = ("code", "configured", "last_run_link", "last_success_at", "open_conflicts")
    actions = ("sync_now",)
    change_list_template = "admin/integrations/syncsource/change_list.html"
    change_form_template = "admin/integrations/syncsource/change_form.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        for code in ENTITIES:
            services.sync_source_row(code)
        return super().get_queryset(request).select_related("last_run")

    @admin.display(description=_("configured"), boolean=True)
    def configured(self, source):
        return source_configured(source.code)

    @admin.display(description=_("last run"))
    def last_run_link(self, source):
        return _run_link(source.last_run)

    @admin.display(description=_("open conflicts"))
    def open_conflicts(self, source):
        count = SyncConflict.objects.filter(source=source.code, resolved_at=None).count()
        url = reverse("admin:integrations_syncconflict_changelist") + f"?source__exact={source.code}"
        return format_html('<a href="{}">{}</a>', url, count) if count else "0"

    def get_urls(self):
        return [
            path(
                "<str:code>/sync/",
                self.admin_site.admin_view(require_POST(self.sync_view)),
                name="integrations_syncsource_sync",
            ),
            *super().get_urls(),
        ]

    def sync_view(self, request, code):
        if not self.has_view_permission(request):
            raise PermissionDenied
        source = get_object_or_404(SyncSource, code=code)
        self._queue(request, source)
        return HttpResponseRedirect(reverse("admin:integrations_syncsource_changelist"))

    @admin.action(description=_("Sync now"), permissions=["view"])
    def sync_now(self, request, queryset):
        for source in queryset:
            self._queue(request, source)

    def _queue(self, request, source):
        try:
            run, created = services.sync_request(source=source.code, trigger=SyncRun.Trigger.ADMIN, user=request.user)
        except ApplicationError as exc:
            self.message_user(request, f"{source}: {exc.message}", messages.ERROR)
            return
        if created:
            text = gettext("%(source)s: sync queued as run #%(id)s.") % {"source": source, "id": run.pk}
            self.message_user(request, text, messages.SUCCESS)
        else:
            text = gettext("%(source)s: a sync is already %(status)s (run #%(id)s).")
            self.message_user(
                request, text % {"source": source, "status": run.get_status_display(), "id": run.pk}, messages.WARNING
            )


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "integrations.sync"
    list_display = ("id", "source", "trigger", "status", "dry_run", "started_by", "created_at", "duration", "summary",
                    "short_message")  # fmt: skip
    list_filter = ("source", "status", "trigger", "dry_run")
    list_select_related = ("started_by",)
    search_fields = ("message",)
    date_hierarchy = "created_at"
    fields = (
        "source", "entity_labels", "trigger", "status", "dry_run", "started_by", "account", "created_at", "started_at",
        "finished_at", "progress", *SyncRun.COUNTS, "message", "error_list",
    )  # fmt: skip
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("duration"))
    def duration(self, run):
        return "–" if run.duration_seconds is None else f"{run.duration_seconds:.1f} s"

    @admin.display(description=_("counts"))
    def summary(self, run):
        return run.summary()

    @admin.display(description=_("record types"))
    def entity_labels(self, run):
        return ", ".join(_entity_label(entity) for entity in run.entities or ())

    @admin.display(description=_("message"))
    def short_message(self, run):
        return (run.message[:120] + "…") if len(run.message) > 120 else run.message

    @admin.display(description=_("skipped records"))
    def error_list(self, run):
        if not run.errors:
            return "–"
        return format_html_join(
            mark_safe("<br>"),
            "{} {}: {}",
            ((_entity_label(e.get("entity", "")), e.get("remote_id") or "?", e.get("message", "")) for e in run.errors),
        )


class ConflictStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("open", _("Open")), ("resolved", _("Resolved")), ("all", _("All")))

    def _current(self):
        return self.value() if self.value() in ("open", "resolved", "all") else "open"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self._current() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        state = self._current()
        if state == "open":
            return queryset.filter(resolved_at=None)
        if state == "resolved":
            return queryset.exclude(resolved_at=None)
        return queryset


class EntityFilter(admin.SimpleListFilter):
    title = _("record type")
    parameter_name = "entity"

    def lookups(self, request, model_admin):
        return [(entity, _entity_label(entity)) for entity in _ENTITY_MODELS]

    def queryset(self, request, queryset):
        return queryset.filter(entity=self.value()) if self.value() else queryset


@admin.register(SyncConflict)
class SyncConflictAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """Fields edited here and changed remotely too. "Take remote" writes the remote value into the
    record; "keep local" keeps the local one (until the remote changes the field again)."""

    capability = "system.manage"
    list_display = ("detected_at", "source", "entity_label", "record", "field_name", "local_value", "remote_value",
                    "base_value", "state")  # fmt: skip
    list_filter = (ConflictStateFilter, "source", EntityFilter)
    list_select_related = ("content_type", "resolved_by")
    search_fields = ("record_label", "object_id", "field")
    actions = ("take_remote", "keep_local")
    fields = ("source", "entity_label", "record", "field_name", "base_value", "local_value", "remote_value", "run_link",
              "detected_at", "resolved_at", "resolved_by_name", "resolution")  # fmt: skip
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        # Actions need "change"; the form itself stays read-only (every field is read-only).
        return self._user_can(request, self.capability)

    @admin.display(description=_("record"))
    def record(self, conflict):
        url = reverse(f"admin:{conflict.content_type.app_label}_{conflict.content_type.model}_change",
                      args=[conflict.object_id])  # fmt: skip
        return format_html('<a href="{}">{}</a>', url, conflict.record_label or conflict.object_id)

    @admin.display(description=_("record type"), ordering="entity")
    def entity_label(self, conflict):
        return _entity_label(conflict.entity)

    @admin.display(description=_("field"), ordering="field")
    def field_name(self, conflict):
        return conflict.field_label

    @admin.display(description=_("sync run"))
    def run_link(self, conflict):
        return _run_link(conflict.run)

    @admin.display(description=_("resolved by"))
    def resolved_by_name(self, conflict):
        return conflict.resolved_by.username if conflict.resolved_by else "–"

    @admin.display(description=_("state"))
    def state(self, conflict):
        if conflict.is_open:
            return gettext("open")
        who = conflict.resolved_by.username if conflict.resolved_by else ""
        return f"{conflict.get_resolution_display()} {who}".strip()

    def _resolve(self, request, queryset, take: str, label: str):
        done, refused = services.conflicts_resolve(conflicts=queryset, user=request.user, take=take)
        if done:
            self.message_user(request, f"{label}: {done}", messages.SUCCESS)
        for line in refused[:20]:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Take remote value"), permissions=["change"])
    def take_remote(self, request, queryset):
        self._resolve(request, queryset.filter(resolved_at=None), "remote", gettext("Took the remote value"))

    @admin.action(description=_("Keep local value"), permissions=["change"])
    def keep_local(self, request, queryset):
        self._resolve(request, queryset.filter(resolved_at=None), "local", gettext("Kept the local value"))


class RemoteStateFilter(admin.SimpleListFilter):
    title = _("origin")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return (("remote", _("synced")), ("local", _("made here")), ("deleted", _("deleted remotely")))

    def queryset(self, request, queryset):
        value = self.value()
        if value == "remote":
            return queryset.exclude(remote_hash="").filter(remote_deleted_at=None)
        if value == "local":
            return queryset.filter(remote_hash="")
        if value == "deleted":
            return queryset.exclude(remote_deleted_at=None)
        return queryset


class _SyncedAdmin(ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    """A synced record: editable fields go through `service` (a refused change shows on the form);
    synced bookkeeping is read-only."""

    record_fields = ("last_sync", "remote_deleted_at", "edited_here")
    service = None
    service_arg = ""

    def has_delete_permission(self, request, obj=None):
        # Synced records are never deleted here (CONTRACT 5.4); a record gone remotely is only marked.
        return False

    @admin.display(description=_("edited here"))
    def edited_here(self, obj):
        fields = [f.name for f in obj._meta.concrete_fields if f.name in (obj.remote_base or {})]
        edited = sorted(selectors.locally_edited(obj, fields))
        return ", ".join(str(field_label(name, obj)) for name in edited) if edited else "–"

    def save_model(self, request, obj, form, change):
        names = [name for name in form.changed_data if name in form.cleaned_data]
        values = {name: form.cleaned_data[name] for name in names}
        saved = self.service(**{self.service_arg: obj, "user": request.user}, **values)
        adopt(obj, saved)


@admin.register(Customer)
class CustomerAdmin(_SyncedAdmin):
    capability = "customers.edit"
    list_display = ("name", "city", "country", "email", "phone", "last_sync", "remote_deleted_at")
    list_filter = (RemoteStateFilter, "country")
    search_fields = ("name", "title", "email", "city", "id")
    readonly_fields = ("id", "created_time", "updated_time", *_SyncedAdmin.record_fields)
    fieldsets = (
        (None, {"fields": ("id", "name", "title", "email", "phone")}),
        (_("Address"), {"fields": ("address", "address2", "zip", "city", "state", "country")}),
        (_("More"), {"fields": ("additional_info",), "classes": ("collapse",)}),
        (_("Sync"), {"fields": ("created_time", "updated_time", *_SyncedAdmin.record_fields)}),
    )
    service = staticmethod(services.customer_update)
    service_arg = "customer"

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        fields = {name: form.cleaned_data[name] for name in services.CUSTOMER_FIELDS if name in form.cleaned_data}
        adopt(obj, services.customer_create(user=request.user, **fields))
        return None

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ("created_time", "updated_time", *self.record_fields)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("name", "title", "email", "phone", "address", "address2", "zip", "city",
                                       "state", "country", "additional_info")}),)  # fmt: skip
        return super().get_fieldsets(request, obj)


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "customers.edit"
    list_display = ("name", "type", "label", "customer_name", "created_time", "remote_deleted_at")
    list_filter = ("type",)
    list_select_related = ("customer",)
    search_fields = ("name", "label", "type", "id")
    fields = ("id", "name", "type", "label", "customer_name", "additional_info", "created_time", "updated_time",
              "last_sync", "remote_deleted_at")  # fmt: skip
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("customer"), ordering="customer__name")
    def customer_name(self, device):
        if device.customer_id is None:
            return "–"
        if device.customer is None:
            return gettext("unknown customer (%(id)s)") % {"id": device.customer_id}
        url = reverse("admin:integrations_customer_change", args=[device.customer_id])
        return format_html('<a href="{}">{}</a>', url, device.customer.name)


@admin.register(Product)
class ProductAdmin(_SyncedAdmin):
    capability = "shop.edit"
    list_display = ("name", "external_id", "category", "price", "stock", "cost", "hidden", "is_active",
                    "remote_deleted_at")  # fmt: skip
    list_filter = (RemoteStateFilter, "hidden", "is_active", "category")
    search_fields = ("name", "external_id", "category")
    fields = ("external_id", "name", "category", "price", "stock", "is_active", "cost", "hidden", "analytics",
              "remote_updated_at", "created_at", "updated_at", *_SyncedAdmin.record_fields)  # fmt: skip
    readonly_fields = ("external_id", "remote_updated_at", "created_at", "updated_at", *_SyncedAdmin.record_fields)
    service = staticmethod(services.product_update)
    service_arg = "product"

    def has_add_permission(self, request, obj=None):
        return False  # products come from the shop


class OrderItemInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = OrderItem
    fields = readonly_fields = ("position", "product", "name", "quantity", "price")


@admin.register(Order)
class OrderAdmin(_SyncedAdmin):
    capability = "shop.edit"
    list_display = ("external_id", "ordered_at", "customer_name", "status", "total", "remote_deleted_at")
    list_filter = (RemoteStateFilter, "status")
    search_fields = ("external_id", "customer_name", "customer_phone")
    date_hierarchy = "ordered_at"
    inlines = (OrderItemInline,)
    fields = ("external_id", "status", "total", "customer_name", "customer_phone", "notes", "ordered_at",
              "remote_updated_at", "created_at", "updated_at", *_SyncedAdmin.record_fields)  # fmt: skip
    readonly_fields = ("external_id", "ordered_at", "remote_updated_at", "created_at", "updated_at",
                       *_SyncedAdmin.record_fields)  # fmt: skip
    service = staticmethod(services.order_update)
    service_arg = "order"

    def has_add_permission(self, request, obj=None):
        return False  # orders come from the shop


@admin.register(ProductTrend)
class ProductTrendAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "shop.view"
    list_display = ("product_shop_id", "day", "quantity", "revenue", "orders")
    search_fields = ("product__external_id",)
    date_hierarchy = "day"
    show_full_result_count = False

    @admin.display(description=_("shop ID"), ordering="product_id")
    def product_shop_id(self, trend):
        return trend.product_id  # the product's shop ID (the foreign key points at external_id)
