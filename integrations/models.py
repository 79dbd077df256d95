"""Local copies of outside systems (CONTRACT section 5) and the record of every sync run.

Every synced model keeps, per record, the last values the remote system sent for the mapped fields
(`remote_base`, with a hash of them): the base of the three-way merge that lets a later sync tell a
local edit from a remote change (see `integrations.engine`).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    THINGSBOARD = "thingsboard", "ThingsBoard"
    SHOP = "shop", _("Shop")


class SyncSource(models.Model):
    """One row per outside system: its last run, for the admin and `GET /api/sync/status`."""

    code = models.CharField(_("source"), max_length=20, primary_key=True, choices=Source.choices)
    last_run = models.ForeignKey(
        "SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("last run")
    )
    last_success_at = models.DateTimeField(_("last successful sync"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sync source")
        verbose_name_plural = _("sync sources")

    def __str__(self):
        return self.get_code_display()


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        COMMAND = "command", _("command")
        SCHEDULE = "schedule", _("schedule")
        WORKER_START = "worker_start", _("worker start")
        API = "api", _("API")
        ADMIN = "admin", _("admin")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    COUNTS = ("created", "updated", "unchanged", "preserved", "conflicts", "deleted", "failed")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    entities = models.JSONField(_("record types"), default=list, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(_("dry run"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip
    # Which remote account the run used ("service account" or a user name); never a password.
    account = models.CharField(_("account"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    preserved = models.PositiveIntegerField(_("preserved"), default=0)
    conflicts = models.PositiveIntegerField(_("conflicts"), default=0)
    deleted = models.PositiveIntegerField(_("deleted remotely"), default=0)
    failed = models.PositiveIntegerField(_("failed records"), default=0)
    message = models.TextField(_("message"), blank=True)
    # [{"entity", "remote_id", "message"}] of the records that were skipped (capped, see engine.MAX_ERRORS).
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        constraints = [
            # The per-source lock: at most one queued or running run per source, whichever process asks.
            models.UniqueConstraint(
                fields=["source"], condition=Q(status__in=["queued", "running"]), name="sync_one_active_run_per_source"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]), name="sync_run_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["source", "-created_at"], name="sync_run_source_created")]

    def __str__(self):
        return f"{self.get_source_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNTS}

    def summary(self) -> str:
        """The one line of CONTRACT section 1: `created=N updated=N ... failed=N`."""
        return " ".join(f"{name}={value}" for name, value in self.counts().items())


class SyncConflict(models.Model):
    """A field edited here whose remote value changed too. The local value stays until someone
    resolves it: "take remote" writes the remote value, "keep local" accepts the local one."""

    class Resolution(models.TextChoices):
        REMOTE = "remote", _("took remote value")
        LOCAL = "local", _("kept local value")
        SETTLED = "settled", _("settled: the values agree")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    entity = models.CharField(_("record type"), max_length=30)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(_("record"), max_length=64)
    record_label = models.CharField(_("record name"), max_length=255, blank=True)
    field = models.CharField(_("field"), max_length=64)
    base_value = models.JSONField(_("earlier remote value"), null=True, blank=True)
    local_value = models.JSONField(_("local value"), null=True, blank=True)
    remote_value = models.JSONField(_("remote value"), null=True, blank=True)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="conflict_set")
    detected_at = models.DateTimeField(_("detected"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("sync conflict")
        verbose_name_plural = _("sync conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field"],
                condition=Q(resolved_at__isnull=True),
                name="sync_one_open_conflict_per_field",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "source"], name="sync_conflict_open")]

    def __str__(self):
        return f"{self.record_label or self.object_id}: {self.field_label}"

    @property
    def field_label(self) -> str:
        """The field's name in the active language ("Preis" for `price`); its code if the model lacks it."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            return str(capfirst(model._meta.get_field(self.field).verbose_name))
        except (AttributeError, FieldDoesNotExist):
            return self.field

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class SyncedRecord(models.Model):
    """What every synced model carries for the engine."""

    # The last values the remote system sent for the mapped fields (JSON-safe), and their hash.
    # Empty for records created here: those are never marked as deleted remotely.
    remote_base = models.JSONField(null=True, blank=True, editable=False)
    remote_hash = models.CharField(max_length=40, blank=True, default="", editable=False)
    # The hash of the whole remote record as last written here: when the next sync receives the very same
    # record, it need not even map it (a cache; a stale value only costs mapping the record again).
    remote_raw_hash = models.CharField(max_length=40, blank=True, default="", editable=False)
    remote_deleted_at = models.DateTimeField(_("deleted remotely"), null=True, blank=True)
    # When a sync last wrote this record (an unchanged record is not written, so not touched).
    last_sync = models.DateTimeField(_("last sync"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def from_remote(self) -> bool:
        return bool(self.remote_hash)


# --- ThingsBoard (CONTRACT 5.1) -------------------------------------------------------------------


class Customer(SyncedRecord):
    """The `customers` table of the original design. `id` is the ThingsBoard customer id (a UUID);
    customers added here get a fresh UUID of their own."""

    id = models.CharField(_("ID"), max_length=36, primary_key=True)
    name = models.CharField(_("name"), max_length=255)
    title = models.CharField(_("title"), max_length=255, blank=True)
    email = models.CharField(_("email"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    address2 = models.CharField(_("address line 2"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=255, blank=True)
    country = models.CharField(_("country"), max_length=255, blank=True)
    state = models.CharField(pgettext_lazy("address", "state"), max_length=255, blank=True)
    zip = models.CharField(_("postcode"), max_length=50, blank=True)
    additional_info = models.JSONField(_("additional info"), null=True, blank=True)
    created_time = models.DateTimeField(_("created in ThingsBoard"), null=True, blank=True)
    updated_time = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "customers"
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["name"], name="customers_name_idx"),
            models.Index(fields=["last_sync"], name="customers_last_sync_idx"),
        ]

    def __str__(self):
        return self.name or self.title or self.id


class Device(SyncedRecord):
    """A ThingsBoard tenant device; `customer` may name a customer the local table does not hold
    (yet): the reference is kept, and pages show "unknown customer"."""

    id = models.CharField(_("ID"), max_length=36, primary_key=True)
    name = models.CharField(_("name"), max_length=255)
    type = models.CharField(_("type"), max_length=255, blank=True)
    label = models.CharField(_("label"), max_length=255, blank=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="devices",
        verbose_name=_("customer"),
    )  # fmt: skip
    additional_info = models.JSONField(_("additional info"), null=True, blank=True)
    created_time = models.DateTimeField(_("created in ThingsBoard"), null=True, blank=True)
    updated_time = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "devices"
        ordering = ["name", "id"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [
            models.Index(fields=["name"], name="devices_name_idx"),
            models.Index(fields=["type"], name="devices_type_idx"),
        ]

    def __str__(self):
        return self.name or self.id


# --- Shop (CONTRACT 5.2) --------------------------------------------------------------------------


class Product(SyncedRecord):
    external_id = models.CharField(_("shop ID"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    stock = models.IntegerField(_("stock"), default=0)
    category = models.CharField(_("category"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active in the shop"), default=True)
    remote_updated_at = models.DateTimeField(_("updated in the shop"), null=True, blank=True)
    # Local only: never written by a sync.
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    analytics = models.JSONField(_("analytics"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "products"
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["name"], name="products_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="product_cost_not_negative")
        ]

    def __str__(self):
        return self.name or self.external_id


class Order(SyncedRecord):
    external_id = models.CharField(_("shop ID"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=40)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, null=True, blank=True)
    customer_name = models.CharField(_("customer name"), max_length=255, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=100, blank=True)
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    remote_updated_at = models.DateTimeField(_("updated in the shop"), null=True, blank=True)
    # Local only.
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "orders"
        ordering = ["-ordered_at", "-id"]
        verbose_name = pgettext_lazy("shop", "order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["status"], name="orders_status_idx"),
            models.Index(fields=["ordered_at"], name="orders_ordered_at_idx"),
        ]

    def __str__(self):
        return f"#{self.external_id}"


class OrderItem(models.Model):
    """The lines of an order, as the shop sent them (replaced whenever the shop's lines change)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product, to_field="external_id", db_column="product_external_id", null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("product"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=255, blank=True)
    quantity = models.IntegerField(_("quantity"), default=1)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "order_items"
        ordering = ["order", "position"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")

    def __str__(self):
        return f"{self.quantity} × {self.name}"

    @property
    def line_total(self):
        return None if self.price is None else self.price * self.quantity


class ProductTrend(models.Model):
    """Quantity sold and revenue per product and day, rebuilt from the orders after each sync."""

    product = models.ForeignKey(
        Product, to_field="external_id", db_column="product_external_id", on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="trends", verbose_name=_("product"),
    )  # fmt: skip
    day = models.DateField(_("day"))
    quantity = models.IntegerField(_("quantity sold"), default=0)
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)

    class Meta:
        db_table = "product_trends"
        ordering = ["product", "day"]
        verbose_name = _("product trend")
        verbose_name_plural = _("product trends")
        constraints = [models.UniqueConstraint(fields=["product", "day"], name="product_trend_one_per_day")]

    def __str__(self):
        return f"{self.product_id} {self.day}"
