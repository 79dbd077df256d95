"""Demo customers, devices, products and orders for `seed_demo`.

They go through the real connectors' mapping and the sync engine, as if ThingsBoard and the shop had
sent them (in their wire formats), so the demo shows the pages exactly as a real sync fills them.
Every id starts with "demo-", so demo records are easy to tell apart (and a real sync that does not
list them marks them as deleted remotely, as it would any record). Dates are relative to today;
running it again the same day changes nothing, and never creates anything twice.
"""

import datetime
import random
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from . import engine
from .engine import Page
from .shop import OrderConnector, ProductConnector
from .thingsboard import NULL_UUID, CustomerConnector, DeviceConnector

CUSTOMERS = (
    ("Stadtwerke Nordheim", "Nordheim", "Am Wasserturm 3"),
    ("Bäckerei Müller & Söhne", "Kassel", "Brotgasse 12"),
    ("Grundschule am Park", "Göttingen", "Parkallee 1"),
    ("Hotel Zum Löwen", "Fulda", "Marktplatz 7"),
    ("Ingenieurbüro Yılmaz", "Hann. Münden", "Werrastraße 22"),
    ("Praxis Dr. Kowalski", "Kassel", "Friedrichsplatz 4"),
)
DEVICE_TYPES = ("Temperatursensor", "Türkontakt", "Stromzähler", "Luftqualität")
PRODUCTS = (
    ("Temperatursensor TS-1", "Sensoren", "39.90"), ("Türkontakt DK-2", "Sensoren", "24.50"),
    ("Stromzähler SZ-3", "Zähler", "129.00"), ("Gateway GW-4", "Gateways", "189.00"),
    ("Luftqualitätssensor LQ-5", "Sensoren", "79.00"), ("Batterie CR2032 (10 Stk)", "Zubehör", "6.90"),
    ("Montageset", "Zubehör", "12.50"), ("Hutschienen-Netzteil", "Zubehör", "34.00"),
)  # fmt: skip
ORDER_STATUSES = (("completed", 55), ("shipped", 20), ("processing", 15), ("cancelled", 10))
FIRST_NAMES = ("Anna", "Ben", "Clara", "Deniz", "Emil", "Frieda", "Goran", "Hanna")
LAST_NAMES = ("Becker", "Schulz", "Öztürk", "Novak", "Wagner", "Krüger")


class _Demo:
    """Records from a list instead of an HTTP API; mapping and everything after it are the real ones."""

    def __init__(self, records: list[dict]):
        self.records = records

    def pages(self) -> Iterator[Page]:
        yield Page(self.records, total=len(self.records))


class DemoCustomers(_Demo, CustomerConnector):
    pass


class DemoDevices(_Demo, DeviceConnector):
    pass


class DemoProducts(_Demo, ProductConnector):
    pass


class DemoOrders(_Demo, OrderConnector):
    pass


def _ref(kind: str, remote_id: str | None) -> dict:
    return {"entityType": kind, "id": remote_id or NULL_UUID}


def _created_ms(days_ago: int) -> int:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return int(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC).timestamp() * 1000)


def thingsboard_records() -> tuple[list[dict], list[dict]]:
    customers = []
    for number, (name, city, address) in enumerate(CUSTOMERS, start=1):
        customers.append({
            "id": _ref("CUSTOMER", f"demo-customer-{number}"), "createdTime": _created_ms(400 - number * 30),
            "title": name, "name": name, "email": f"kontakt{number}@example.org", "phone": f"+49 561 {number:04d}",
            "address": address, "address2": "", "city": city, "state": "Hessen", "country": "Deutschland",
            "zip": f"34{number:03d}", "additionalInfo": {"description": "Demo"},
        })  # fmt: skip
    devices = []
    for number in range(1, 31):
        rng = random.Random(f"scandy-demo-device-{number}")
        # Most devices belong to a demo customer; some to none, two to a customer not synced here.
        owner = None if number % 9 == 0 else ("demo-customer-99" if number in (7, 23) else
                                               f"demo-customer-{rng.randint(1, len(CUSTOMERS))}")  # fmt: skip
        kind = DEVICE_TYPES[number % len(DEVICE_TYPES)]
        devices.append({
            "id": _ref("DEVICE", f"demo-device-{number:02d}"), "createdTime": _created_ms(200 - number),
            "name": f"{kind} {number:02d}", "type": kind, "label": f"Raum {rng.randint(1, 40)}",
            "customerId": _ref("CUSTOMER", owner), "additionalInfo": {"gateway": False, "description": ""},
        })  # fmt: skip
    return customers, devices


def shop_records() -> tuple[list[dict], list[dict]]:
    today = timezone.localdate()
    products = [
        {"id": f"demo-{number}", "name": name, "price": price, "stock": (number * 7) % 25, "category": category,
         "is_active": number != 8, "updated_at": f"{today - datetime.timedelta(days=number)}T08:00:00Z"}
        for number, (name, category, price) in enumerate(PRODUCTS, start=1)
    ]  # fmt: skip
    statuses, weights = zip(*ORDER_STATUSES, strict=True)
    orders = []
    for number in range(1, 41):
        rng = random.Random(f"scandy-demo-order-{number}")
        day = today - datetime.timedelta(days=rng.randint(0, 29))
        items = []
        for product_number in rng.sample(range(1, len(PRODUCTS) + 1), rng.randint(1, 3)):
            name, _category, price = PRODUCTS[product_number - 1]
            items.append({"product_id": f"demo-{product_number}", "name": name, "quantity": rng.randint(1, 4),
                          "price": price})  # fmt: skip
        total = sum(float(item["price"]) * item["quantity"] for item in items)
        orders.append({
            "id": f"demo-{1000 + number}", "status": rng.choices(statuses, weights=weights)[0], "total": f"{total:.2f}",
            "customer_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "customer_phone": "+49 170 0000000",
            "created_at": f"{day}T{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00+01:00",
            "updated_at": f"{day}T20:00:00+01:00", "items": items,
        })  # fmt: skip
    return products, orders


@transaction.atomic
def seed_integrations() -> int:
    """Create (or leave as they are) the demo records; returns how many were created."""
    customers, devices = thingsboard_records()
    products, orders = shop_records()
    created = 0
    for connector in (DemoCustomers(customers), DemoDevices(devices), DemoProducts(products), DemoOrders(orders)):
        fetched = engine.fetch(connector)
        # Only add: a demo run must not mark real records as deleted remotely.
        fetched.listing_complete = False
        created += engine.apply(fetched).created
    return created
