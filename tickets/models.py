from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketNumberCounter(models.Model):
    """The last number handed out per month (`YYMM`). Incremented in the transaction that creates the
    ticket, under the row's lock: numbers are unique and without gaps even under concurrent creation."""

    period = models.CharField(max_length=4, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.period}: {self.last_number}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Ticket(models.Model):
    class Category(models.TextChoices):
        GENERAL = "general", _("general")
        ORDER = "order", _("order")
        MATERIAL = "material", _("material request")

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")
        CRITICAL = "critical", _("critical")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    ticket_number = models.CharField(_("ticket number"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.GENERAL)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("department")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets_created",
        verbose_name=_("created by"),
    )  # fmt: skip
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TicketAssignment", through_fields=("ticket", "user"),
        related_name="tickets_assigned", blank=True, verbose_name=_("assignees"),
    )  # fmt: skip
    # Not the lending's "due date" (German: "Rückgabe bis"): a ticket is due, nothing comes back.
    due_date = models.DateField(pgettext_lazy("ticket", "due date"), null=True, blank=True)
    estimated_hours = models.DecimalField(_("estimated hours"), max_digits=7, decimal_places=2, null=True, blank=True)
    actual_hours = models.DecimalField(_("actual hours"), max_digits=7, decimal_places=2, null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    # Filed through the public order form (no user account behind it).
    is_external = models.BooleanField(_("external"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "assigned", "in_progress", "resolved", "closed"]),
                name="ticket_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=["low", "normal", "high", "critical"]), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=["general", "order", "material"]), name="ticket_category_valid"
            ),
            models.CheckConstraint(
                condition=(Q(estimated_hours__isnull=True) | Q(estimated_hours__gte=0))
                & (Q(actual_hours__isnull=True) | Q(actual_hours__gte=0)),
                name="ticket_hours_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["department", "due_date"]),
        ]

    def __str__(self):
        return f"{self.ticket_number} {self.title}"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.RESOLVED, self.Status.CLOSED)


class TicketAssignment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("assignee"))  # fmt: skip
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("assigned by"),
    )  # fmt: skip
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticket_assignment_unique")]

    def __str__(self):
        return f"{self.ticket.ticket_number} → {self.user}"


class TicketMessage(models.Model):
    """The conversation on a ticket; internal notes are for staff and never reach participants."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("author"),
    )  # fmt: skip
    # For messages without an account behind them (the external client).
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.ticket.ticket_number}: {self.body[:40]}"

    @property
    def author_display(self) -> str:
        if self.author is not None:
            return self.author.get_full_name() or self.author.username
        return self.author_name or "–"


class OrderDetails(models.Model):
    """The work order part of a ticket of category `order` (Auftrag)."""

    class ClientType(models.TextChoices):
        INTERNAL = "internal", _("internal")
        EXTERNAL = "external", _("external")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="order", primary_key=True)
    client_type = models.CharField(_("client"), max_length=20, choices=ClientType.choices,
                                   default=ClientType.INTERNAL)  # fmt: skip
    client_name = models.CharField(_("client name"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    order_description = models.TextField(_("order description"), blank=True)
    completion_date = models.DateField(_("completion date"), null=True, blank=True)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("order details")
        verbose_name_plural = _("order details")
        constraints = [
            models.CheckConstraint(condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="order_vat_rate_range"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="order_hourly_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.ticket.ticket_number} {self.client_name}"


class WorkLine(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="work_lines")
    work = models.CharField(_("work performed"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    service_category = models.CharField(_("service category"), max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("work line")
        verbose_name_plural = _("work performed")
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="work_line_hours_not_negative")]

    def __str__(self):
        return f"{self.work} ({self.hours} h)"


class MaterialLine(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="material_lines")
    material = models.CharField(_("material"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="Stk")
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("material line")
        verbose_name_plural = _("material")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="material_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="material_line_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} {self.unit} {self.material}"

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))
