import json

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Customer, Device, Order, OrderItem, Product, SyncRun
from .services import MAX_STOCK

JSON_MAX_DEPTH = 8
JSON_MAX_BYTES = 64 * 1024


def _depth(value, level: int = 0) -> int:
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def validate_json_object(value):
    """An object (or null) that every database stores: bounded size and depth, no NUL characters."""
    if value is None:
        return value
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("Expected an object."))
    text = json.dumps(value, ensure_ascii=False)
    if "\\u0000" in text or len(text.encode()) > JSON_MAX_BYTES or _depth(value) > JSON_MAX_DEPTH:
        raise serializers.ValidationError(_("Too large, nested too deeply, or holds characters that cannot be stored."))
    return value


class _SyncedSerializer(serializers.ModelSerializer):
    origin = serializers.SerializerMethodField()

    def get_origin(self, obj) -> str:
        return "remote" if obj.from_remote else "local"


class CustomerSerializer(_SyncedSerializer):
    # Remote data may hold anything; what people enter here is checked.
    email = serializers.EmailField(max_length=255, required=False, allow_blank=True)
    additional_info = serializers.JSONField(required=False, allow_null=True, validators=[validate_json_object])

    class Meta:
        model = Customer
        fields = [
            "id", "name", "title", "email", "phone", "address", "address2", "city", "country", "state", "zip",
            "additional_info", "created_time", "updated_time", "last_sync", "remote_deleted_at", "origin",
        ]  # fmt: skip
        read_only_fields = ["id", "created_time", "updated_time", "last_sync", "remote_deleted_at"]


class DeviceSerializer(_SyncedSerializer):
    customer = serializers.CharField(source="customer_id", read_only=True, allow_null=True)
    customer_name = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = [
            "id", "name", "type", "label", "customer", "customer_name", "additional_info", "created_time",
            "updated_time", "last_sync", "remote_deleted_at", "origin",
        ]  # fmt: skip
        read_only_fields = fields

    def get_customer_name(self, device) -> str | None:
        # None both for "no customer" and for a customer the local table does not hold (yet).
        return device.customer.name if device.customer_id and device.customer is not None else None


class ShopProductSerializer(_SyncedSerializer):
    class Meta:
        model = Product
        fields = [
            "id", "external_id", "name", "price", "stock", "category", "is_active", "remote_updated_at", "cost",
            "hidden", "analytics", "remote_deleted_at", "last_sync", "created_at", "updated_at", "origin",
        ]  # fmt: skip
        read_only_fields = fields


class ShopOrderItemSerializer(serializers.ModelSerializer):
    product_id = serializers.CharField(read_only=True, allow_null=True)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = OrderItem
        fields = ["position", "product_id", "name", "quantity", "price", "line_total"]


class ShopOrderSerializer(_SyncedSerializer):
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "external_id", "status", "total", "customer_name", "customer_phone", "ordered_at",
            "remote_updated_at", "notes", "item_count", "remote_deleted_at", "last_sync", "created_at", "updated_at",
            "origin",
        ]  # fmt: skip
        read_only_fields = fields


class ShopOrderDetailSerializer(ShopOrderSerializer):
    items = ShopOrderItemSerializer(many=True, read_only=True)
    item_count = serializers.SerializerMethodField()

    class Meta(ShopOrderSerializer.Meta):
        fields = [*ShopOrderSerializer.Meta.fields, "items"]
        read_only_fields = fields

    def get_item_count(self, order) -> int:
        return len(order.items.all())


class ShopOrderUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=40, required=False)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    customer_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    customer_phone = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class ShopOrderStatusSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=40)


# One serializer per `PUT /api/shop/products/<id>/<field>`.
PRODUCT_FIELD_SERIALIZERS = {
    "stock": serializers.IntegerField(min_value=-MAX_STOCK, max_value=MAX_STOCK),
    "price": serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True),
    "cost": serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True),
    "hidden": serializers.BooleanField(),
    "analytics": serializers.JSONField(validators=[validate_json_object]),
}


def product_field_serializer(name: str):
    return type(f"Product{name.title()}Serializer", (serializers.Serializer,), {name: PRODUCT_FIELD_SERIALIZERS[name]})


class SyncRunSerializer(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.username", default=None, read_only=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = SyncRun
        fields = [
            "id", "source", "entities", "trigger", "status", "dry_run", "started_by", "account", "created_at",
            "started_at", "finished_at", "duration_seconds", "progress", *SyncRun.COUNTS, "summary", "message",
            "errors",
        ]  # fmt: skip
        read_only_fields = fields


class SyncRequestSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False)
