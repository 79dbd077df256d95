"""Writes of the integrations app: starting and running syncs, local edits of the synced records,
resolving conflicts. Each public function is one action in one transaction."""

import datetime
import functools
import logging
import time
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import diff, record_change, record_changes, snapshot
from scandy_site.core.validation import clean_or_raise, reject_unknown_fields

from . import engine
from .models import Customer, Order, Product, SyncConflict, SyncedRecord, SyncRun, SyncSource
from .shop import product_trends_rebuild
from .sources import ENTITIES, NotConfiguredError, source_account, source_connectors

logger = logging.getLogger(__name__)

# A running run that gave no sign of life for this long died with its worker; a queued run that no
# worker picked up for this long is given up. Either then no longer blocks the next run.
STALE_RUNNING = datetime.timedelta(minutes=15)
STALE_QUEUED = datetime.timedelta(minutes=30)
HEARTBEAT_SECONDS = 2.0
# Stock and quantities are `integer` columns on every supported database.
MAX_STOCK = engine.INT_MAX

CUSTOMER_FIELDS = ("name", "title", "email", "phone", "address", "address2", "city", "country", "state", "zip",
                   "additional_info")  # fmt: skip
ORDER_FIELDS = ("status", "total", "customer_name", "customer_phone", "notes")
PRODUCT_FIELDS = ("name", "price", "stock", "category", "is_active", "cost", "hidden", "analytics")


def _actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- Starting and running syncs ---------------------------------------------------------------------


def _entities(source: str, entities) -> list[str]:
    known = ENTITIES[source]
    if not entities:
        return list(known)
    unknown = [name for name in entities if name not in known]
    if unknown:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("Unknown record types: %(names)s") % {"names": ", ".join(unknown)},
            errors={"entities": [_("choose from %(names)s") % {"names": ", ".join(known)}]},
        )
    return [name for name in known if name in entities]


def sync_source_row(source: str) -> SyncSource:
    row, _created = SyncSource.objects.get_or_create(code=source)
    return row


def sync_reap_stale(*, source: str) -> int:
    """Fail runs whose worker died (no heartbeat) or that no worker picked up, so they stop blocking."""
    now = timezone.now()
    stale = Q(status=SyncRun.Status.RUNNING, heartbeat_at__lt=now - STALE_RUNNING) | Q(
        status=SyncRun.Status.QUEUED, created_at__lt=now - STALE_QUEUED
    )
    return SyncRun.objects.filter(stale, source=source).update(
        status=SyncRun.Status.FAILED,
        finished_at=now,
        message=_("Given up: the worker running it stopped, or no worker picked it up."),
    )


def sync_request(
    *, source: str, trigger: str, user=None, entities=None, dry_run: bool = False, enqueue: bool = True
) -> tuple[SyncRun, bool]:
    """Queue a run of `source` (the worker runs it; `enqueue=False` leaves that to the caller).

    Returns (run, True), or (the run already queued or running, False): at most one per source, which
    the database guarantees with a unique index over the active runs, whichever process asks."""
    if source not in ENTITIES:
        raise ApplicationError("NOT_FOUND", _("Unknown sync source %(source)s.") % {"source": source})
    entities = _entities(source, entities)
    try:
        account = source_account(source, user=user)
    except NotConfiguredError as exc:
        raise ApplicationError("VALIDATION_ERROR", str(exc), errors={"source": [str(exc)]}) from exc
    sync_source_row(source)
    sync_reap_stale(source=source)
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                source=source, entities=entities, trigger=trigger, dry_run=dry_run, started_by=_actor(user),
                account=account,
            )  # fmt: skip
    except IntegrityError:
        active = SyncRun.objects.filter(source=source, status__in=SyncRun.ACTIVE).first()
        if active is None:
            raise ApplicationError("CONFLICT", _("Another sync just started; try again.")) from None
        return active, False
    if enqueue:
        transaction.on_commit(functools.partial(_enqueue, run.pk))
    return run, True


def _enqueue(run_id: int) -> None:
    from django_q.tasks import async_task

    try:
        async_task("integrations.tasks.run_sync", run_id, task_name=f"sync-run-{run_id}")
    except Exception as exc:  # the broker (database or Redis) is down: do not leave the run blocking
        logger.exception("could not queue sync run %s", run_id)
        SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.FAILED,
            finished_at=timezone.now(),
            message=_("Could not hand the run to the worker (%(error)s).") % {"error": type(exc).__name__},
        )


class _Progress:
    """Reports progress to an optional callback and, every few seconds, on the run row (heartbeat)."""

    def __init__(self, run: SyncRun, callback=None):
        self.run = run
        self.callback = callback
        self.last_beat = 0.0

    def __call__(self, entity: str, done: int, total: int | None) -> None:
        if self.callback:
            self.callback(entity, done, total)
        if time.monotonic() - self.last_beat >= HEARTBEAT_SECONDS:
            text = f"{entity}: {done}" + (f"/{total}" if total else "")
            self.beat(text)

    def beat(self, text: str) -> None:
        self.last_beat = time.monotonic()
        SyncRun.objects.filter(pk=self.run.pk).update(heartbeat_at=timezone.now(), progress=text[:200])


def sync_execute(*, run_id: int, progress=None) -> SyncRun:
    """Run a queued sync: fetch every page of every record type first, then write everything in one
    transaction. A failing source or an error while writing leaves the local data as it was."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    run = SyncRun.objects.select_related("started_by").get(pk=run_id)
    if not claimed:
        # Finished already, or running elsewhere (a task handed out twice): nothing to do here.
        return run
    reporter = _Progress(run, progress)
    results: list[engine.EntityResult] = []
    try:
        connectors, run.account = source_connectors(run.source, user=run.started_by, entities=run.entities)
        fetched = [engine.fetch(connector, progress=reporter) for connector in connectors]
        reporter.beat(_("writing"))
        with transaction.atomic():
            history = []
            results = [
                engine.apply(item, run=run, now=timezone.now(), dry_run=run.dry_run, history=history)
                for item in fetched
            ]
            record_changes(*history, batch_size=engine.BATCH_SIZE)
    except engine.SourceError as exc:
        logger.warning("sync %s #%s failed: %s", run.source, run.pk, exc)
        return _finish(run, SyncRun.Status.FAILED, [], message=str(exc))
    except Exception as exc:
        logger.exception("sync %s #%s stopped by an internal error", run.source, run.pk)
        message = _("The sync stopped with an internal error (%(error)s); local data is unchanged.") % {
            "error": type(exc).__name__
        }
        return _finish(run, SyncRun.Status.FAILED, [], message=message)
    return _finish(run, SyncRun.Status.SUCCEEDED, results)


def _finish(run: SyncRun, status: str, results: list, *, message: str = "") -> SyncRun:
    for name in SyncRun.COUNTS:
        setattr(run, name, sum(getattr(result, name) for result in results))
    run.errors = [error for result in results for error in result.errors][: engine.MAX_ERRORS]
    run.status = status
    run.message = message or run.summary()
    run.finished_at = timezone.now()
    run.progress = ""
    run.save(update_fields=[*SyncRun.COUNTS, "errors", "status", "message", "finished_at", "progress", "account"])
    source_update = {"last_run": run}
    if status == SyncRun.Status.SUCCEEDED and not run.dry_run:
        source_update["last_success_at"] = run.finished_at
    SyncSource.objects.update_or_create(code=run.source, defaults=source_update)
    logger.info("sync %s #%s %s: %s", run.source, run.pk, status, run.message)
    return run


def sync_now(*, source: str, trigger: str, user=None, entities=None, dry_run: bool = False, progress=None) -> SyncRun:
    """Run a sync in this process (management command, schedule). Raises CONFLICT when one runs."""
    run, created = sync_request(
        source=source, trigger=trigger, user=user, entities=entities, dry_run=dry_run, enqueue=False
    )
    if not created:
        raise ApplicationError(
            "CONFLICT",
            _("A %(source)s sync is already %(status)s (run #%(id)s).")
            % {"source": run.get_source_display(), "status": run.get_status_display(), "id": run.pk},
        )
    return sync_execute(run_id=run.pk, progress=progress)


# --- Local edits ---------------------------------------------------------------------------------------


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _touch_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def _edit(
    record: SyncedRecord, allowed, *, user, fields: dict, note: str = "", check=None
) -> tuple[SyncedRecord, dict]:
    """Set `fields` on a locked record, validate (`check(record)` too), save what changed, write
    history, and let open conflicts of the edited fields follow."""
    reject_unknown_fields(fields, allowed)
    before = snapshot(record, allowed)
    for name, value in fields.items():
        setattr(record, name, value)
    changes = diff(before, snapshot(record, allowed))
    if not changes:
        return record, changes
    if check is not None:
        check(record)
    clean_or_raise(record)
    record.save(update_fields=[*changes, *_touch_fields(type(record))])
    record_change(record, action="updated", user=user, changes=changes, note=note)
    _conflicts_follow_edit(record, changes)
    return record, changes


def _conflicts_follow_edit(record: SyncedRecord, changes: dict) -> None:
    """An open conflict on an edited field: settled when the local value now equals the remote one,
    else it shows the new local value."""
    open_conflicts = SyncConflict.objects.filter(
        content_type__app_label=record._meta.app_label,
        content_type__model=record._meta.model_name,
        object_id=str(record.pk),
        field__in=list(changes),
        resolved_at=None,
    )
    base = record.remote_base if isinstance(record.remote_base, dict) else {}
    for conflict in open_conflicts:
        model_field = record._meta.get_field(conflict.field)
        local = engine.normaliser(model_field)(getattr(record, model_field.attname))
        if local == base.get(conflict.field, conflict.remote_value):
            conflict.resolved_at, conflict.resolution = timezone.now(), SyncConflict.Resolution.SETTLED
        conflict.local_value = local
        conflict.save(update_fields=["local_value", "resolved_at", "resolution"])


@transaction.atomic
def customer_create(*, user, **fields) -> Customer:
    """A customer kept here only (ThingsBoard does not know it); it gets a UUID of its own."""
    reject_unknown_fields(fields, CUSTOMER_FIELDS)
    customer = Customer(id=str(uuid.uuid4()), **fields)
    if not customer.name:
        customer.name = customer.title
    clean_or_raise(customer)
    customer.save(force_insert=True)
    record_change(customer, action="created", user=user, changes=diff({}, snapshot(customer, CUSTOMER_FIELDS)))
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, user, **fields) -> Customer:
    customer, _changes = _edit(_lock(Customer, customer.pk), CUSTOMER_FIELDS, user=user, fields=fields)
    return customer


def _not_negative(*names):
    def check(record) -> None:
        for name in names:
            value = getattr(record, name, None)
            if value is not None and value < 0:
                raise ApplicationError(
                    "VALIDATION_ERROR",
                    _("%(field)s must not be negative.") % {"field": name},
                    errors={name: [_("must not be negative")]},
                )

    return check


@transaction.atomic
def order_update(*, order: Order, user, note: str = "", **fields) -> Order:
    """A local edit (status, amounts, contact, notes): kept by every later sync."""
    if "status" in fields:
        fields["status"] = (fields["status"] or "").strip()
        if not fields["status"]:
            raise ApplicationError(
                "VALIDATION_ERROR", _("The status must not be empty."), errors={"status": [_("required")]}
            )
    order, changes = _edit(
        _lock(Order, order.pk), ORDER_FIELDS, user=user, fields=fields, note=note, check=_not_negative("total")
    )
    if "status" in changes:
        product_trends_rebuild()
    return order


@transaction.atomic
def product_update(*, product: Product, user, note: str = "", **fields) -> Product:
    """A local edit of a product: stock, price and the other shop fields are kept by later syncs;
    cost, hidden and analytics exist only here."""
    if "analytics" in fields and not isinstance(fields["analytics"], dict):
        raise ApplicationError(
            "VALIDATION_ERROR", _("Analytics must be an object."), errors={"analytics": [_("expected an object")]}
        )
    product, _changes = _edit(
        _lock(Product, product.pk), PRODUCT_FIELDS, user=user, fields=fields, note=note,
        check=_not_negative("price", "cost"),
    )  # fmt: skip
    return product


# --- Conflicts ---------------------------------------------------------------------------------------


@transaction.atomic
def conflict_resolve(*, conflict: SyncConflict, user, take: str) -> SyncConflict:
    """`take="remote"` writes the latest remote value into the record; `take="local"` keeps the local
    value (a later remote change to the field is a conflict again)."""
    if take not in (SyncConflict.Resolution.REMOTE, SyncConflict.Resolution.LOCAL):
        raise ApplicationError("VALIDATION_ERROR", _("Choose remote or local."), errors={"take": [_("invalid")]})
    conflict = _lock(SyncConflict, conflict.pk)
    if not conflict.is_open:
        raise ApplicationError("INVALID_TRANSITION", _("This conflict was resolved already."))
    model = conflict.content_type.model_class()
    record = model.objects.select_for_update().filter(pk=conflict.object_id).first()
    if record is not None and take == SyncConflict.Resolution.REMOTE:
        _take_remote(record, conflict, user=user)
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = _actor(user)
    conflict.resolution = take
    conflict.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return conflict


def _take_remote(record: SyncedRecord, conflict: SyncConflict, *, user) -> None:
    model_field = record._meta.get_field(conflict.field)
    base = record.remote_base if isinstance(record.remote_base, dict) else {}
    value = base.get(conflict.field, conflict.remote_value)
    before = engine.normaliser(model_field)(getattr(record, model_field.attname))
    setattr(record, model_field.attname, engine.to_model_value(model_field, value))
    record.save(update_fields=[model_field.attname, *_touch_fields(type(record))])
    record_change(
        record, action="updated", user=user, changes={conflict.field: [before, value]},
        note=_("sync conflict: took the remote value"),
    )  # fmt: skip
    if isinstance(record, Order) and conflict.field == "status":
        product_trends_rebuild()


def conflicts_resolve(*, conflicts, user, take: str) -> tuple[int, list[str]]:
    """Resolve several conflicts, each in its own transaction; returns (done, refusals)."""
    done, refused = 0, []
    for conflict in conflicts:
        try:
            conflict_resolve(conflict=conflict, user=user, take=take)
        except ApplicationError as exc:
            refused.append(f"{conflict}: {exc.message}")
        else:
            done += 1
    return done, refused
