"""Webhooks against a real local HTTP receiver that checks every signature: delivery, retries with back-off
(driven by a controllable clock), giving up, timeouts, order per record, filters, and the log of attempts."""

import datetime
import hashlib
import hmac
import json
import logging

import pytest
from django.utils import translation
from django_q.conf import Conf

from inventory import services as inventory_services
from scandy_site.events import services
from scandy_site.events.models import WebhookDelivery, WebhookEndpoint
from tests.factories import DepartmentFactory, ToolFactory
from tests.fakes.webhooks import WebhookReceiver

from .conftest import SECRET, events_after

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def run(clock):
    return services.webhooks_deliver(clock=clock)


@pytest.fixture(autouse=True)
def _english():
    # Attempt errors are stored in the language active while the run sends; the tests read them in English.
    with translation.override("en"):
        yield


@pytest.fixture
def tool(department, admin_user):
    """Made before the endpoint in every test here (tests name it first): its creation is not delivered."""
    return ToolFactory(department=department, barcode="T-1", name="Säge", created_by=admin_user)


def rename(tool, name, user=None):
    return inventory_services.tool_update(tool=tool, user=user, name=name)


def test_an_event_is_posted_signed_as_the_feed_shows_it(api, receiver, tool, endpoint, clock, mark):
    start = mark()
    rename(tool, "Kreissäge")
    result = run(clock)
    assert (result.queued, result.sent) == (1, 1)
    [request] = receiver.requests
    assert receiver.signature_ok(request)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-scandy-event"] == "tool.updated"
    assert json.loads(request.body) == events_after(api, start)[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-scandy-signature"] == expected
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.payload.encode()) == ("succeeded", 1, request.body)
    [attempt] = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error, json.loads(attempt.response_body)) == (200, "", {"received": True})


def test_a_new_endpoint_starts_with_what_comes_after_it(receiver, department, admin_user, clock):
    ToolFactory(department=department, barcode="OLD")
    endpoint = services.webhook_endpoint_save(
        endpoint=WebhookEndpoint(name="Spät", url=receiver.url), user=admin_user, secret=SECRET
    )
    assert run(clock).queued == 0
    ToolFactory(department=department, barcode="NEW")
    run(clock)
    assert [e["object_id"] for e in receiver.accepted] == ["NEW"]
    assert endpoint.deliveries.count() == 1


def test_failures_are_retried_with_back_off_until_delivered(receiver, tool, endpoint, clock):
    receiver.fail("hook", status=500, times=2)
    rename(tool, "A")
    run(clock)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 1, clock.now + MINUTE)
    clock.advance(seconds=59)
    run(clock)  # not due yet
    assert len(receiver.requests) == 1
    clock.advance(seconds=2)
    run(clock)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == clock.now + 5 * MINUTE
    clock.advance(minutes=5)
    run(clock)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 200]
    assert [a.error for a in delivery.attempt_log.all()] == ["HTTP 500", "HTTP 500", ""]
    assert len(receiver.accepted) == 1


def test_after_the_last_retry_the_delivery_has_failed(receiver, tool, endpoint, clock):
    receiver.fail("hook", status=503)
    rename(tool, "B")
    started = clock.now
    run(clock)
    for wait in services.BACKOFF:
        clock.advance(seconds=wait.total_seconds())
        run(clock)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", services.MAX_ATTEMPTS, None)
    times = [a.at - started for a in delivery.attempt_log.all()]
    assert times == [datetime.timedelta(0), *(sum(services.BACKOFF[: n + 1], datetime.timedelta()) for n in range(5))]
    clock.advance(days=2)
    run(clock)
    assert WebhookDelivery.objects.get().attempts == services.MAX_ATTEMPTS  # nothing more
    assert WebhookEndpoint.objects.get().last_failure_at is not None


def test_a_receiver_that_does_not_answer_in_time(receiver, endpoint, department, clock, settings):
    receiver.slow("hook", seconds=1.5, times=1)
    ToolFactory(department=department, barcode="X-1")
    ToolFactory(department=department, barcode="X-2")
    run(clock)
    first, second = WebhookDelivery.objects.order_by("id")
    attempt = first.attempt_log.get()
    assert attempt.status_code is None and attempt.error == "no answer within 0.5 s"
    assert attempt.duration_ms >= 500
    # Unreachable: the run stopped there; the next run sends the rest, the timed-out one after its wait.
    assert second.attempts == 0
    run(clock)
    second.refresh_from_db()
    assert second.status == "succeeded"
    clock.advance(minutes=1, seconds=1)
    run(clock)
    first.refresh_from_db()
    assert first.status == "succeeded"


def test_later_events_of_a_record_wait_for_an_earlier_retry(receiver, tool, endpoint, department, clock):
    other = ToolFactory(department=department, barcode="T-2")
    run(clock)  # its creation
    receiver.accepted.clear()
    receiver.fail("hook", status=500, times=1)
    rename(tool, "eins")
    rename(other, "anders")
    rename(tool, "zwei")
    run(clock)
    # T-1 "eins" failed; T-1 "zwei" waits behind it; T-2 went out.
    assert [(e["object_id"]) for e in receiver.accepted] == ["T-2"]
    clock.advance(minutes=1, seconds=1)
    run(clock)
    assert [e["object_id"] for e in receiver.accepted] == ["T-2", "T-1", "T-1"]
    ids = [e["id"] for e in receiver.accepted if e["object_id"] == "T-1"]
    assert ids == sorted(ids)


def test_type_and_department_filters(receiver, admin_user, department, other_department, clock):
    endpoint = services.webhook_endpoint_save(
        endpoint=WebhookEndpoint(name="Nur Werkzeug", url=receiver.url, event_types="tool.created, lending.*"),
        user=admin_user, secret=SECRET, departments=[department],
    )  # fmt: skip
    tool = ToolFactory(department=department, barcode="IN")
    ToolFactory(department=other_department, barcode="OUT")
    rename(tool, "nicht gewollt")
    run(clock)
    assert [(e["type"], e["object_id"]) for e in receiver.accepted] == [("tool.created", "IN")]
    assert endpoint.deliveries.count() == 1
    assert WebhookEndpoint.objects.get().cursor > 0


def test_unknown_event_types_are_refused(admin_user, receiver):
    with pytest.raises(services.ApplicationError) as refused:
        services.webhook_endpoint_save(
            endpoint=WebhookEndpoint(name="x", url=receiver.url, event_types="tool.*, tol.updated"),
            user=admin_user, secret=SECRET,
        )  # fmt: skip
    assert "tol.updated" in refused.value.message


def test_a_wrong_secret_is_an_http_error_with_the_answer_logged(receiver, admin_user, department, clock):
    services.webhook_endpoint_save(
        endpoint=WebhookEndpoint(name="falsch", url=receiver.url), user=admin_user, secret="another-secret-of-16+"
    )
    ToolFactory(department=department)
    run(clock)
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert (attempt.status_code, attempt.error) == (401, "HTTP 401")
    assert "bad signature" in attempt.response_body
    assert receiver.verified == [False]


def test_without_a_secret_nothing_is_sent(receiver, endpoint, department, clock):
    WebhookEndpoint.objects.update(secret_encrypted="")  # as after a restore (secrets are blanked)
    ToolFactory(department=department)
    run(clock)
    assert receiver.requests == []
    assert WebhookDelivery.objects.get().attempt_log.get().error.startswith("no secret set")


def test_an_endpoint_claimed_by_another_run_is_left_to_it(receiver, tool, endpoint, clock):
    assert services._claim(endpoint.pk, clock())
    rename(tool, "C")
    assert run(clock).endpoints == []
    services._release(endpoint.pk)
    assert run(clock).sent == 1


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda func, *a, **k: calls.append(func))
    return calls


def test_without_endpoints_a_commit_queues_nothing(department, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ToolFactory(department=department)
    assert queued == []


def test_a_commit_queues_one_delivery_run(endpoint, department, queued, django_capture_on_commit_callbacks):
    services.forget_active_state()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tool = ToolFactory(department=department)
        rename(tool, "zweimal")
    # One transaction (a test runs in one): one run, not one per history row.
    assert queued == ["scandy_site.events.tasks.deliver_webhooks"]
    assert len(callbacks) == 1


def test_from_commit_to_receiver_through_the_task(
    receiver, endpoint, department, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", True)  # the queued task runs at once, as the worker would
    services.forget_active_state()
    with django_capture_on_commit_callbacks(execute=True):
        ToolFactory(department=department, barcode="LIVE")
    assert [e["object_id"] for e in receiver.accepted] == ["LIVE"]


def test_nothing_secret_reaches_the_log(receiver, admin_user, department, clock, caplog, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    url = receiver.url + "/hook?token=url-token-must-stay-private"
    with caplog.at_level(logging.DEBUG):
        services.webhook_endpoint_save(endpoint=WebhookEndpoint(name="geheim", url=url), user=admin_user,
                                       secret=SECRET)  # fmt: skip
        receiver.slow("hook", seconds=1)
        ToolFactory(department=department)
        run(clock)
        receiver.stop()
        clock.advance(minutes=2)
        run(clock)  # connection refused now
    logged = caplog.text + "".join(a.error for d in WebhookDelivery.objects.all() for a in d.attempt_log.all())
    assert SECRET not in logged and "url-token-must-stay-private" not in logged
    assert [a.error for a in WebhookDelivery.objects.get().attempt_log.all()] == [
        "no answer within 0.3 s", "could not connect",
    ]  # fmt: skip


def test_test_event_and_manual_retry(receiver, tool, endpoint, admin_user, clock):
    delivery = services.webhook_send_test(endpoint=endpoint, user=admin_user, clock=clock)
    assert delivery.status == "succeeded"
    assert receiver.accepted[-1]["type"] == "webhook.test"
    receiver.fail("hook", status=500)
    failed_test = services.webhook_send_test(endpoint=endpoint, user=admin_user, clock=clock)
    assert (failed_test.status, failed_test.attempts) == ("failed", 1)  # a test is tried once
    rename(tool, "D")
    run(clock)
    for wait in services.BACKOFF:
        clock.advance(seconds=wait.total_seconds())
        run(clock)
    gave_up = WebhookDelivery.objects.get(event__isnull=False)
    assert gave_up.status == "failed"
    receiver.clear_failures()
    services.webhook_delivery_retry(delivery=gave_up, user=admin_user, clock=clock)
    run(clock)
    gave_up.refresh_from_db()
    assert (gave_up.status, gave_up.attempts) == ("succeeded", services.MAX_ATTEMPTS + 1)
    with pytest.raises(services.ApplicationError):
        services.webhook_delivery_retry(delivery=gave_up, user=admin_user)


def test_two_receivers_each_get_every_event(receiver, endpoint, admin_user, department, clock):
    with WebhookReceiver("second-secret-0123456") as second:
        services.webhook_endpoint_save(
            endpoint=WebhookEndpoint(name="zwei", url=second.url), user=admin_user, secret="second-secret-0123456"
        )
        ToolFactory(department=department, barcode="BOTH")
        run(clock)
        assert [e["object_id"] for e in second.accepted] == ["BOTH"]
    assert [e["object_id"] for e in receiver.accepted] == ["BOTH"]


def test_inactive_endpoints_get_nothing(receiver, endpoint, department, clock):
    WebhookEndpoint.objects.update(active=False)
    ToolFactory(department=department)
    assert run(clock).queued == 0 and receiver.requests == []


def test_departments_other_than_the_filter(receiver, admin_user, clock):
    lager = DepartmentFactory(code="lager")
    services.webhook_endpoint_save(endpoint=WebhookEndpoint(name="lager", url=receiver.url), user=admin_user,
                                   secret=SECRET, departments=[lager])  # fmt: skip
    from integrations import services as integration_services

    integration_services.customer_create(user=admin_user, name="Ohne Abteilung")
    assert run(clock).queued == 0


def test_deliveries_waiting_for_a_retry_do_not_hold_up_other_records(receiver, endpoint, department, clock,
                                                                      monkeypatch):  # fmt: skip
    monkeypatch.setattr(services, "SEND_BATCH", 2)
    for barcode in ("A", "B", "C"):
        ToolFactory(department=department, barcode=barcode)
    receiver.fail("hook", status=500, times=2)
    result = run(clock)
    assert (result.sent, result.failed_attempts) == (1, 2)
    assert [e["object_id"] for e in receiver.accepted] == ["C"]
    clock.advance(minutes=1, seconds=1)
    run(clock)
    assert sorted(e["object_id"] for e in receiver.accepted) == ["A", "B", "C"]
