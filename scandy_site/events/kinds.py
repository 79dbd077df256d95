"""The kinds of records the event feed knows: how the API names one, and who may see its events.

Each kind is registered once (`register(EventKind(...))`, see `builtin_kinds.py`); an app adding a
domain model adds its kind the same way from its AppConfig.ready. History rows of models without a
kind are kept and sent to webhooks, but shown in no user's feed (no role is known to see them).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q


@dataclass(frozen=True)
class EventKind:
    # The first part of the event type ("tool" in "tool.updated"): the model's `model_name`.
    name: str
    model: type
    # Who may see events of this kind at all (a capability of accounts/roles.py).
    capability: str
    # What identifies a record in the API (its URL): "barcode", or "pk" for numbers and UUIDs.
    key_field: str = "pk"
    # Department-bound records (tools, tickets...) follow the department scope; others (shop, customers) do not.
    department_scoped: bool = True
    # (user) -> Q over ChangeEvent rows of this kind: the row-level rule (e.g. which tickets a user sees).
    rows: Callable | None = None
    # A feature flag setting (ENABLE_…): while it is off, the kind's events are shown to no one.
    feature: str = ""

    @property
    def enabled(self) -> bool:
        return not self.feature or bool(getattr(settings, self.feature))

    def visible_to(self, user) -> bool:
        return self.enabled and user.is_authenticated and user.can(self.capability)

    def rule(self, user) -> Q:
        return self.rows(user) if self.rows is not None else Q()


_BY_NAME: dict[str, EventKind] = {}
_BY_MODEL: dict[type, EventKind] = {}

ACTIONS = ("created", "updated", "deleted", "restored")


def register(kind: EventKind) -> None:
    existing = _BY_NAME.get(kind.name)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"event kind {kind.name!r} is taken by {existing.model.__name__}")
    if kind.name != kind.model._meta.model_name:
        raise ValueError(f"event kind {kind.name!r} must be the model name {kind.model._meta.model_name!r}")
    _BY_NAME[kind.name] = kind
    _BY_MODEL[kind.model] = kind


def kinds() -> list[EventKind]:
    return list(_BY_NAME.values())


def kind_named(name: str) -> EventKind | None:
    return _BY_NAME.get(name)


def event_types() -> list[str]:
    """Every `<kind>.<action>` the feed can carry (for filters and their validation)."""
    return [f"{kind.name}.{action}" for kind in kinds() for action in ACTIONS]


def object_key(instance) -> str:
    """The identifier of `instance` in the API at this moment (a barcode, a number, a UUID)."""
    kind = _BY_MODEL.get(type(instance)._meta.concrete_model)
    value = getattr(instance, kind.key_field) if kind is not None else instance.pk
    return str(value)
