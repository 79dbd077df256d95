"""Tools, consumables and workers carry files (tickets register themselves in their own app)."""

from django.urls import reverse

from .entities import EntityType, register


def _tool_lookup(user, department, identifier):
    from inventory.selectors import tool_get

    return tool_get(department=department, barcode=identifier)


def _consumable_lookup(user, department, identifier):
    from inventory.selectors import consumable_get

    return consumable_get(department=department, barcode=identifier)


def _worker_lookup(user, department, identifier):
    from lending.selectors import worker_get

    return worker_get(department=department, barcode=identifier)


def _can(capability):
    return lambda user, *args: bool(user.is_authenticated and user.can(capability))


def _by_barcode(name, model, lookup, *, view: str, edit: str, url_name: str) -> EntityType:
    return EntityType(
        name=name, model=model, lookup=lookup, can_access=_can(view), can_view=_can(view), can_edit=_can(edit),
        identifier=lambda obj: obj.barcode, detail_url=lambda obj: reverse(url_name, args=[obj.barcode]),
    )  # fmt: skip


def register_builtin() -> None:
    from inventory.models import Consumable, Tool
    from lending.models import Worker

    register(_by_barcode("tool", Tool, _tool_lookup, view="inventory.view", edit="inventory.edit",
                         url_name="inventory:tool-detail"))  # fmt: skip
    register(_by_barcode("consumable", Consumable, _consumable_lookup, view="inventory.view", edit="inventory.edit",
                         url_name="inventory:consumable-detail"))  # fmt: skip
    # Whoever works at the scan station sees workers; managing them (and their files) is staff's.
    register(_by_barcode("worker", Worker, _worker_lookup, view="lending.use", edit="workers.manage",
                         url_name="lending:worker-detail"))  # fmt: skip
