"""Reads of the event feed: the history rows a user may see, as the JSON of CONTRACT section 3."""

import threading
import time

from django.db.models import Q
from rest_framework.fields import DateTimeField

from scandy_site.core.models import ChangeEvent

from .kinds import kind_named, kinds

_at_field = DateTimeField()


def event_list(*, user, department):
    """History rows `user` may see, oldest first: kinds their role sees, in `department` (None = all
    departments, for those allowed all) where the kind is bound to departments, and the row-level rules of
    each kind (a participant: only their own tickets, never internal notes)."""
    rule = None
    for kind in kinds():
        if not kind.visible_to(user):
            continue
        part = Q(entity=kind.name) & kind.rule(user)
        if kind.department_scoped and department is not None:
            part &= Q(department=department)
        rule = part if rule is None else rule | part
    if rule is None:
        return ChangeEvent.objects.none()
    return ChangeEvent.objects.filter(rule).select_related("department").order_by("id")


def all_events():
    """Every history row, oldest first (webhooks: what an administrator configured is sent)."""
    return ChangeEvent.objects.select_related("department").order_by("id")


def format_time(value) -> str:
    """As every other time in the API (ISO 8601 in the site's time zone)."""
    return _at_field.to_representation(value)


def event_data(event: ChangeEvent) -> dict:
    """`{"id","type","object_id","changed_fields","at","department"}` (+ `previous_object_id` when the
    change gave the record a new identifier, e.g. a new barcode)."""
    data = {
        "id": event.pk,
        "type": event.type,
        "object_id": event.object_key or (str(event.object_id) if event.object_id is not None else None),
        "changed_fields": event.changed_fields,
        "at": format_time(event.at),
        "department": event.department.code if event.department_id else None,
    }
    kind = kind_named(event.entity)
    if kind is not None and kind.key_field != "pk":
        before = (event.changes.get(kind.key_field) or [None])[0] if isinstance(event.changes, dict) else None
        if before not in (None, "") and str(before) != data["object_id"]:
            data["previous_object_id"] = str(before)
    return data


class _LatestId:
    """The newest history row id, read from the database at most once per `max_age` seconds per process,
    however many live streams ask (each stream then queries its own events only when something is new)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = 0
        self._read_at = float("-inf")

    def get(self, max_age: float) -> int:
        with self._lock:
            if time.monotonic() - self._read_at >= max_age:
                self._value = latest_event_id()
                self._read_at = time.monotonic()
            return self._value

    def expire(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


def latest_event_id() -> int:
    return ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


latest_id = _LatestId()
