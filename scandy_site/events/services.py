"""Webhooks: setting up endpoints, handing them each committed event, and POSTing it with retries.

A run (`webhooks_deliver`, the django-q2 task queued after every commit with history rows, and every
minute by the schedule) takes each active endpoint in turn: it claims the endpoint (one sender at a time,
so deliveries keep their order), creates a delivery for every new event the endpoint wants, and sends
what is due, oldest first. A failed attempt is tried again after 1 min, 5 min, 30 min, 2 h and 12 h; after
the last one the delivery is marked failed. While a delivery waits for its retry, later deliveries of the
same record wait behind it (order per record); other records go on. Every attempt is logged.
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scandy_site import __version__
from scandy_site.accounts import secrets
from scandy_site.core.errors import ApplicationError
from scandy_site.core.validation import clean_or_raise

from .kinds import event_types
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .selectors import all_events, event_data, format_time, latest_event_id

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; one attempt more than waits, then the delivery has failed.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# How much of a receiver's answer the attempt log keeps.
RESPONSE_KEEP = 1000
FAN_OUT_BATCH = 500
SEND_BATCH = 200
# One run claims an endpoint for at most this long; it stops sending after RUN_BUDGET_SECONDS.
LEASE = datetime.timedelta(minutes=2)
RUN_BUDGET_SECONDS = 45.0
MIN_SECRET_LENGTH = 16
ACTIVE_CACHE_KEY = "events:webhooks-active"
TEST_EVENT_TYPE = "webhook.test"


# --- endpoints ---------------------------------------------------------------------------------------


def _check_event_types(text: str) -> None:
    known = [*event_types(), TEST_EVENT_TYPE]
    patterns = WebhookEndpoint(event_types=text).type_patterns()
    unknown = [p for p in patterns if not any(WebhookEndpoint(event_types=p).wants(t) for t in known)]
    if unknown:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("No event type matches %(patterns)s.") % {"patterns": ", ".join(unknown)},
            errors={"event_types": [_("unknown: %(patterns)s") % {"patterns": ", ".join(unknown)}]},
        )


def _set_secret(endpoint: WebhookEndpoint, secret: str | None) -> None:
    if secret is None or secret == "":
        if not endpoint.secret_encrypted:
            raise ApplicationError(
                "VALIDATION_ERROR", _("Give the endpoint a secret."), errors={"secret": [_("required")]}
            )
        return
    if len(secret) < MIN_SECRET_LENGTH or secret != secret.strip():
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("The secret needs at least %(count)s characters, without spaces around it.")
            % {"count": MIN_SECRET_LENGTH},
            errors={"secret": [_("too short")]},
        )
    endpoint.secret_encrypted = secrets.encrypt(secret)


@transaction.atomic
def webhook_endpoint_save(*, endpoint: WebhookEndpoint, user, secret: str | None = None, departments=None):
    """Create or change an endpoint. `secret` None or "" keeps the stored one (a new endpoint needs one).
    A new endpoint starts with the events committed after it: it is not flooded with the past."""
    _check_event_types(endpoint.event_types)
    _set_secret(endpoint, secret)
    clean_or_raise(endpoint, exclude=["secret_encrypted"])
    if endpoint.url.split(":", 1)[0].lower() not in ("http", "https"):
        raise ApplicationError("VALIDATION_ERROR", _("Use an http or https URL."), errors={"url": [_("invalid")]})
    if endpoint._state.adding:
        endpoint.cursor = latest_event_id()
    endpoint.save()
    if departments is not None:
        endpoint.departments.set(departments)
    transaction.on_commit(forget_active_state)
    logger.info("webhook endpoint %s (%s) saved by %s", endpoint.pk, endpoint.name, getattr(user, "pk", None))
    return endpoint


def forget_active_state() -> None:
    cache.delete(ACTIVE_CACHE_KEY)


def webhooks_active() -> bool:
    """Whether any endpoint is active (cached briefly: after every commit the answer decides whether a
    delivery run is queued; the minute schedule catches whatever a stale answer leaves behind)."""
    active = cache.get(ACTIVE_CACHE_KEY)
    if active is None:
        active = WebhookEndpoint.objects.filter(active=True).exists()
        cache.set(ACTIVE_CACHE_KEY, active, 30)
    return active


# --- signing and sending -----------------------------------------------------------------------------


def encode_body(data: dict) -> str:
    """The exact JSON text sent (compact, UTF-8); the signature covers these bytes."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _object_ref(data: dict) -> str:
    kind = data["type"].rsplit(".", 1)[0]
    return f"{kind}:{data.get('department') or ''}:{data.get('object_id') or ''}"[:200]


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    # The receiver could not be reached at all (no connection, timeout): the run stops sending to it.
    unreachable: bool = False


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery, secret: str) -> tuple[Outcome, str]:
    timeout = settings.WEBHOOK_TIMEOUT
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"Scandy-Webhooks/{__version__}",
        "X-Scandy-Event": delivery.event_type,
        "X-Scandy-Delivery": str(delivery.pk),
        "X-Scandy-Signature": signature(secret, body),
    }
    started = time.monotonic()
    try:
        with requests.post(
            endpoint.url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            kept = b""
            for chunk in response.iter_content(chunk_size=1024):
                kept += chunk
                if len(kept) >= RESPONSE_KEEP * 4 or time.monotonic() - started > timeout:
                    break
            text = kept.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_KEEP]
            ok = 200 <= response.status_code < 300
            error = "" if ok else _("HTTP %(status)s") % {"status": response.status_code}
            return Outcome(ok, response.status_code, error), text
    # Only the kind of failure is kept: an exception's text may hold the URL, and URLs may hold credentials.
    except requests.Timeout:
        return Outcome(False, error=_("no answer within %(seconds)s s") % {"seconds": timeout}, unreachable=True), ""
    except requests.exceptions.SSLError:
        return Outcome(False, error=_("TLS error"), unreachable=True), ""
    except requests.ConnectionError:
        return Outcome(False, error=_("could not connect"), unreachable=True), ""
    except requests.RequestException as exc:
        return Outcome(False, error=type(exc).__name__, unreachable=True), ""


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: datetime.datetime) -> Outcome:
    secret = secrets.decrypt(endpoint.secret_encrypted) if endpoint.secret_encrypted else ""
    started = time.monotonic()
    if secret:
        outcome, response_text = _post(endpoint, delivery, secret)
    else:  # after a restore (secrets are blanked) or a change of SECRET_KEY: never send unsigned
        outcome, response_text = Outcome(False, error=_("no secret set; enter it again in the admin")), ""
    duration_ms = round((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    WebhookAttempt.objects.create(
        delivery=delivery, number=delivery.attempts, at=now, status_code=outcome.status_code,
        duration_ms=duration_ms, error=outcome.error[:300], response_body=response_text,
    )  # fmt: skip
    if outcome.ok:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, now, None
        delivery.failures_in_row = 0
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_success_at=now)
    else:
        delivery.failures_in_row += 1
        if delivery.is_test or delivery.failures_in_row >= MAX_ATTEMPTS:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, now, None
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.failures_in_row - 1]
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_failure_at=now)
    delivery.save(update_fields=["attempts", "failures_in_row", "status", "finished_at", "next_attempt_at"])
    log = logger.info if outcome.ok else logger.warning
    log(
        "webhook %s: delivery %s (%s) attempt %s: %s in %s ms",
        endpoint.pk, delivery.pk, delivery.event_type, delivery.attempts,
        outcome.status_code or outcome.error, duration_ms,
    )  # fmt: skip
    return outcome


# --- runs ------------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    queued: int = 0
    sent: int = 0
    failed_attempts: int = 0
    endpoints: list = field(default_factory=list)


def _fan_out(endpoint: WebhookEndpoint) -> int:
    """Create the deliveries of the events after the endpoint's cursor; returns how many."""
    departments = set(endpoint.departments.values_list("pk", flat=True))
    created = 0
    while True:
        batch = list(all_events().filter(id__gt=endpoint.cursor)[:FAN_OUT_BATCH])
        if not batch:
            return created
        deliveries = []
        for event in batch:
            if departments and event.department_id not in departments:
                continue
            if not endpoint.wants(event.type):
                continue
            data = event_data(event)
            delivery = WebhookDelivery(
                endpoint=endpoint, event=event, event_type=event.type, object_ref=_object_ref(data),
                payload=encode_body(data),
            )  # fmt: skip
            deliveries.append(delivery)
        with transaction.atomic():
            WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            endpoint.cursor = batch[-1].pk
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(cursor=endpoint.cursor)
        created += len(deliveries)
        if len(batch) < FAN_OUT_BATCH:
            return created


def _send_due(endpoint: WebhookEndpoint, *, clock, deadline: float, result: RunResult) -> bool:
    """Send what is due, oldest first, through every pending delivery (in batches). Returns False when the
    run stopped early: the time budget is used up, or the receiver cannot be reached."""
    blocked: set[str] = set()
    pending = endpoint.deliveries.filter(status=WebhookDelivery.Status.PENDING, is_test=False).order_by("id")
    after = 0
    while batch := list(pending.filter(id__gt=after)[:SEND_BATCH]):
        after = batch[-1].pk
        for delivery in batch:
            if delivery.object_ref in blocked:
                continue
            now = clock()
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                blocked.add(delivery.object_ref)  # waits for its retry; later events of the record wait behind it
                continue
            if time.monotonic() > deadline:
                return False
            outcome = _attempt(endpoint, delivery, now)
            if outcome.ok:
                result.sent += 1
                continue
            result.failed_attempts += 1
            blocked.add(delivery.object_ref)
            if outcome.unreachable:
                return False
    return True


def _claim(endpoint_id: int, now) -> bool:
    free = Q(busy_until__isnull=True) | Q(busy_until__lt=now)
    return bool(WebhookEndpoint.objects.filter(free, pk=endpoint_id, active=True).update(busy_until=now + LEASE))


def _release(endpoint_id: int) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(busy_until=None)


def webhooks_deliver(*, clock=timezone.now, endpoint_ids=None) -> RunResult:
    """One delivery run over every active endpoint (or those of `endpoint_ids`). `clock` gives "now" for
    retry times and the log (tests pass a controllable one)."""
    result = RunResult()
    deadline = time.monotonic() + RUN_BUDGET_SECONDS
    endpoints = WebhookEndpoint.objects.filter(active=True).order_by("id")
    if endpoint_ids is not None:
        endpoints = endpoints.filter(pk__in=endpoint_ids)
    for endpoint_id in endpoints.values_list("pk", flat=True):
        # After the release, look once more: an event committed while this run held the claim was maybe
        # handed to a run that found the endpoint busy and went away.
        while time.monotonic() < deadline and _claim(endpoint_id, clock()):
            try:
                endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
                result.queued += _fan_out(endpoint)
                finished = _send_due(endpoint, clock=clock, deadline=deadline, result=result)
            finally:
                _release(endpoint_id)
            result.endpoints.append(endpoint_id)
            if not finished or not all_events().filter(id__gt=endpoint.cursor).exists():
                break
    return result


def webhook_send_test(*, endpoint: WebhookEndpoint, user, clock=timezone.now) -> WebhookDelivery:
    """Send a `webhook.test` event now, once (no retries), and log it like any delivery."""
    now = clock()
    data = {
        "id": 0, "type": TEST_EVENT_TYPE, "object_id": None, "changed_fields": [],
        "at": format_time(now), "department": None,
    }  # fmt: skip
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=None, event_type=TEST_EVENT_TYPE, object_ref=f"test:{now.timestamp()}",
        payload=encode_body(data), is_test=True,
    )  # fmt: skip
    _attempt(endpoint, delivery, now)
    logger.info("webhook %s: test event sent by %s", endpoint.pk, getattr(user, "pk", None))
    return delivery


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery, user, clock=timezone.now) -> WebhookDelivery:
    """A delivery (failed, or waiting for its next try) goes out again with the next run, with a fresh
    back-off schedule."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        raise ApplicationError("INVALID_TRANSITION", _("This delivery arrived already."))
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.failures_in_row = 0
    delivery.next_attempt_at = clock()
    delivery.finished_at = None
    delivery.is_test = False
    delivery.save(update_fields=["status", "failures_in_row", "next_attempt_at", "finished_at", "is_test"])
    logger.info("webhook delivery %s queued again by %s", delivery.pk, getattr(user, "pk", None))
    return delivery


def queue_delivery_run() -> None:
    """Hand a delivery run to the django-q2 worker (after a commit with history rows)."""
    from django_q.tasks import async_task

    try:
        async_task("scandy_site.events.tasks.deliver_webhooks", task_name="webhook-deliveries")
    except Exception:  # the change is committed; the minute schedule delivers when the broker is back
        logger.exception("could not queue a webhook delivery run")
