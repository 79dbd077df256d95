"""Webhooks in the back office: endpoints (the secret is write-only), and every delivery with its attempts,
"send test event" and "retry"."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scandy_site.core.admin_mixins import (
    CapabilityAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ServiceAdminMixin,
    adopt,
    latest_only,
)
from scandy_site.core.errors import ApplicationError

from . import services
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https",
                         help_text=_("Every event is POSTed here as JSON."))  # fmt: skip
    # Write-only: the field never renders a stored value; empty keeps the current secret.
    secret = forms.CharField(
        label=_("Secret"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "active", "event_types", "departments")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.has_secret:
            self.fields["secret"].help_text = _("A secret is set. Leave this empty to keep it, or enter a new one.")
        else:
            self.fields["secret"].help_text = _(
                "Receivers check the X-Scandy-Signature header with it (HMAC-SHA256). At least 16 characters, "
                'for example the output of: python -c "import secrets; print(secrets.token_hex(32))"'
            )


class DeliveryInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = WebhookDelivery
    fields = readonly_fields = ("delivery_link", "event_type", "object_ref", "status", "attempts", "next_attempt_at")
    verbose_name_plural = _("latest deliveries")

    def get_formset(self, request, obj=None, **kwargs):
        return latest_only(super().get_formset(request, obj, **kwargs), 20)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")

    @admin.display(description=_("delivery"))
    def delivery_link(self, delivery):
        url = reverse("admin:events_webhookdelivery_change", args=[delivery.pk])
        return format_html('<a href="{}">#{}</a>', url, delivery.pk)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "system.manage"
    form = WebhookEndpointForm
    list_display = ("name", "url", "active", "event_types_display", "has_secret_display", "pending",
                    "last_success_at", "last_failure_at")  # fmt: skip
    list_filter = ("active",)
    search_fields = ("name", "url")
    filter_horizontal = ("departments",)
    readonly_fields = ("cursor", "last_success_at", "last_failure_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "url", "secret", "active")}),
        (_("Which events"), {"fields": ("event_types", "departments")}),
        (_("State"), {"fields": readonly_fields}),
    )
    inlines = (DeliveryInline,)
    actions = ("send_test_event",)

    def get_queryset(self, request):
        waiting = Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING))
        return super().get_queryset(request).annotate(pending_count=waiting)

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.fieldsets[:2]

    def get_inlines(self, request, obj):
        return self.inlines if obj else ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("event types"))
    def event_types_display(self, endpoint):
        return endpoint.event_types or gettext("all")

    @admin.display(description=_("secret set"), boolean=True)
    def has_secret_display(self, endpoint):
        return endpoint.has_secret

    @admin.display(description=_("waiting"), ordering="pending_count")
    def pending(self, endpoint):
        return endpoint.pending_count

    def save_model(self, request, obj, form, change):
        # The departments go through the service too (save_related would set them from the form again).
        saved = services.webhook_endpoint_save(
            endpoint=obj, user=request.user, secret=form.cleaned_data.get("secret"),
            departments=form.cleaned_data.get("departments"),
        )  # fmt: skip
        adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def is_trashed(self, obj) -> bool:
        return True  # no trash: deleting removes the endpoint and its delivery log

    def purge_object(self, request, obj) -> None:
        obj.delete()

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            delivery = services.webhook_send_test(endpoint=endpoint, user=request.user)
            attempt = delivery.attempt_log.order_by("-number").first()
            values = {"endpoint": endpoint.name, "status": attempt.status_code, "ms": attempt.duration_ms}
            if delivery.status == WebhookDelivery.Status.SUCCEEDED:
                message = gettext("%(endpoint)s: test event delivered (HTTP %(status)s, %(ms)s ms).") % values
                self.message_user(request, message, messages.SUCCESS)
            else:
                values["error"] = attempt.error
                message = gettext("%(endpoint)s: the test event was not delivered: %(error)s.") % values
                self.message_user(request, message, messages.ERROR)


class AttemptInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = readonly_fields = ("number", "at", "status_code", "duration_ms", "error", "response_body")


class DeliveryStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*WebhookDelivery.Status.choices, ("retrying", _("waiting for a retry"))]

    def queryset(self, request, queryset):
        if self.value() == "retrying":
            return queryset.filter(status=WebhookDelivery.Status.PENDING, attempts__gt=0)
        if self.value() in WebhookDelivery.Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, CapabilityAdminMixin, admin.ModelAdmin):
    capability = "system.manage"
    list_display = ("id", "endpoint", "event_type", "object_ref", "status", "attempts", "next_attempt_at",
                    "created_at", "finished_at")  # fmt: skip
    list_filter = (DeliveryStatusFilter, "endpoint", "is_test")
    list_select_related = ("endpoint",)
    search_fields = ("event_type", "object_ref")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("endpoint", "event", "event_type", "object_ref", "status", "attempts", "next_attempt_at", "is_test",
              "created_at", "finished_at", "payload")  # fmt: skip
    readonly_fields = fields
    inlines = (AttemptInline,)
    actions = ("retry",)

    def has_retry_permission(self, request):
        return self._user_can(request, self.capability)

    @admin.action(description=_("Retry the selected deliveries"), permissions=["retry"])
    def retry(self, request, queryset):
        done, refused = 0, []
        for delivery in queryset:
            try:
                services.webhook_delivery_retry(delivery=delivery, user=request.user)
            except ApplicationError as exc:
                refused.append(f"#{delivery.pk}: {exc.message}")
            else:
                done += 1
        if done:
            services.queue_delivery_run()
            message = gettext("%(count)d deliveries go out again with the next run.") % {"count": done}
            self.message_user(request, message, messages.SUCCESS)
        for line in refused[:20]:
            self.message_user(request, line, messages.ERROR)
