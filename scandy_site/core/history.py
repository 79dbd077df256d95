"""Writing history rows: every service that changes a domain object calls `record_change`.

The rows are the event feed too (`scandy_site.events`: `/api/events`, the live stream, webhooks), which
reads them in id order and resumes "after id N". For that, ids must become visible in the order they
were handed out: on PostgreSQL a transaction takes a transaction-scoped advisory lock before its first
history row and keeps it until it commits, so of two concurrent writers the second one's rows get the
higher ids *and* commit later. (SQLite writes one transaction at a time anyway.) The lock is held only
from the first history row to the commit, which services write at the end of their work.
"""

import datetime
import decimal
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.dispatch import Signal
from django.utils import timezone

from .bulk import RowInserter
from .models import ChangeEvent

# Sent once per transaction that wrote history rows, after it committed (webhooks, live pages).
events_committed = Signal()

# pg_advisory_xact_lock key: "scandy events" (any constant no other code uses).
EVENT_ORDER_LOCK = 0x5CA4D1E7


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, fields) -> dict:
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _integer_pk(pk):
    return pk if isinstance(pk, int) else None


@dataclass(frozen=True)
class SystemNote:
    """A history note Scandy writes itself ("Lent to %(worker)s"): stored untranslated with its parameters,
    so each reader sees it in their own language, whoever's action wrote it. Mark `message` with
    `gettext_noop` so that it reaches the catalogues."""

    message: str
    params: dict = field(default_factory=dict)


def event_row(
    model,
    pk,
    *,
    key: str,
    action: str,
    changes: dict | None = None,
    note: str | SystemNote = "",
    department_id=None,
    user=None,
) -> ChangeEvent:
    """An unsaved history row for the record `pk` of `model`, known to the API as `key`."""
    system = isinstance(note, SystemNote)
    return ChangeEvent(
        content_type=ContentType.objects.get_for_model(model),
        object_id=_integer_pk(pk),
        object_key=str(key)[:64],
        entity=model._meta.model_name,
        action=action,
        changes=changes or {},
        note=(note.message if system else note)[:255],
        note_params={k: str(v)[:255] for k, v in note.params.items()} if system else None,
        department_id=department_id,
        user=user if getattr(user, "is_authenticated", False) else None,
    )


def change_event(
    instance, *, action: str, user=None, changes: dict | None = None, note: str | SystemNote = ""
) -> ChangeEvent:
    """An unsaved history row; `record_changes` writes several in one statement."""
    from scandy_site.events.kinds import object_key

    return event_row(
        type(instance), instance.pk, key=object_key(instance), action=action, changes=changes, note=note,
        department_id=getattr(instance, "department_id", None), user=user,
    )  # fmt: skip


def record_change(instance, *, action: str, user=None, changes: dict | None = None, note: str | SystemNote = ""):
    return record_changes(change_event(instance, action=action, user=user, changes=changes, note=note))[0]


def record_changes(*events: ChangeEvent, batch_size: int | None = None) -> list[ChangeEvent]:
    """Write history rows (several in a single INSERT: hot paths such as lending, sync runs)."""
    if not events:
        return []
    using = router.db_for_write(ChangeEvent)
    with transaction.atomic(using=using, savepoint=False):
        connection = transaction.get_connection(using)
        if not _announced(connection):
            # First history row of this transaction: keep the id order (see the module's docstring), and
            # tell the feed's listeners once the transaction commits.
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_ORDER_LOCK])
            transaction.on_commit(_announce, using=using)
        if len(events) == 1:
            events[0].save(force_insert=True, using=using)
            return list(events)
        _insert_rows(events, batch_size=batch_size or len(events))
        return list(events)


def _insert_rows(events, *, batch_size: int) -> None:
    """Several rows with one executemany (RowInserter); their ids are not read back."""
    inserter = RowInserter(ChangeEvent)
    columns = [f.attname for f in inserter.fields if f.name != "at"]  # `at`: the same `now` for all
    now = timezone.now()
    for start in range(0, len(events), batch_size):
        batch = events[start : start + batch_size]
        inserter.insert([{name: getattr(event, name) for name in columns} for event in batch], now=now)
    for event in events:
        event.at = now


def _announced(connection) -> bool:
    return any(callback is _announce for _savepoints, callback, _robust in connection.run_on_commit)


def _announce() -> None:
    events_committed.send_robust(sender=ChangeEvent)
