from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from scandy_site.core.admin_mixins import CapabilityAdminMixin

from . import services
from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    """Every file on every record, to look at and to remove (uploads go through the record's page or
    the API, so the limits, sniffing and image cleaning always apply)."""

    capability = "system.manage"
    department_field = "department"
    list_display = ("filename", "entity_type", "entity_id", "kind", "size", "is_preview", "uploaded_by", "created_at")
    list_filter = ("entity_type", "kind", ("department", admin.RelatedOnlyFieldListFilter))
    search_fields = ("filename", "original_name")
    list_select_related = ("uploaded_by",)
    readonly_fields = (
        "entity_type", "entity_id", "department", "filename", "original_name", "link", "kind", "content_type",
        "size", "width", "height", "is_preview", "uploaded_by", "created_at",
    )  # fmt: skip
    fields = readonly_fields
    actions = ("delete_files",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def link(self, obj):
        from django.urls import reverse

        from .entities import entity_type

        try:
            spec = entity_type(obj.entity_type)
            entity = spec.model._default_manager.get(pk=obj.entity_id)
        except Exception:
            return obj.file.name
        url = reverse("media:file", args=[obj.entity_type, spec.identifier(entity), obj.filename])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.filename)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        services.media_delete(attachment=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.media_delete(attachment=obj, user=request.user)

    @admin.action(description=_("Delete the selected files"), permissions=["delete"])
    def delete_files(self, request, queryset):
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(
            request, ngettext("%(count)d file deleted.", "%(count)d files deleted.", count) % {"count": count}
        )
