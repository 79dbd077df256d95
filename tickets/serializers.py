from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from scandy_site.core.models import ChangeEvent

from .models import MaterialLine, OrderDetails, Ticket, TicketAssignment, TicketMessage, WorkLine
from .totals import totals_for


def _storable(value: str) -> str:
    if "\x00" in value:
        raise serializers.ValidationError(_("Contains characters that cannot be stored."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise serializers.ValidationError(_("Contains characters that cannot be stored.")) from exc
    return value


class TextField(serializers.CharField):
    def to_internal_value(self, data):
        return _storable(super().to_internal_value(data))


class AssignmentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    assigned_by = serializers.CharField(source="assigned_by.username", default=None)

    class Meta:
        model = TicketAssignment
        fields = ["username", "name", "assigned_by", "assigned_at"]

    def get_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.username


class WorkLineSerializer(serializers.ModelSerializer):
    work = TextField(max_length=300)

    class Meta:
        model = WorkLine
        fields = ["id", "work", "hours", "service_category"]
        read_only_fields = ["id"]
        extra_kwargs = {"hours": {"min_value": 0, "max_value": 99999}}


class MaterialLineSerializer(serializers.ModelSerializer):
    material = TextField(max_length=300)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = MaterialLine
        fields = ["id", "material", "quantity", "unit", "unit_price", "total"]
        read_only_fields = ["id", "total"]
        extra_kwargs = {"quantity": {"min_value": Decimal("0.01")}, "unit_price": {"min_value": 0}}


class OrderDetailsSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderDetails
        fields = ["client_type", "client_name", "contact_name", "contact_email", "contact_phone",
                  "order_description", "completion_date", "vat_rate", "hourly_rate"]  # fmt: skip
        extra_kwargs = {
            "vat_rate": {"required": False, "min_value": 0, "max_value": 100},
            "hourly_rate": {"required": False, "min_value": 0},
        }


class OrderSerializer(OrderDetailsSerializer):
    """Order details with their lines and totals (read), or all of it at once (PUT …/order)."""

    work_lines = WorkLineSerializer(many=True, source="ticket.work_lines", required=False)
    material_lines = MaterialLineSerializer(many=True, source="ticket.material_lines", required=False)
    totals = serializers.SerializerMethodField()

    class Meta(OrderDetailsSerializer.Meta):
        fields = [*OrderDetailsSerializer.Meta.fields, "work_lines", "material_lines", "totals"]

    def get_totals(self, obj) -> dict:
        return totals_for(obj.ticket).as_dict()


class TicketSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    assignees = AssignmentSerializer(source="assignments", many=True, read_only=True)
    tags = serializers.SerializerMethodField()
    order = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["id", "ticket_number", "title", "description", "category", "priority", "status", "department",
                  "created_by", "assignees", "due_date", "estimated_hours", "actual_hours", "tags", "is_external",
                  "created_at", "updated_at", "resolved_at", "closed_at", "order"]  # fmt: skip
        read_only_fields = fields

    def get_tags(self, obj) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())

    def get_order(self, obj) -> dict | None:
        order = getattr(obj, "order", None)
        return OrderSerializer(order).data if order is not None else None


class TicketInputSerializer(serializers.Serializer):
    title = TextField(max_length=200)
    description = TextField(max_length=20000, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Ticket.Category.choices, required=False)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    estimated_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False,
                                               allow_null=True)  # fmt: skip
    actual_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False,
                                            allow_null=True)  # fmt: skip
    tags = serializers.ListField(child=TextField(max_length=50), max_length=20, required=False)
    # Only when creating:
    assignees = serializers.ListField(child=serializers.CharField(max_length=150), max_length=20, required=False)
    order = OrderDetailsSerializer(required=False)


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_display", read_only=True)
    body = TextField(max_length=20000)
    internal = serializers.BooleanField(source="is_internal", required=False, default=False)

    class Meta:
        model = TicketMessage
        fields = ["id", "author", "body", "internal", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class AssignInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class TransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket.Status.choices)


class HistorySerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", default=None)
    note = serializers.CharField(source="shown_note", read_only=True)

    class Meta:
        model = ChangeEvent
        fields = ["id", "type", "action", "changes", "note", "user", "at"]


class OrderInputSerializer(OrderDetailsSerializer):
    """`PUT /api/tickets/<id>/order`: the details and both line lists, replacing what was there."""

    work_lines = WorkLineSerializer(many=True, required=False)
    material_lines = MaterialLineSerializer(many=True, required=False)

    class Meta(OrderDetailsSerializer.Meta):
        fields = [*OrderDetailsSerializer.Meta.fields, "work_lines", "material_lines"]
