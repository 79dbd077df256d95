"""Factories for inventory records that only services write: maintenance records and stock movements."""

import datetime

import factory

from inventory import services as inventory_services
from inventory.models import MaintenanceRecord, StockMovement

from . import ConsumableFactory, ToolFactory


class MaintenanceRecordFactory(factory.django.DjangoModelFactory):
    """Through `tool_add_maintenance`: the tool is locked and gets its history row."""

    class Meta:
        model = MaintenanceRecord

    tool = factory.SubFactory(ToolFactory)
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    description = factory.Sequence(lambda n: f"Prüfung nach DGUV V3 Nr. {n}")
    cost = None
    performed_by = ""
    created_by = None

    @classmethod
    def _create(cls, model_class, *args, tool, created_by=None, **kwargs):
        return inventory_services.tool_add_maintenance(tool=tool, user=created_by, **kwargs)


class StockMovementFactory(factory.django.DjangoModelFactory):
    """Through `consumable_adjust_stock`: the stock changes with it and never goes below zero.
    `delta` is signed; `StockMovementFactory(delta=-2, worker=w)` issues two to a worker."""

    class Meta:
        model = StockMovement

    consumable = factory.SubFactory(ConsumableFactory, current_stock=100)
    delta = -1
    reason = factory.Sequence(lambda n: f"Auftrag {n}")
    worker = None
    user = None
    # Taken by a worker: an issue; otherwise what the service chooses (receipt or adjustment).
    kind = factory.LazyAttribute(lambda o: StockMovement.Kind.ISSUE if o.worker is not None and o.delta < 0 else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return inventory_services.consumable_adjust_stock(**kwargs)
