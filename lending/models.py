from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import SoftDeleteQuerySet


class Worker(models.Model):
    """A person who borrows tools and receives consumables (identified by a barcode card)."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, verbose_name=_("department"))
    barcode = models.CharField(_("barcode"), max_length=64)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [models.UniqueConstraint(fields=["department", "barcode"], name="worker_barcode_unique")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Lending(models.Model):
    """A tool handed to a worker. At most one open lending per tool, enforced by the database."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, verbose_name=_("department"))
    tool = models.ForeignKey(
        "inventory.Tool", on_delete=models.PROTECT, related_name="lendings", verbose_name=_("tool")
    )
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="lendings", verbose_name=_("worker"))
    lent_at = models.DateTimeField(_("lent at"), db_index=True)
    due_date = models.DateField(_("due date"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("lent by"),
    )  # fmt: skip
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("returned by"),
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-lent_at", "-id"]
        verbose_name = _("lending")
        verbose_name_plural = _("lendings")
        constraints = [
            models.UniqueConstraint(
                fields=["tool"], condition=models.Q(returned_at__isnull=True), name="one_open_lending_per_tool"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | models.Q(returned_at__gte=models.F("lent_at")),
                name="lending_returned_after_lent",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "returned_at", "due_date"]),
            models.Index(fields=["worker", "returned_at"]),
        ]

    def __str__(self):
        return f"{self.tool} → {self.worker}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def is_overdue(self) -> bool:
        return self.returned_at is None and self.due_date < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        """Whole days an open lending is past its due date (0 when it is not overdue)."""
        return max(0, (timezone.localdate() - self.due_date).days) if self.returned_at is None else 0

    @property
    def returned_late(self) -> bool:
        return self.returned_at is not None and timezone.localdate(self.returned_at) > self.due_date


class OverdueDigest(models.Model):
    """A staff digest of overdue tools that went out: one per department and day at most, so a second run
    of the reminders on the same day sends none."""

    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE, verbose_name=_("department"))
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    lendings = models.PositiveIntegerField(_("overdue lendings"), default=0)

    class Meta:
        ordering = ["-sent_on", "department"]
        verbose_name = _("overdue digest")
        verbose_name_plural = _("overdue digests")
        constraints = [
            models.UniqueConstraint(fields=["department", "sent_on"], name="one_overdue_digest_per_department_and_day")
        ]

    def __str__(self):
        return f"{self.department} {self.sent_on}"
