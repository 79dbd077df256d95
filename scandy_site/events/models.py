"""Webhooks: endpoints an administrator sets up, and every delivery of an event to one of them with each
attempt it took (CONTRACT section 3, "webhooks")."""

import fnmatch

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, help_text=_("Every event is POSTed here as JSON."))
    # Encrypted with the instance's key (accounts/secrets.py); never shown, blanked in backups.
    secret_encrypted = models.TextField(_("secret"), blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    event_types = models.CharField(
        _("event types"), max_length=500, blank=True,
        help_text=_("Comma-separated event types, * as wildcard (for example “tool.*, ticket.updated”). "
                    "Empty: every event."),
    )  # fmt: skip
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name=_("departments"),
        help_text=_("Only events of these departments (shop and customer events belong to none). Empty: all."),
    )  # fmt: skip
    # The last history row handed to this endpoint (the next fan-out starts after it).
    cursor = models.PositiveBigIntegerField(_("last event"), default=0, editable=False)
    # One worker at a time sends to an endpoint (so deliveries keep their order); a crashed worker's claim expires.
    busy_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last successful delivery"), null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(_("last failed attempt"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)

    def type_patterns(self) -> list[str]:
        return [part.strip() for part in self.event_types.replace(";", ",").split(",") if part.strip()]

    def wants(self, event_type: str) -> bool:
        patterns = self.type_patterns()
        return not patterns or any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body sent (the signature covers it), and where it stands."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(
        "core.ChangeEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("event"), db_constraint=False,
    )  # fmt: skip
    event_type = models.CharField(_("event type"), max_length=80)
    # "<type of record>:<department>:<object_id>": deliveries of one record keep their order.
    object_ref = models.CharField(_("record"), max_length=200, blank=True)
    payload = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Failed attempts since the last (manual) retry: the index into the back-off schedule.
    failures_in_row = models.PositiveIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A test delivery ("send test event") is tried once and never retried by itself.
    is_test = models.BooleanField(_("test"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], condition=Q(event__isnull=False), name="webhook_one_delivery_per_event"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]), name="webhook_delivery_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["endpoint", "status", "id"], name="webhook_delivery_queue")]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back, how long it took, or why it failed."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    response_body = models.TextField(_("response (start)"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
