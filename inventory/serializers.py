import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from scandy_site.core.api.serializers import BuiltFieldsCacheMixin

from .models import Category, Consumable, Location, MaintenanceRecord, StockMovement, Tool
from .services import CONSUMABLE_FIELDS, MAX_STOCK, TOOL_FIELDS

CUSTOM_FIELDS_MAX_DEPTH = 8


def _storable_text(value: str) -> bool:
    # PostgreSQL refuses NUL in text and json; lone surrogates cannot be encoded at all.
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_json(value, depth: int = 0) -> None:
    if depth > CUSTOM_FIELDS_MAX_DEPTH:
        raise serializers.ValidationError(_("Nested too deeply."))
    if isinstance(value, str) and not _storable_text(value):
        raise serializers.ValidationError(_("Contains characters that cannot be stored."))
    if isinstance(value, float) and not math.isfinite(value):
        raise serializers.ValidationError(_("Numbers must be finite."))
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(str(key), depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)


class DepartmentSlugField(serializers.SlugRelatedField):
    """A category or location given by name, looked up in the current department."""

    def get_queryset(self):
        view = self.context.get("view")
        department = getattr(view, "department", None) if view else None
        instance = getattr(self.parent, "instance", None)
        if instance is not None and not isinstance(instance, list):
            department = instance.department
        qs = self.queryset
        return qs.none() if department is None else qs.filter(department=department)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _storable_text(data) or len(data) > 100:
            self.fail("invalid")
        return super().to_internal_value(data)


class InventoryItemSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    category = DepartmentSlugField(slug_field="name", queryset=Category.objects.all(), allow_null=True, required=False)
    location = DepartmentSlugField(slug_field="name", queryset=Location.objects.all(), allow_null=True, required=False)
    department = serializers.CharField(source="department.code", read_only=True)


class ToolSerializer(InventoryItemSerializer):
    class Meta:
        model = Tool
        fields = [*TOOL_FIELDS, "department", "created_at", "updated_at"]
        read_only_fields = ["department", "created_at", "updated_at"]
        extra_kwargs = {"purchase_price": {"min_value": 0}}

    def validate_custom_fields(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Expected an object of names and values."))
        _check_json(value)
        return value


class ConsumableSerializer(InventoryItemSerializer):
    below_min = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consumable
        fields = [*CONSUMABLE_FIELDS, "current_stock", "below_min", "department", "created_at", "updated_at"]
        read_only_fields = ["department", "created_at", "updated_at"]
        extra_kwargs = {
            "current_stock": {"required": False, "min_value": 0, "max_value": MAX_STOCK},
            "min_stock": {"max_value": MAX_STOCK},
            "max_stock": {"max_value": MAX_STOCK},
            "cost_per_unit": {"min_value": 0},
        }


class MaintenanceInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    description = serializers.CharField(max_length=5000)
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    performed_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    next_due = serializers.DateField(required=False, allow_null=True)


class MaintenanceRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaintenanceRecord
        fields = ["id", "date", "description", "cost", "performed_by", "created_at"]


class AdjustStockInputSerializer(serializers.Serializer):
    delta = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)
    reason = serializers.CharField(max_length=255)
    worker_barcode = serializers.CharField(max_length=64, required=False, allow_blank=True)


class StockMovementSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    consumable = serializers.CharField(source="consumable.barcode")
    worker = serializers.CharField(source="worker.barcode", default=None)
    user = serializers.CharField(source="user.username", default=None)

    class Meta:
        model = StockMovement
        fields = ["id", "consumable", "kind", "delta", "stock_after", "reason", "worker", "user", "created_at"]
