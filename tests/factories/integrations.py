"""Factories for the integrations app: records as a sync would have left them (with a remote base),
and records made here."""

import datetime

import factory

from integrations.engine import normaliser, record_hash
from integrations.models import Customer, Device, Order, Product


def synced(obj, connector_fields):
    """Give `obj` the remote base a sync would have stored for its current values."""
    values = {name: normaliser(obj._meta.get_field(name))(getattr(obj, obj._meta.get_field(name).attname))
              for name in connector_fields}  # fmt: skip
    obj.remote_base = values
    obj.remote_hash = record_hash(values)
    return obj


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"Kunde {n}")
    title = factory.LazyAttribute(lambda o: o.name)
    city = "Berlin"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"Sensor {n}")
    type = "default"
    customer = factory.SubFactory(CustomerFactory)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    external_id = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Produkt {n}")
    price = "9.90"
    stock = 10


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_id = factory.Sequence(lambda n: str(1000 + n))
    status = "processing"
    total = "19.80"
    customer_name = factory.Faker("name", locale="de_DE")
    ordered_at = factory.Faker("date_time_this_month", tzinfo=datetime.UTC)
