from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .admin_mixins import CapabilityAdminMixin, ReadOnlyAdminMixin, change_summary
from .models import ChangeEvent, SiteConfiguration


@admin.register(SiteConfiguration)
class SiteConfigurationAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    """The one settings row: the list leads straight to it; it cannot be added twice or deleted."""

    capability = "system.manage"
    fields = (
        "system_name", "label_tools", "label_consumables", "label_workers", "label_width_mm", "label_height_mm",
        "updated_at",
    )  # fmt: skip
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request) and not SiteConfiguration.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        config = SiteConfiguration.current()
        return HttpResponseRedirect(reverse("admin:core_siteconfiguration_change", args=[config.pk]))


def _entity_label(content_type_id: int, entity: str) -> str:
    """The model's name in the reader's language ("Werkzeug" for "tool"); content types are cached."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return capfirst(model._meta.verbose_name) if model else entity


class EntityFilter(admin.SimpleListFilter):
    title = _("entity")
    parameter_name = "entity"

    def lookups(self, request, model_admin):
        pairs = ChangeEvent.objects.order_by().values_list("entity", "content_type").distinct()
        labels = {entity: _entity_label(content_type, entity) for entity, content_type in pairs}
        return sorted(labels.items(), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(entity=self.value()) if self.value() else queryset


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "system.manage"
    list_display = ("id", "at", "entity_label", "action", "object_key", "changed", "shown_note", "department", "user")
    list_filter = (EntityFilter, "action", "department")
    search_fields = ("entity", "object_key", "note", "user__username")
    list_select_related = ("user", "department")
    fields = ("id", "at", "entity_label", "action", "object_key", "object_id", "changed", "shown_note", "department",
              "user")  # fmt: skip
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("entity"), ordering="entity")
    def entity_label(self, event):
        return _entity_label(event.content_type_id, event.entity)

    @admin.display(description=_("changes"))
    def changed(self, event):
        return change_summary(event)

    @admin.display(description=_("note"))
    def shown_note(self, event):
        return event.shown_note
