"""The shop API (CONTRACT 5.2): client, product and order connectors, and the product trends."""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Coalesce, Lower, TruncDate
from django.utils.translation import gettext as _

from .engine import Connector, Page, RecordError, SourceError, normaliser, to_model_value
from .http import MAX_PAGES, JsonClient
from .models import Order, OrderItem, Product, ProductTrend, Source
from .thingsboard import NotConfiguredError

PER_PAGE = 100
# Keys an object answer may hold its list under (CONTRACT 5.2).
LIST_KEYS = ("data", "orders", "products", "items")
# Orders in these states sold nothing: left out of trends and revenue.
NOT_SOLD = ("cancelled", "canceled", "refunded", "failed")


def shop_settings() -> tuple[str, str]:
    if not settings.SHOP_API_URL:
        raise NotConfiguredError(_("The shop is not configured: set SHOP_API_URL."))
    if not settings.SHOP_API_TOKEN:
        raise NotConfiguredError(_("The shop API token is missing: set SHOP_API_TOKEN."))
    return settings.SHOP_API_URL, settings.SHOP_API_TOKEN


class ShopClient(JsonClient):
    def __init__(self, base_url: str, token: str, *, timeout: float, per_page: int | None = None, session=None):
        super().__init__(base_url, timeout=timeout, session=session)
        self.system = _("The shop")
        self.per_page = per_page or PER_PAGE
        self.session.headers["Authorization"] = token

    def pages(self, resource: str) -> Iterator[Page]:
        """Pages 1, 2, … until an empty page, or the last page a `total_pages`/`pages` field names."""
        previous_ids = None
        for number in range(1, MAX_PAGES + 1):
            what = _("/%(resource)s, page %(page)s") % {"resource": resource, "page": number}
            params = {"page": number, "per_page": self.per_page}
            response = self.request("GET", f"/{resource}", params=params, what=what)
            if response.status_code in (401, 403):
                raise SourceError(
                    _("The shop refused the API token (HTTP %(status)s, %(what)s): check SHOP_API_TOKEN.")
                    % {"status": response.status_code, "what": what}
                )
            if response.status_code != 200:
                raise self.status_error(response, what=what)
            records, total_pages, total = _unwrap(self.decode(response, what=what))
            if records is None:
                message = _("The shop's answer holds no list of %(resource)s (%(what)s).")
                raise SourceError(message % {"resource": resource, "what": what})
            ids = [record.get("id") if isinstance(record, dict) else None for record in records]
            if not records or ids == previous_ids:
                # Empty: the end. The same records again: a shop that ignores `page`; we have them all.
                return
            previous_ids = ids
            yield Page(records, total=total)
            if total_pages is not None and number >= total_pages:
                return
        raise SourceError(_("The shop kept sending more pages (/%(resource)s).") % {"resource": resource})


def _unwrap(body) -> tuple[list | None, int | None, int | None]:
    if isinstance(body, list):
        return body, None, None
    if not isinstance(body, dict):
        return None, None, None
    records = next((body[key] for key in LIST_KEYS if isinstance(body.get(key), list)), None)
    total_pages = next((body[key] for key in ("total_pages", "pages") if _is_count(body.get(key))), None)
    total = next((body[key] for key in ("total", "total_count", "count") if _is_count(body.get(key))), None)
    return records, total_pages, total


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _shop_id(value) -> str:
    if isinstance(value, bool) or value is None or value == "":
        raise RecordError(_("id missing"))
    if isinstance(value, int | str):
        return str(value).strip()
    raise RecordError(_("id: expected a number or text"))


class _ShopConnector(Connector):
    source = Source.SHOP
    remote_key = "external_id"
    resource = ""

    def __init__(self, client: ShopClient):
        self.client = client

    def pages(self) -> Iterator[Page]:
        return self.client.pages(self.resource)

    def remote_id(self, raw) -> str:
        return _shop_id(raw.get("id"))


class ProductConnector(_ShopConnector):
    entity = "products"
    resource = "products"
    model = Product
    fields = ("name", "price", "stock", "category", "is_active", "remote_updated_at")
    local_only = ("cost", "hidden", "analytics")

    def map(self, raw) -> dict:
        return {
            "name": raw.get("name"),
            "price": raw.get("price"),
            "stock": raw.get("stock"),
            "category": raw.get("category"),
            "is_active": raw.get("is_active"),
            "remote_updated_at": raw.get("updated_at"),
        }


_ITEM_FIELDS = {name: OrderItem._meta.get_field(name) for name in ("name", "quantity", "price")}
_ITEM_NORMALISE = {name: normaliser(model_field) for name, model_field in _ITEM_FIELDS.items()}


class OrderConnector(_ShopConnector):
    entity = "orders"
    resource = "orders"
    model = Order
    fields = ("status", "total", "customer_name", "customer_phone", "ordered_at", "remote_updated_at")
    local_only = ("notes",)

    def map(self, raw) -> dict:
        return {
            "status": raw.get("status"),
            "total": raw.get("total"),
            "customer_name": raw.get("customer_name"),
            "customer_phone": raw.get("customer_phone"),
            "ordered_at": raw.get("created_at"),
            "remote_updated_at": raw.get("updated_at"),
        }

    def children(self, raw) -> list:
        items = raw.get("items")
        if items is None:
            return []
        if not isinstance(items, list):
            raise RecordError(_("items: expected a list"))
        lines = []
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise RecordError(_("items[%(number)s]: expected an object") % {"number": number})
            try:
                line = {name: convert(item.get(name)) for name, convert in _ITEM_NORMALISE.items()}
            except RecordError as exc:
                raise RecordError(f"items[{number}].{exc}") from exc
            product = item.get("product_id")
            line["product_id"] = None if product in (None, "") else _shop_id(product)[:64]
            lines.append(line)
        return lines

    def write_children(self, children_by_pk: dict) -> None:
        OrderItem.objects.filter(order_id__in=list(children_by_pk)).delete()
        OrderItem.objects.bulk_create(
            [
                OrderItem(
                    order_id=order_pk,
                    position=position,
                    product_id=line["product_id"],
                    **{name: to_model_value(_ITEM_FIELDS[name], line[name]) for name in _ITEM_FIELDS},
                )
                for order_pk, lines in children_by_pk.items()
                for position, line in enumerate(lines, start=1)
            ],
            batch_size=1000,
        )

    def after_apply(self, result) -> None:
        if result.changed:
            product_trends_rebuild()


def product_trends_rebuild() -> int:
    """Quantity sold and revenue per product and (local) day from the order items of orders that
    are not cancelled and not deleted remotely. Replaces the whole table; returns its row count."""
    revenue = ExpressionWrapper(F("quantity") * F("price"), output_field=DecimalField(max_digits=14, decimal_places=2))
    rows = (
        OrderItem.objects.filter(order__remote_deleted_at=None, order__ordered_at__isnull=False)
        .exclude(product=None)
        .annotate(order_status=Lower("order__status"))
        .exclude(order_status__in=NOT_SOLD)
        .values("product_id", day=TruncDate("order__ordered_at"))
        .annotate(
            sold=Sum("quantity"),
            takings=Coalesce(Sum(revenue), 0, output_field=DecimalField(max_digits=14, decimal_places=2)),
            order_count=Count("order", distinct=True),
        )
        .order_by()
    )
    trends = [
        ProductTrend(
            product_id=row["product_id"],
            day=row["day"],
            quantity=row["sold"] or 0,
            revenue=row["takings"],
            orders=row["order_count"],
        )
        for row in rows
    ]
    ProductTrend.objects.all().delete()
    ProductTrend.objects.bulk_create(trends, batch_size=1000)
    return len(trends)


ENTITIES = {"products": ProductConnector, "orders": OrderConnector}


def shop_connectors(*, entities, timeout: float) -> list[Connector]:
    url, token = shop_settings()
    client = ShopClient(url, token, timeout=timeout)
    return [ENTITIES[name](client) for name in ENTITIES if name in entities]
