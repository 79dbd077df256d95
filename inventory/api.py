"""DRF endpoints for tools and consumables (CONTRACT section 3). Thin: parse, call, render."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from lending.selectors import worker_get
from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.views import ScopedModelViewSet

from . import selectors, services
from .filters import ConsumableFilter, ToolFilter
from .serializers import (
    AdjustStockInputSerializer,
    ConsumableSerializer,
    MaintenanceInputSerializer,
    MaintenanceRecordSerializer,
    StockMovementSerializer,
    ToolSerializer,
)

INVENTORY_PERMISSION = HasCapability.of("inventory.view", write="inventory.edit", delete="inventory.delete")


class _InventoryViewSet(ScopedModelViewSet):
    permission_classes = [INVENTORY_PERMISSION]
    lookup_field = "barcode"
    lookup_value_regex = "[^/]+"
    search_fields = ["barcode", "name", "description"]

    def create(self, request, *args, **kwargs):
        # Across all departments there is nowhere to create; say so before judging the fields.
        self.department_for_write()
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance):
        self.delete_service(instance, user=self.request.user)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.object_for_write()
            self.perform_destroy(instance)
        response = Response({"barcode": instance.barcode, "deleted": True}, status=status.HTTP_200_OK)
        response.envelope_message = _("Moved to the trash.")
        return response


class ToolViewSet(_InventoryViewSet):
    serializer_class = ToolSerializer
    filterset_class = ToolFilter
    search_fields = ["barcode", "name", "description", "serial_number"]
    ordering_fields = ["barcode", "name", "status", "purchase_date", "maintenance_due", "created_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.tool_list(department=self.department)

    def get_object(self):
        return selectors.tool_get(department=self.department, barcode=self.kwargs["barcode"])

    def perform_create(self, serializer):
        serializer.instance = services.tool_create(
            department=self.department_for_write(), user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.tool_update(
            tool=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def delete_service(self, instance, *, user):
        services.tool_soft_delete(tool=instance, user=user)

    @extend_schema(request=MaintenanceInputSerializer, responses=MaintenanceRecordSerializer)
    @action(detail=True, methods=["post", "get"])
    def maintenance(self, request, barcode=None):
        tool = self.get_object()
        if request.method == "GET":
            records = tool.maintenance_records.all()
            return Response(MaintenanceRecordSerializer(records, many=True).data)
        data = MaintenanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.tool_add_maintenance(tool=tool, user=request.user, **data.validated_data)
        response = Response(MaintenanceRecordSerializer(record).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Maintenance recorded.")
        return response


class ConsumableViewSet(_InventoryViewSet):
    serializer_class = ConsumableSerializer
    filterset_class = ConsumableFilter
    search_fields = ["barcode", "name", "description", "supplier"]
    ordering_fields = ["barcode", "name", "current_stock", "min_stock", "created_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.consumable_list(department=self.department)

    def get_object(self):
        return selectors.consumable_get(department=self.department, barcode=self.kwargs["barcode"])

    def perform_create(self, serializer):
        serializer.instance = services.consumable_create(
            department=self.department_for_write(), user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        fields = dict(serializer.validated_data)
        # A full PUT echoes the stock it read; only a real change has to go through adjust-stock.
        if fields.get("current_stock") == serializer.instance.current_stock:
            fields.pop("current_stock")
        serializer.instance = services.consumable_update(
            consumable=serializer.instance, user=self.request.user, **fields
        )

    def delete_service(self, instance, *, user):
        services.consumable_soft_delete(consumable=instance, user=user)

    @extend_schema(request=AdjustStockInputSerializer, responses=StockMovementSerializer)
    @action(detail=True, methods=["post"], url_path="adjust-stock")
    def adjust_stock(self, request, barcode=None):
        consumable = self.get_object()
        data = AdjustStockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        worker_barcode = data.validated_data.get("worker_barcode")
        worker = worker_get(department=consumable.department, barcode=worker_barcode) if worker_barcode else None
        movement = services.consumable_adjust_stock(
            consumable=consumable,
            user=request.user,
            delta=data.validated_data["delta"],
            reason=data.validated_data["reason"],
            worker=worker,
        )
        response = Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("Stock is now %(stock)s %(unit)s.") % {
            "stock": movement.stock_after,
            "unit": consumable.unit,
        }
        return response

    @extend_schema(
        responses=inline_serializer(
            "ConsumableForecast",
            {
                "barcode": serializers.CharField(),
                "current_stock": serializers.IntegerField(),
                "min_stock": serializers.IntegerField(),
                "max_stock": serializers.IntegerField(allow_null=True),
                "period_days": serializers.IntegerField(),
                "average_daily_use": serializers.FloatField(),
                "days_until_min": serializers.FloatField(allow_null=True),
                "days_until_empty": serializers.FloatField(allow_null=True),
                "suggested_order_quantity": serializers.IntegerField(),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def forecast(self, request, barcode=None):
        consumable = self.get_object()
        data = {"barcode": consumable.barcode, "current_stock": consumable.current_stock,
                "min_stock": consumable.min_stock, "max_stock": consumable.max_stock}  # fmt: skip
        data.update(selectors.consumable_forecast(consumable=consumable).as_dict())
        return Response(data)

    @extend_schema(responses=StockMovementSerializer(many=True))
    @action(detail=True, methods=["get"])
    def movements(self, request, barcode=None):
        consumable = self.get_object()
        page = self.paginate_queryset(consumable.movements.select_related("user", "worker", "consumable"))
        return self.get_paginated_response(StockMovementSerializer(page, many=True).data)
