from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BarcodeKind(models.TextChoices):
    TOOL = "tool", _("tool")
    CONSUMABLE = "consumable", _("consumable")
    WORKER = "worker", _("worker")


class BarcodeRegistration(models.Model):
    """One row per barcode in use: makes barcodes unique within a department across tools,
    consumables and workers (the database enforces it) and lets a scan find the kind in one query."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    barcode = models.CharField(_("barcode"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=BarcodeKind.choices)
    object_id = models.PositiveBigIntegerField(_("object ID"))

    class Meta:
        verbose_name = _("barcode registration")
        verbose_name_plural = _("barcode registrations")
        constraints = [
            models.UniqueConstraint(fields=["department", "barcode"], name="barcode_unique_per_department"),
            models.UniqueConstraint(fields=["kind", "object_id"], name="barcode_one_per_object"),
        ]

    def __str__(self):
        return f"{self.barcode} ({self.kind})"


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class Category(models.Model):
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="categories", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="category_unique_per_department")]

    def __str__(self):
        return self.name


class Location(models.Model):
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="locations", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="location_unique_per_department")]

    def __str__(self):
        return self.name


class InventoryItem(models.Model):
    """Fields tools and consumables share."""

    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, verbose_name=_("department"))
    barcode = models.CharField(_("barcode"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("category"))
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("location"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("deleted by"),
    )  # fmt: skip

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.barcode})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Tool(InventoryItem):
    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        LENT = "lent", _("lent")
        DEFECTIVE = "defective", _("defective")
        MAINTENANCE = "maintenance", _("maintenance")

    class Condition(models.TextChoices):
        NEW = "new", _("new")
        GOOD = "good", _("good")
        WORN = "worn", _("worn")
        DAMAGED = "damaged", _("damaged")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices, default=Condition.GOOD)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_price = models.DecimalField(_("purchase price"), max_digits=12, decimal_places=2, null=True, blank=True)
    maintenance_due = models.DateField(_("maintenance due"), null=True, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta(InventoryItem.Meta):
        verbose_name = _("tool")
        verbose_name_plural = _("tools")
        constraints = [
            models.UniqueConstraint(fields=["department", "barcode"], name="tool_barcode_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["available", "lent", "defective", "maintenance"]), name="tool_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(purchase_price__isnull=True) | Q(purchase_price__gte=0), name="tool_price_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["department", "status"])]


class MaintenanceRecord(models.Model):
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="maintenance_records", verbose_name=_("tool"))
    date = models.DateField(_("date"))
    description = models.TextField(_("description"))
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    performed_by = models.CharField(_("performed by"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance records")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="maintenance_cost_not_negative"
            )
        ]

    def __str__(self):
        return f"{self.tool} {self.date}"


class Consumable(InventoryItem):
    unit = models.CharField(_("unit"), max_length=20, default="Stk")
    current_stock = models.IntegerField(_("current stock"), default=0)
    min_stock = models.PositiveIntegerField(_("minimum stock"), default=0)
    max_stock = models.PositiveIntegerField(_("maximum stock"), null=True, blank=True)
    cost_per_unit = models.DecimalField(_("cost per unit"), max_digits=12, decimal_places=2, null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    last_ordered_at = models.DateField(_("last ordered"), null=True, blank=True)

    class Meta(InventoryItem.Meta):
        verbose_name = _("consumable")
        verbose_name_plural = _("consumables")
        constraints = [
            models.UniqueConstraint(fields=["department", "barcode"], name="consumable_barcode_unique"),
            models.CheckConstraint(condition=Q(current_stock__gte=0), name="consumable_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(max_stock__isnull=True) | Q(max_stock__gte=models.F("min_stock")),
                name="consumable_max_not_below_min",
            ),
            models.CheckConstraint(
                condition=Q(cost_per_unit__isnull=True) | Q(cost_per_unit__gte=0), name="consumable_cost_not_negative"
            ),
        ]

    @property
    def below_min(self) -> bool:
        return self.current_stock < self.min_stock


class StockMovement(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("receipt")
        ISSUE = "issue", _("issue")
        ADJUSTMENT = "adjustment", _("adjustment")
        IMPORT = "import", _("import")

    consumable = models.ForeignKey(
        Consumable, on_delete=models.CASCADE, related_name="movements", verbose_name=_("consumable")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ADJUSTMENT)
    delta = models.IntegerField(_("quantity"))
    stock_after = models.IntegerField(_("stock afterwards"))
    reason = models.CharField(_("reason"), max_length=255)
    worker = models.ForeignKey(
        "lending.Worker", null=True, blank=True, on_delete=models.SET_NULL, related_name="stock_movements",
        verbose_name=_("worker"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="stock_movement_not_zero"),
            models.CheckConstraint(condition=Q(stock_after__gte=0), name="stock_movement_after_not_negative"),
        ]
        indexes = [models.Index(fields=["consumable", "created_at"])]

    def __str__(self):
        return f"{self.consumable}: {self.delta:+d}"
