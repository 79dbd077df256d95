"""The sync engine: the same rules for every connector (CONTRACT section 5.4).

A connector says how to fetch pages of remote records, how to map one remote record to local field
values, and which fields are local-only. The engine does the rest:

1. `fetch` reads every page first. A failing source raises `SourceError` before anything local has
   been touched; a record that cannot be mapped is counted as failed, logged on the run and skipped.
2. `apply` (inside the caller's transaction) upserts by remote id in batches: one query for the ids
   and hashes of all local rows, `bulk_create` for new records, `bulk_update` for changed ones.
   A record whose mapped values hash the same as last time is not touched at all.
3. The merge is three-way per field: `remote_base` holds the last remote value of every mapped field.
   A local value that differs from it was edited here and stays; if the remote value changed too,
   a `SyncConflict` is recorded. Records no longer listed remotely get `remote_deleted_at`.
"""

import abc
import datetime
import decimal
import functools
import hashlib
import json
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from scandy_site.core.bulk import RowInserter
from scandy_site.core.history import event_row, record_changes
from scandy_site.core.models import ChangeEvent

from .models import SyncConflict, SyncedRecord

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_ERRORS = 200  # skipped records listed on one run; the count goes on beyond it
CHILDREN_KEY = "@children"  # where `remote_base` keeps a record's child rows (order items)
_MISSING = object()
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class SourceError(Exception):
    """The source failed as a whole (unreachable, timeout, 5xx, bad JSON, refused login): the run
    fails with this message and local data stays as it was. The message is shown to people, so it
    never contains a secret."""


class RecordError(ValueError):
    """One remote record cannot be used; it is skipped and listed on the run."""


@dataclass
class Page:
    records: list
    total: int | None = None  # how many records the source says it has, for the progress bar


class Connector(abc.ABC):
    """One kind of remote record (e.g. ThingsBoard customers) and the local model it fills.

    Every connector implements `pages`, `remote_id` and `map`; the other methods have working defaults."""

    source: str = ""
    entity: str = ""
    model: type[SyncedRecord]
    remote_key: str = "id"  # the model field holding the remote id
    fields: tuple[str, ...] = ()  # mapped fields (model attribute names), merged field by field
    local_only: tuple[str, ...] = ()  # never written by a sync
    # Raise when `map` changes meaning without `fields` changing: records the remote did not change are
    # then mapped once more instead of being skipped as "received exactly as before".
    mapping_version = 1

    @abc.abstractmethod
    def pages(self) -> Iterator[Page]:
        """The remote records, page by page."""

    @abc.abstractmethod
    def remote_id(self, raw) -> str:
        """The remote system's id of a raw record."""

    @abc.abstractmethod
    def map(self, raw) -> dict[str, Any]:
        """Values for every name in `fields`; raise RecordError (or let KeyError/TypeError/ValueError
        escape) for a record that cannot be used."""

    def children(self, raw) -> list | None:
        """Child rows kept with the record (JSON-safe), written by `write_children`; remote-owned."""
        return None

    def write_children(self, children_by_pk: dict) -> None:
        """Replace the child rows of the given records (a connector without children has none to write)."""
        return None

    def after_apply(self, result: "EntityResult") -> None:
        """Runs inside the sync transaction after the records were written (not on a dry run)."""
        return None


# --- Values: one JSON-safe form to hash, store and compare -------------------------------------------


# NUL characters and lone surrogates (which no database stores) are checked once per record, on the
# record's JSON text (see `record_hash`), not per field: that is the hot path of every sync.


def _not_a(model_field, value, message: str) -> str:
    """`message` about a value that cannot be read (quoted, cut to 40 characters)."""
    return message % {"field": model_field.name, "value": repr(str(value)[:40])}


def _out_of_range(model_field, value) -> str:
    return _("%(field)s: %(value)s is out of range") % {"field": model_field.name, "value": value}


def _text(model_field):
    max_length = model_field.max_length

    def normalise(value):
        if value is None:
            return None if model_field.null else ""
        if type(value) is not str:
            if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
                raise RecordError(
                    _("%(field)s: expected text, got %(type)s")
                    % {"field": model_field.name, "type": type(value).__name__}
                )
            value = str(value)
        if max_length and len(value) > max_length:
            raise RecordError(
                _("%(field)s: longer than %(limit)s characters") % {"field": model_field.name, "limit": max_length}
            )
        return value

    return normalise


def _decimal(model_field):
    quantum = decimal.Decimal(1).scaleb(-model_field.decimal_places)
    limit = decimal.Decimal(10) ** (model_field.max_digits - model_field.decimal_places)

    def normalise(value):
        if value is None or value == "":
            return _null(model_field)
        if isinstance(value, bool):
            raise RecordError(_("%(field)s: expected a number") % {"field": model_field.name})
        try:
            number = decimal.Decimal(str(value).strip()).quantize(quantum, rounding=decimal.ROUND_HALF_UP)
        except (decimal.InvalidOperation, ValueError) as exc:
            raise RecordError(_not_a(model_field, value, _("%(field)s: %(value)s is not a number"))) from exc
        if not number.is_finite() or abs(number) >= limit:
            raise RecordError(_out_of_range(model_field, str(value)[:40]))
        return str(number)

    return normalise


def _integer(model_field):
    low = 0 if isinstance(model_field, models.PositiveIntegerField | models.PositiveSmallIntegerField) else INT_MIN

    def normalise(value):
        if value is None or value == "":
            return _null(model_field)
        if isinstance(value, bool):
            raise RecordError(_("%(field)s: expected a whole number") % {"field": model_field.name})
        try:
            number = decimal.Decimal(str(value).strip())
        except (decimal.InvalidOperation, ValueError) as exc:
            raise RecordError(_not_a(model_field, value, _("%(field)s: %(value)s is not a number"))) from exc
        if not number.is_finite() or number != number.to_integral_value():
            raise RecordError(
                _("%(field)s: %(value)s is not a whole number") % {"field": model_field.name, "value": str(value)[:40]}
            )
        if not low <= number <= INT_MAX:
            raise RecordError(_out_of_range(model_field, number))
        return int(number)

    return normalise


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _boolean(model_field):
    def normalise(value):
        if value is None:
            return _null(model_field)
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise RecordError(_not_a(model_field, value, _("%(field)s: %(value)s is not yes/no")))

    return normalise


def _datetime(model_field):
    def normalise(value):
        if value is None or value == "":
            return _null(model_field)
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is None:
                day = _parse_day(value)
                parsed = datetime.datetime.combine(day, datetime.time()) if day else None
            if parsed is None:
                raise RecordError(_not_a(model_field, value, _("%(field)s: %(value)s is not a date and time")))
            value = parsed
        elif not isinstance(value, datetime.datetime):
            raise RecordError(_("%(field)s: expected a date and time") % {"field": model_field.name})
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value.astimezone(datetime.UTC).isoformat()

    return normalise


def _parse_day(value: str):
    try:
        return parse_date(value.strip())
    except ValueError:
        return None


def _date(model_field):
    def normalise(value):
        if value is None or value == "":
            return _null(model_field)
        if isinstance(value, datetime.datetime):
            value = value.date()
        elif isinstance(value, str):
            day = _parse_day(value)
            if day is None:
                raise RecordError(_not_a(model_field, value, _("%(field)s: %(value)s is not a date")))
            value = day
        elif not isinstance(value, datetime.date):
            raise RecordError(_("%(field)s: expected a date") % {"field": model_field.name})
        return value.isoformat()

    return normalise


def _json(model_field):
    def normalise(value):
        if value is None:
            return _null(model_field)
        if not isinstance(value, dict | list | str | int | float | bool):
            raise RecordError(_("%(field)s: not storable as JSON") % {"field": model_field.name})
        return value

    return normalise


def _null(model_field):
    if model_field.null:
        return None
    if model_field.has_default():
        return normaliser(model_field)(model_field.get_default())
    raise RecordError(_("%(field)s: missing") % {"field": model_field.name})


def normaliser(model_field) -> Callable[[Any], Any]:
    """A function turning a remote or model value of `model_field` into its canonical JSON-safe form
    (text, number, bool, ISO date string, decimal string, JSON), raising RecordError for what the
    column cannot hold."""
    if isinstance(model_field, models.ForeignKey):
        target = normaliser(model_field.target_field)

        def normalise_reference(value):
            return None if value in (None, "") else target(value)

        return normalise_reference
    if isinstance(model_field, models.DecimalField):
        return _decimal(model_field)
    if isinstance(model_field, models.BooleanField):
        return _boolean(model_field)
    if isinstance(model_field, models.IntegerField):
        return _integer(model_field)
    if isinstance(model_field, models.DateTimeField):
        return _datetime(model_field)
    if isinstance(model_field, models.DateField):
        return _date(model_field)
    if isinstance(model_field, models.JSONField):
        return _json(model_field)
    if isinstance(model_field, models.CharField | models.TextField):
        return _text(model_field)
    raise TypeError(f"no sync normaliser for {type(model_field).__name__}")


def to_model_value(model_field, canonical):
    """The Python value for the model attribute (`attname`) from the canonical form."""
    if canonical is None:
        return None
    if isinstance(model_field, models.DecimalField):
        return decimal.Decimal(canonical)
    if isinstance(model_field, models.DateTimeField):
        return datetime.datetime.fromisoformat(canonical)
    if isinstance(model_field, models.DateField):
        return datetime.date.fromisoformat(canonical)
    return canonical


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"), check_circular=False
)


def record_hash(values: dict, children=None) -> str:
    """The hash of a record's canonical values (and child rows). Raises RecordError for text no
    database can store (NUL characters, lone surrogates) and for numbers JSON cannot hold."""
    payload = values if children is None else {**values, CHILDREN_KEY: children}
    try:
        text = _ENCODER.encode(payload)
    except (TypeError, ValueError) as exc:
        raise RecordError(_("not storable: %(error)s") % {"error": exc}) from exc
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(_("%(field)s: not valid Unicode") % {"field": _unstorable(payload) or _("a value")}) from None
    if "\\u0000" in text:
        # Also matches an escaped backslash followed by "u0000": look closer before refusing.
        name = _unstorable(payload)
        if name:
            raise RecordError(_("%(field)s: contains a NUL character") % {"field": name})
    return hashlib.sha1(encoded, usedforsecurity=False).hexdigest()


def _unstorable(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL character or a lone surrogate, else None."""
    if isinstance(value, str):
        if "\x00" in value:
            return path or "text"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "text"
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((f"[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for key, item in items:
        found = _unstorable(key, path) or _unstorable(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


# --- The three-way merge of one record ---------------------------------------------------------------


@dataclass
class Merge:
    writes: dict = field(default_factory=dict)  # field -> remote value to store locally
    kept: list = field(default_factory=list)  # edited here: the local value stays
    conflicts: list = field(default_factory=list)  # (field, base, local, remote): edited here and remotely


def merge_fields(fields, base: dict | None, local: dict, remote: dict) -> Merge:
    """Per field: equal values need nothing; a local value equal to the last remote value (`base`) was
    not edited here, so the remote value is taken; otherwise the local value stays, and if the remote
    value moved away from `base` as well, that is a conflict. With no base at all (a record made
    here that the remote now lists too) every difference counts as a local edit."""
    merge = Merge()
    for name in fields:
        remote_value, local_value = remote[name], local[name]
        if local_value == remote_value:
            continue
        if base is not None:
            base_value = base.get(name, _MISSING)
            # A field the last sync did not map yet holds only its default here: take the remote value.
            if base_value is _MISSING or local_value == base_value:
                merge.writes[name] = remote_value
                continue
        else:
            base_value = None
        merge.kept.append(name)
        if base is None or remote_value != base_value:
            merge.conflicts.append((name, base_value, local_value, remote_value))
    return merge


# --- Fetch ---------------------------------------------------------------------------------------------


@dataclass
class Incoming:
    values: dict  # canonical mapped values
    children: list | None
    hash: str  # of the mapped values: decides whether the record is written
    raw_hash: str = ""  # of the remote record as received (see SyncedRecord.remote_raw_hash)


@dataclass
class Fetched:
    connector: Connector
    records: dict = field(default_factory=dict)  # remote id -> Incoming
    # Records received exactly as last written here: not mapped at all, counted as unchanged.
    unchanged_ids: set = field(default_factory=set)
    seen: set = field(default_factory=set)  # every id the source listed, the unusable records too
    failed: int = 0
    errors: list = field(default_factory=list)
    # False when the source's own count changed while paging (a record added or removed meanwhile shifts
    # the pages, so one may have been missed): then nothing is marked as deleted remotely this time.
    listing_complete: bool = True

    def note(self, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"entity": self.connector.entity, "remote_id": None, "message": message})
        logger.warning("sync %s: %s", self.connector.entity, message)

    def skip(self, remote_id, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"entity": self.connector.entity, "remote_id": remote_id, "message": message[:500]})
        logger.warning("sync %s: skipped record %s: %s", self.connector.entity, remote_id, message[:500])


ProgressCallback = Callable[[str, int, int | None], None]


def fetch(connector: Connector, *, progress: ProgressCallback | None = None) -> Fetched:
    """Read every page and map every record. Raises SourceError when the source fails."""
    fetched = Fetched(connector)
    model_fields = {name: connector.model._meta.get_field(name) for name in connector.fields}
    overlap = set(connector.fields) & set(connector.local_only)
    if overlap:
        raise TypeError(f"{type(connector).__name__}: fields both mapped and local-only: {sorted(overlap)}")
    normalise = {name: normaliser(model_field) for name, model_field in model_fields.items()}
    # Most connectors keep no child rows: do not call the base class's no-op for every record.
    children = connector.children if type(connector).children is not Connector.children else None
    known = dict(
        connector.model.objects.filter(remote_deleted_at=None)
        .exclude(remote_raw_hash="")
        .values_list(connector.remote_key, "remote_raw_hash")
    )
    salt = _mapping_salt(connector)
    done, totals = 0, set()
    for page in _prefetched(connector.pages()):
        for raw in page.records:
            _take(fetched, connector, normalise, children, known, salt, raw)
        done += len(page.records)
        if page.total is not None:
            totals.add(page.total)
        if progress:
            progress(connector.entity, done, page.total)
    if len(totals) > 1 or (totals and done < max(totals)):
        fetched.listing_complete = False
        fetched.note(_("the remote list changed during the sync; records missing from it are checked next time"))
    return fetched


_END = object()


def _prefetched(pages: Iterator[Page], depth: int = 2) -> Iterator[Page]:
    """Iterate `pages` while a thread already fetches the next ones, so that waiting for the network
    and mapping records overlap. An exception of the source is raised here, in order."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item) -> bool:
        """Put `item` in the buffer unless the consumer has stopped."""
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    # The source's messages (SourceError) are written in this thread: in the caller's language.
    language = translation.get_language()

    def produce():
        try:
            with translation.override(language):
                for page in pages:
                    if not offer(page):
                        return
            offer(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)

    worker = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def raw_hash(raw, salt: str = "") -> str:
    """A fingerprint of a remote record as received (the same JSON text gives the same value), salted
    with the connector's mapping, so that a new mapping sees every record once."""
    text = salt + repr(raw)
    return hashlib.sha1(text.encode("utf-8", "backslashreplace"), usedforsecurity=False).hexdigest()


def _mapping_salt(connector: Connector) -> str:
    return f"{connector.source}.{connector.entity}:{connector.mapping_version}:{','.join(connector.fields)}:"


def _take(fetched: Fetched, connector: Connector, normalise: dict, children_of, known: dict, salt: str, raw) -> None:
    try:
        remote_id = connector.remote_id(raw)
        if not isinstance(remote_id, str) or not remote_id or len(remote_id) > 64 or "\x00" in remote_id:
            raise RecordError(_("no usable id"))
    except (RecordError, KeyError, TypeError, ValueError, AttributeError) as exc:
        fetched.skip(None, _("no usable id: %(reason)s") % {"reason": _describe(exc)})
        return
    fetched.seen.add(remote_id)
    fingerprint = raw_hash(raw, salt)
    if known.get(remote_id) == fingerprint:
        fetched.records.pop(remote_id, None)  # listed twice (the pages shifted): the last one counts
        fetched.unchanged_ids.add(remote_id)
        return
    fetched.unchanged_ids.discard(remote_id)
    try:
        mapped = connector.map(raw)
        values = {name: convert(mapped[name]) for name, convert in normalise.items()}
        children = children_of(raw) if children_of else None
        digest = record_hash(values, children)
    except (RecordError, KeyError, TypeError, ValueError, AttributeError, decimal.InvalidOperation) as exc:
        fetched.skip(remote_id, _describe(exc))
        return
    fetched.records[remote_id] = Incoming(values, children, digest, fingerprint)


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return _("missing field %(field)s") % {"field": repr(exc.args[0])} if exc.args else _("missing field")
    return str(exc) or type(exc).__name__


# --- Apply ---------------------------------------------------------------------------------------------


@dataclass
class EntityResult:
    entity: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    preserved: int = 0
    conflicts: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    def counts(self) -> dict:
        return {name: getattr(self, name) for name in
                ("created", "updated", "unchanged", "preserved", "conflicts", "deleted", "failed")}  # fmt: skip

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _batches(items: list, size: int = BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    """Collects what one connector's apply writes, and writes it in bulk (unless a dry run)."""

    def __init__(self, fetched: Fetched, *, run, now, dry_run: bool, history: list | None = None):
        self.fetched = fetched
        self.connector = connector = fetched.connector
        self.model = connector.model
        self.run = run
        self.now = now
        self.dry_run = dry_run
        self.meta = self.model._meta
        self.model_fields = {name: self.meta.get_field(name) for name in connector.fields}
        self.attnames = {name: f.attname for name, f in self.model_fields.items()}
        self.local_normalise = {name: normaliser(f) for name, f in self.model_fields.items()}
        self.touch_fields = [f.attname for f in self.meta.concrete_fields if getattr(f, "auto_now", False)]
        self.key_attname = self.meta.get_field(connector.remote_key).attname
        # Every synced record has a history (and so an event): UUID-keyed ones under their UUID.
        self.events = True
        self.content_type = ContentType.objects.get_for_model(self.model)
        self.result = EntityResult(connector.entity, failed=fetched.failed, errors=list(fetched.errors))
        # The caller's list when given (it writes the rows last, see `apply`), else written in `finish`.
        self.shared_history = history
        self.history: list[ChangeEvent] = []
        self.children: dict = {}

    # -- new records
    def create(self, remote_ids: list[str]) -> None:
        self.result.created = len(remote_ids)
        if self.dry_run:
            return
        convert = {self.attnames[name]: functools.partial(to_model_value, f) for name, f in self.model_fields.items()}
        inserter = RowInserter(self.model, convert=convert)
        key = self.connector.remote_key
        for batch in _batches(remote_ids):
            inserter.insert([self._row(remote_id) for remote_id in batch], now=self.now)
            if self.meta.pk.attname == self.key_attname:
                pks = {remote_id: remote_id for remote_id in batch}
            else:  # the database chose the primary keys
                pks = dict(self.model.objects.filter(**{f"{key}__in": batch}).values_list(key, "pk"))
            for remote_id in batch:
                incoming = self.fetched.records[remote_id]
                if incoming.children is not None:
                    self.children[pks[remote_id]] = incoming.children
                if self.events:
                    values = incoming.values.items()
                    self._event(pks[remote_id], "created", {n: [None, v] for n, v in values if v not in (None, "")})

    def _row(self, remote_id: str) -> dict:
        """attname -> canonical value of a new record (the inserter prepares them for the database)."""
        incoming = self.fetched.records[remote_id]
        row = {self.attnames[name]: value for name, value in incoming.values.items()}
        row[self.key_attname] = remote_id
        row["remote_base"] = self._base(incoming)
        row["remote_hash"] = incoming.hash
        row["remote_raw_hash"] = incoming.raw_hash
        row["last_sync"] = self.now
        return row

    @staticmethod
    def _base(incoming: Incoming) -> dict:
        return incoming.values if incoming.children is None else {**incoming.values, CHILDREN_KEY: incoming.children}

    # -- records seen before whose remote values changed (or that were marked deleted)
    def merge(self, remote_ids: list[str]) -> None:
        for batch in _batches(remote_ids):
            full: dict[frozenset, list] = defaultdict(list)
            snapshot_only, conflicts, agreed = [], [], set()
            objs = list(self.model.objects.filter(**{f"{self.connector.remote_key}__in": batch}))
            for obj in objs:
                outcome = self._merge_one(obj, conflicts, agreed)
                if outcome is None:
                    snapshot_only.append(obj)
                else:
                    full[frozenset(outcome)].append(obj)
            if self.dry_run:
                continue
            bookkeeping = ["remote_base", "remote_hash", "remote_raw_hash"]
            for names, group in full.items():
                self.model.objects.bulk_update(
                    group, [*names, *bookkeeping, "remote_deleted_at", "last_sync", *self.touch_fields]
                )
            if snapshot_only:
                self.model.objects.bulk_update(snapshot_only, bookkeeping)
            self._save_conflicts(objs, conflicts, agreed)

    def _merge_one(self, obj, conflicts: list, agreed: set) -> list | None:
        """Merge one record; returns the attnames to write, or None when only the base changes."""
        remote_id = getattr(obj, self.key_attname)
        incoming = self.fetched.records[remote_id]
        fields = self.connector.fields
        local = {name: self.local_normalise[name](getattr(obj, self.attnames[name])) for name in fields}
        base = obj.remote_base if isinstance(obj.remote_base, dict) else None
        merge = merge_fields(fields, base, local, incoming.values)
        changes = {}
        for name, value in merge.writes.items():
            changes[name] = [local[name], value]
            setattr(obj, self.attnames[name], to_model_value(self.model_fields[name], value))
        if obj.remote_deleted_at is not None:
            changes["remote_deleted_at"] = [obj.remote_deleted_at.isoformat(), None]
            obj.remote_deleted_at = None
        old_children = (base or {}).get(CHILDREN_KEY)
        if incoming.children is not None and old_children != incoming.children:
            self.children[obj.pk] = incoming.children
            changes["items"] = [len(old_children or []), len(incoming.children)]
        if merge.kept:
            self.result.preserved += 1
        kept = set(merge.kept)
        agreed.update((str(obj.pk), name) for name in fields if name not in kept)
        for name, base_value, local_value, remote_value in merge.conflicts:
            conflicts.append((obj, name, base_value, local_value, remote_value))
        self.result.conflicts += len(merge.conflicts)
        obj.remote_base = self._base(incoming)
        obj.remote_hash = incoming.hash
        obj.remote_raw_hash = incoming.raw_hash
        if not changes:
            self.result.unchanged += 1
            return None
        self.result.updated += 1
        obj.last_sync = self.now
        for attname in self.touch_fields:
            setattr(obj, attname, self.now)
        if self.events:
            self._event(obj.pk, "updated", changes)
        return [self.attnames[name] for name in merge.writes]

    def _save_conflicts(self, objs: list, conflicts: list, agreed: set) -> None:
        """Record new conflicts, refresh open ones with the latest values, and settle open ones whose
        local and remote values agree now."""
        ids = [str(obj.pk) for obj in objs]
        open_ones = {
            (c.object_id, c.field): c
            for c in SyncConflict.objects.filter(content_type=self.content_type, object_id__in=ids, resolved_at=None)
        }
        if not conflicts and not open_ones:
            return
        new, changed = [], []
        for obj, name, base_value, local_value, remote_value in conflicts:
            existing = open_ones.pop((str(obj.pk), name), None)
            if existing is not None:
                existing.local_value, existing.remote_value = local_value, remote_value
                existing.run, existing.detected_at = self.run, self.now
                changed.append(existing)
                continue
            conflict = SyncConflict(
                source=self.connector.source, entity=self.connector.entity, content_type=self.content_type,
                object_id=str(obj.pk), record_label=str(obj)[:255], field=name, base_value=base_value,
                local_value=local_value, remote_value=remote_value, run=self.run, detected_at=self.now,
            )  # fmt: skip
            new.append(conflict)
        for key, conflict in open_ones.items():
            if key in agreed:
                conflict.resolved_at, conflict.resolution = self.now, SyncConflict.Resolution.SETTLED
                changed.append(conflict)
        SyncConflict.objects.bulk_create(new, batch_size=BATCH_SIZE)
        SyncConflict.objects.bulk_update(
            changed, ["local_value", "remote_value", "run", "detected_at", "resolved_at", "resolution"]
        )

    # -- records the remote no longer lists
    def mark_deleted(self, remote_ids: list[str]) -> None:
        self.result.deleted = len(remote_ids)
        if self.dry_run:
            return
        key = self.connector.remote_key
        for batch in _batches(remote_ids):
            if self.events:
                for pk in self.model.objects.filter(**{f"{key}__in": batch}).values_list("pk", flat=True):
                    self._event(pk, "updated", {"remote_deleted_at": [None, self.now.isoformat()]})
            self.model.objects.filter(**{f"{key}__in": batch}).update(
                remote_deleted_at=self.now, **{name: self.now for name in self.touch_fields}
            )

    def _event(self, pk, action: str, changes: dict) -> None:
        note = f"sync {self.connector.source} #{self.run.pk}" if self.run else f"sync {self.connector.source}"
        # Synced records are named by their primary key in the API (shop ids, ThingsBoard UUIDs).
        self.history.append(event_row(self.model, pk, key=pk, action=action, changes=changes, note=note))

    def finish(self) -> EntityResult:
        if not self.dry_run:
            if self.children:
                self.connector.write_children(self.children)
            if self.shared_history is not None:
                self.shared_history.extend(self.history)
            else:
                record_changes(*self.history, batch_size=BATCH_SIZE)
            self.connector.after_apply(self.result)
        return self.result


def apply(fetched: Fetched, *, run=None, now=None, dry_run: bool = False, history: list | None = None) -> EntityResult:
    """Write what `fetch` read. Call inside a transaction: a failure half-way must roll back.

    With `history` (a list), the history rows are added to it for the caller to write with
    `record_changes` as the transaction's last step: the event order lock (core/history.py) is then
    held only for that moment, never while the sync updates rows people may be editing."""
    connector = fetched.connector
    writer = _Writer(fetched, run=run, now=now or timezone.now(), dry_run=dry_run, history=history)
    existing = {
        remote_id: (remote_hash, deleted_at)
        for remote_id, remote_hash, deleted_at in connector.model.objects.values_list(
            connector.remote_key, "remote_hash", "remote_deleted_at"
        )
    }
    to_create, to_merge = [], []
    for remote_id, incoming in fetched.records.items():
        known = existing.get(remote_id)
        if known is None:
            to_create.append(remote_id)
        elif known[0] != incoming.hash or known[1] is not None:
            to_merge.append(remote_id)
        else:
            writer.result.unchanged += 1
    for remote_id in fetched.unchanged_ids:
        known = existing.get(remote_id)
        if known is not None and known[1] is None:
            writer.result.unchanged += 1
        else:  # deleted or marked here since the fetch began: the next sync looks at it again
            writer.result.errors.append(
                {"entity": connector.entity, "remote_id": remote_id, "message": _("changed here during the sync")}
            )
    # Only records that came from the remote can vanish from it; records made here stay as they are.
    gone = [
        remote_id
        for remote_id, (remote_hash, deleted_at) in existing.items()
        if remote_hash and deleted_at is None and remote_id not in fetched.seen and fetched.listing_complete
    ]
    writer.create(to_create)
    writer.merge(to_merge)
    writer.mark_deleted(gone)
    return writer.finish()
