"""The integrations API (CONTRACT section 3). Every read answers from the local tables, so it works
while ThingsBoard or the shop are down; sync triggers queue a django-q2 task and answer with the run."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from scandy_site.accounts.permissions import HasCapability
from scandy_site.core.api.views import ETagMixin
from scandy_site.core.errors import ApplicationError

from . import selectors, services
from .filters import CustomerFilter, DeviceFilter, OrderFilter, ProductFilter, SyncRunFilter
from .models import Source, SyncRun
from .serializers import (
    CustomerSerializer,
    DeviceSerializer,
    ShopOrderDetailSerializer,
    ShopOrderSerializer,
    ShopOrderStatusSerializer,
    ShopOrderUpdateSerializer,
    ShopProductSerializer,
    SyncRequestSerializer,
    SyncRunSerializer,
    product_field_serializer,
)

CUSTOMERS = HasCapability.of("customers.view", write="customers.edit")
SHOP = HasCapability.of("shop.view", write="shop.edit")
SYNC = HasCapability.of("integrations.sync")

SyncStartedSerializer = inline_serializer(
    "SyncStarted",
    {
        "run_id": serializers.IntegerField(),
        "source": serializers.CharField(),
        "entities": serializers.ListField(child=serializers.CharField()),
        "status": serializers.CharField(),
        "already_running": serializers.BooleanField(),
    },
)


def start_sync(request, *, source: str, entities=None) -> Response:
    """Queue a run (or report the one already queued or running) and answer 202 with its id."""
    if not isinstance(request.data, dict):
        raise ApplicationError("VALIDATION_ERROR", _("Expected a JSON object (or no body)."))
    options = SyncRequestSerializer(data=request.data)
    options.is_valid(raise_exception=True)
    run, created = services.sync_request(
        source=source, trigger=SyncRun.Trigger.API, user=request.user, entities=entities,
        dry_run=options.validated_data["dry_run"],
    )  # fmt: skip
    response = Response(
        {"run_id": run.pk, "source": run.source, "entities": run.entities, "status": run.status,
         "already_running": not created},
        status=status.HTTP_202_ACCEPTED,
    )  # fmt: skip
    if created:
        response.envelope_message = _("Sync queued as run #%(id)s.") % {"id": run.pk}
    else:
        response.envelope_message = _("A %(source)s sync is already %(status)s (run #%(id)s).") % {
            "source": run.get_source_display(), "status": run.get_status_display(), "id": run.pk,
        }  # fmt: skip
    return response


class _DetailByIdMixin:
    lookup_value_regex = "[^/]+"
    getter = None

    def get_object(self):
        obj = type(self).getter(self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj


# --- ThingsBoard cache ---------------------------------------------------------------------------------------


class CustomerViewSet(
    _DetailByIdMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    """Customers from ThingsBoard (and added here). Local edits survive every later sync."""

    serializer_class = CustomerSerializer
    permission_classes = [CUSTOMERS]
    filterset_class = CustomerFilter
    search_fields = ["name", "title", "email", "city", "phone"]
    ordering_fields = ["name", "title", "city", "country", "created_time", "updated_time", "last_sync"]
    ordering = ["name", "id"]
    getter = staticmethod(selectors.customer_get)

    def get_queryset(self):
        return selectors.customer_list()

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.customer_update(
            customer=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=SyncRequestSerializer, responses={202: SyncStartedSerializer})
    @action(detail=False, methods=["post"], permission_classes=[SYNC])
    def sync(self, request):
        """Queue a ThingsBoard sync (customers and devices) with the caller's own credentials if stored."""
        return start_sync(request, source=Source.THINGSBOARD)


class DeviceViewSet(
    _DetailByIdMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = DeviceSerializer
    permission_classes = [CUSTOMERS]
    filterset_class = DeviceFilter
    search_fields = ["name", "label", "type", "customer__name"]
    ordering_fields = ["name", "type", "label", "customer__name", "created_time", "updated_time"]
    ordering = ["name", "id"]
    getter = staticmethod(selectors.device_get)

    def get_queryset(self):
        return selectors.device_list()


# --- Shop ---------------------------------------------------------------------------------------------------------


class OrderViewSet(
    _DetailByIdMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [SHOP]
    filterset_class = OrderFilter
    search_fields = ["external_id", "customer_name", "customer_phone", "status"]
    ordering_fields = ["ordered_at", "status", "total", "customer_name", "updated_at"]
    ordering = ["-ordered_at", "-id"]
    lookup_value_regex = "[0-9]+"
    getter = staticmethod(selectors.order_get)

    def get_queryset(self):
        return selectors.order_list()

    def get_serializer_class(self):
        return ShopOrderSerializer if self.action == "list" else ShopOrderDetailSerializer

    def _save(self, request, fields: dict) -> Response:
        order = self.get_object()
        self.check_if_match(order)
        order = services.order_update(order=order, user=request.user, **fields)
        response = Response(ShopOrderDetailSerializer(selectors.order_get(order.pk)).data)
        response.envelope_message = _("Order saved; the change stays when the shop is synced again.")
        return response

    @extend_schema(request=ShopOrderUpdateSerializer, responses=ShopOrderDetailSerializer)
    def update(self, request, *args, **kwargs):
        """Change status, total, customer name/phone or notes; only the fields sent change."""
        data = ShopOrderUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._save(request, data.validated_data)

    @extend_schema(request=ShopOrderUpdateSerializer, responses=ShopOrderDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(request=ShopOrderStatusSerializer, responses=ShopOrderDetailSerializer)
    @action(detail=True, methods=["put"], url_path="status")
    def set_status(self, request, pk=None):
        data = ShopOrderStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._save(request, {"status": data.validated_data["status"]})

    @extend_schema(
        parameters=[inline_serializer("OrderStatsQuery", {"since": serializers.DateField(required=False),
                                                          "until": serializers.DateField(required=False)})],
        responses=inline_serializer("OrderStats", {"total_orders": serializers.IntegerField(),
                                                   "total_revenue": serializers.DecimalField(14, 2)}),
    )  # fmt: skip
    @action(detail=False, methods=["get"])
    def stats(self, request):
        """Counts and revenue by status and by day (revenue without cancelled/refunded/failed orders)."""
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.order_stats(**query.validated_data))


class StatsQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": [_("must not be before since")]})
        return attrs


def _product_field_action(name: str):
    def update_field(self, request, pk=None):
        product = self.get_object()
        self.check_if_match(product)
        data = product_field_serializer(name)(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_update(product=product, user=request.user, **{name: data.validated_data[name]})
        response = Response(ShopProductSerializer(product).data)
        response.envelope_message = _("Product saved.")
        return response

    update_field.__name__ = update_field.__qualname__ = f"set_{name}"
    update_field.__doc__ = f"Set `{name}` (a local edit that later syncs keep)."
    decorated = action(detail=True, methods=["put"], url_path=name)(update_field)
    return extend_schema(request=product_field_serializer(name), responses=ShopProductSerializer)(decorated)


class ProductViewSet(
    _DetailByIdMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ShopProductSerializer
    permission_classes = [SHOP]
    filterset_class = ProductFilter
    search_fields = ["name", "category", "external_id"]
    ordering_fields = ["name", "price", "stock", "category", "updated_at"]
    ordering = ["name", "id"]
    lookup_value_regex = "[0-9]+"
    getter = staticmethod(selectors.product_get)

    def get_queryset(self):
        return selectors.product_list()

    set_stock = _product_field_action("stock")
    set_price = _product_field_action("price")
    set_cost = _product_field_action("cost")
    set_analytics = _product_field_action("analytics")
    set_hidden = _product_field_action("hidden")


class ShopSyncView(APIView):
    permission_classes = [SYNC]
    entity = ""

    @extend_schema(request=SyncRequestSerializer, responses={202: SyncStartedSerializer})
    def post(self, request):
        return start_sync(request, source=Source.SHOP, entities=[self.entity])


# --- Sync runs ---------------------------------------------------------------------------------------------------


class SyncRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SyncRunSerializer
    permission_classes = [SYNC]
    filterset_class = SyncRunFilter
    ordering_fields = ["created_at", "started_at", "finished_at"]
    ordering = ["-id"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.sync_runs()


class SyncStatusView(APIView):
    permission_classes = [SYNC]

    @extend_schema(responses=inline_serializer("SyncStatus", {"thingsboard": serializers.DictField(),
                                                              "shop": serializers.DictField()}))  # fmt: skip
    def get(self, request):
        """Per source: configured, the run in progress, the last run, the last success, open conflicts."""
        data = {}
        for item in selectors.sync_status():
            data[item.source] = {
                "label": item.label,
                "configured": item.configured,
                "running": SyncRunSerializer(item.active_run).data if item.active_run else None,
                "last_run": SyncRunSerializer(item.last_run).data if item.last_run else None,
                "last_success_at": item.last_success_at,
                "open_conflicts": item.open_conflicts,
            }
        return Response(data)
