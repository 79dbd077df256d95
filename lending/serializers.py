from django.utils.translation import gettext as _
from rest_framework import serializers

from inventory.serializers import ConsumableSerializer, ToolSerializer
from scandy_site.core.api.serializers import BuiltFieldsCacheMixin

from .models import Lending, Worker


class WorkerSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)

    class Meta:
        model = Worker
        fields = ["barcode", "first_name", "last_name", "department", "email", "active", "created_at", "updated_at"]
        read_only_fields = ["department", "created_at", "updated_at"]


class LendingSerializer(BuiltFieldsCacheMixin, serializers.ModelSerializer):
    tool_barcode = serializers.CharField(source="tool.barcode", read_only=True)
    tool_name = serializers.CharField(source="tool.name", read_only=True)
    worker_barcode = serializers.CharField(source="worker.barcode", read_only=True)
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)
    lent_by = serializers.CharField(source="lent_by.username", default=None, read_only=True)
    returned_by = serializers.CharField(source="returned_by.username", default=None, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Lending
        fields = [
            "id", "tool_barcode", "tool_name", "worker_barcode", "worker_name", "lent_at", "due_date",
            "returned_at", "lent_by", "returned_by", "notes", "is_overdue",
        ]  # fmt: skip


class LendingProcessSerializer(serializers.Serializer):
    tool_barcode = serializers.CharField(max_length=64, required=False, allow_blank=False)
    consumable_barcode = serializers.CharField(max_length=64, required=False, allow_blank=False)
    worker_barcode = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, default=1)
    due_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if bool(attrs.get("tool_barcode")) == bool(attrs.get("consumable_barcode")):
            raise serializers.ValidationError(
                {"tool_barcode": [_("Send exactly one of tool_barcode and consumable_barcode.")]}
            )
        return attrs


class LendingReturnSerializer(serializers.Serializer):
    tool_barcode = serializers.CharField(max_length=64)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    defective = serializers.BooleanField(required=False, default=False)


class ScanSerializer(serializers.Serializer):
    barcode = serializers.CharField(max_length=64)


def scan_payload(kind: str, obj) -> dict:
    """The `data` of POST /api/scan: the kind, the object and, for a tool, its open lending."""
    if kind == "tool":
        open_lendings = getattr(obj, "open_lendings", [])
        lending = open_lendings[0] if open_lendings else None
        if lending is not None:
            lending.tool = obj  # already loaded; saves a query
        return {
            "type": "tool",
            "tool": ToolSerializer(obj).data,
            "lending": LendingSerializer(lending).data if lending else None,
        }
    if kind == "consumable":
        return {"type": "consumable", "consumable": ConsumableSerializer(obj).data}
    return {"type": "worker", "worker": WorkerSerializer(obj).data}
