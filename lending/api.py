"""Scanner-station API (CONTRACT section 3): scan, lend, return, issue, history, overdue, workers."""

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import selectors as inventory_selectors
from inventory.serializers import StockMovementSerializer
from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.views import DepartmentScopedMixin, ScopedModelViewSet
from scandy_site.core.errors import ApplicationError

from . import selectors, services
from .filters import LendingFilter, WorkerFilter
from .serializers import (
    LendingProcessSerializer,
    LendingReturnSerializer,
    LendingSerializer,
    ScanSerializer,
    WorkerSerializer,
    scan_payload,
)

LENDING_PERMISSION = HasCapability.of("lending.use")

# What a scan found, said in the request's language (lazy: translated when the answer is rendered).
SCAN_MESSAGES = {
    "tool": gettext_lazy("Tool found."),
    "consumable": gettext_lazy("Consumable found."),
    "worker": gettext_lazy("Worker found."),
}


class WorkerViewSet(ScopedModelViewSet):
    """Workers: everyone at the scan station may look them up; managing them is for staff."""

    serializer_class = WorkerSerializer
    permission_classes = [HasCapability.of("lending.use", write="workers.manage", delete="workers.manage")]
    lookup_field = "barcode"
    lookup_value_regex = "[^/]+"
    filterset_class = WorkerFilter
    search_fields = ["barcode", "first_name", "last_name", "email"]
    ordering_fields = ["barcode", "first_name", "last_name", "created_at"]
    ordering = ["last_name", "first_name"]

    def get_queryset(self):
        return selectors.worker_list(department=self.department)

    def get_object(self):
        return selectors.worker_get(department=self.department, barcode=self.kwargs["barcode"])

    def perform_create(self, serializer):
        serializer.instance = services.worker_create(
            department=self.department_for_write(), user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.worker_update(
            worker=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            worker = self.object_for_write()
            services.worker_soft_delete(worker=worker, user=request.user)
        response = Response({"barcode": worker.barcode, "deleted": True})
        response.envelope_message = _("Moved to the trash.")
        return response


class ScanView(DepartmentScopedMixin, APIView):
    permission_classes = [LENDING_PERMISSION]

    @extend_schema(request=ScanSerializer, responses=None)
    def post(self, request):
        data = ScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind, obj = selectors.scan_lookup(department=self.department, barcode=data.validated_data["barcode"])
        response = Response(scan_payload(kind, obj))
        response.envelope_message = str(SCAN_MESSAGES[kind])
        return response


class LendingProcessView(DepartmentScopedMixin, APIView):
    """Lend a tool to a worker, or issue consumables to a worker."""

    permission_classes = [LENDING_PERMISSION]

    @extend_schema(request=LendingProcessSerializer, responses=LendingSerializer)
    def post(self, request):
        data = LendingProcessSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        args = data.validated_data
        worker = selectors.worker_get(department=self.department, barcode=args["worker_barcode"])
        if args.get("tool_barcode"):
            lending = services.lending_checkout_by_barcode(
                department=self.department, tool_barcode=args["tool_barcode"], worker=worker, user=request.user,
                due_date=args.get("due_date"), notes=args["notes"],
            )  # fmt: skip
            response = Response(LendingSerializer(lending).data, status=status.HTTP_201_CREATED)
            response.envelope_message = _("%(tool)s lent to %(worker)s until %(due_date)s.") % {
                "tool": lending.tool.name,
                "worker": worker.full_name,
                "due_date": date_format(lending.due_date, "SHORT_DATE_FORMAT"),
            }
            return response
        consumable = _known(
            inventory_selectors.consumable_get, self.department, args["consumable_barcode"], "consumable_barcode"
        )
        movement = services.consumable_issue(
            consumable=consumable, worker=worker, user=request.user, quantity=args["quantity"], notes=args["notes"]
        )
        response = Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)
        response.envelope_message = _("%(quantity)s %(unit)s %(name)s issued to %(worker)s; %(left)s left.") % {
            "quantity": args["quantity"],
            "unit": consumable.unit,
            "name": consumable.name,
            "worker": worker.full_name,
            "left": movement.stock_after,
        }
        return response


class LendingReturnView(DepartmentScopedMixin, APIView):
    permission_classes = [LENDING_PERMISSION]

    @extend_schema(request=LendingReturnSerializer, responses=LendingSerializer)
    def post(self, request):
        data = LendingReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lending = services.lending_return_by_barcode(
            department=self.department, tool_barcode=data.validated_data["tool_barcode"], user=request.user,
            notes=data.validated_data["notes"], defective=data.validated_data["defective"],
        )  # fmt: skip
        response = Response(LendingSerializer(lending).data)
        response.envelope_message = _("%(tool)s returned by %(worker)s.") % {
            "tool": lending.tool.name,
            "worker": lending.worker.full_name,
        }
        return response


class LendingHistoryView(DepartmentScopedMixin, generics.ListAPIView):
    permission_classes = [LENDING_PERMISSION]
    serializer_class = LendingSerializer
    filterset_class = LendingFilter
    search_fields = ["tool__barcode", "tool__name", "worker__barcode", "worker__first_name", "worker__last_name"]
    ordering_fields = ["lent_at", "due_date", "returned_at"]
    ordering = ["-lent_at", "-id"]

    def get_queryset(self):
        return selectors.lending_list(department=self.department)


class LendingOverdueView(LendingHistoryView):
    def get_queryset(self):
        return selectors.lendings_overdue(department=self.department)


def _known(getter, department, barcode, field):
    """A barcode the station sent that does not exist is UNKNOWN_BARCODE, not a plain 404."""
    try:
        return getter(department=department, barcode=barcode)
    except ApplicationError as exc:
        if exc.code != "NOT_FOUND":
            raise
        raise ApplicationError("UNKNOWN_BARCODE", exc.message, errors={field: [_("unknown")]}) from exc
