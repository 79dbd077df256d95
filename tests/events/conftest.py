import datetime

import pytest
from django.utils import timezone

from scandy_site.core.models import ChangeEvent
from scandy_site.events import services
from scandy_site.events.models import WebhookEndpoint
from tests.fakes.webhooks import WebhookReceiver

SECRET = "s3cret-for-the-receiver-0123456789"


def feed(client, since=0, **params) -> dict:
    """`GET /api/events?since=` as `client`; the envelope's data."""
    response = client.get("/api/events", {"since": since, **params})
    assert response.status_code == 200, response.content
    return response.json()["data"]


def events_after(client, since) -> list[dict]:
    return feed(client, since)["results"]


def parse_sse(lines) -> list[dict]:
    """Server-Sent Events as the spec parses them: `{"id", "data", "retry", "comments"}` per dispatched
    block (a block without data still moves the last event id)."""
    blocks, block = [], {"data": [], "comments": []}
    for raw in lines:
        line = raw.rstrip("\r")
        if line == "":
            if len(block) > 2 or block["data"] or block["comments"]:
                blocks.append({**block, "data": "\n".join(block["data"]) if block["data"] else None})
            block = {"data": [], "comments": []}
            continue
        if line.startswith(":"):
            block["comments"].append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            block["data"].append(value)
        elif name in ("id", "retry", "event"):
            block[name] = value
    return blocks


@pytest.fixture
def mark():
    """`mark()` -> the newest event id now; the events a test causes come after it."""
    return lambda: ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


class Clock:
    """A controllable "now" for webhook runs: retries are driven by moving it, never by sleeping."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_TIMEOUT = 0.5
    with WebhookReceiver(SECRET) as server:
        yield server


@pytest.fixture
def endpoint(receiver, admin_user):
    endpoint = WebhookEndpoint(name="Receiver", url=receiver.url + "/hook")
    return services.webhook_endpoint_save(endpoint=endpoint, user=admin_user, secret=SECRET)


class SSEClient:
    """A real HTTP client reading `/api/events/stream` from a live server in a background thread: the
    blocks arrive in `blocks` (parsed as the SSE spec says) as the server sends them."""

    def __init__(self, url: str, *, token: str, last_event_id=None, params=None):
        import queue
        import threading

        import requests

        headers = {"Authorization": f"Token {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.response = requests.get(url, headers=headers, params=params, stream=True, timeout=30)
        self.queue = queue.Queue()
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        import codecs

        buffer, decoder = "", codecs.getincrementaldecoder("utf-8")()
        try:
            # read1: whatever has arrived (iter_content would wait for the end of an unchunked response).
            while chunk := self.response.raw.read1(65536):
                buffer += decoder.decode(chunk)
                while "\n\n" in buffer:
                    raw, buffer = buffer.split("\n\n", 1)
                    for block in parse_sse([*raw.split("\n"), ""]):
                        self.queue.put(block)
        except Exception:  # closed by the test (a dropped connection)
            pass
        finally:
            self.ended.set()

    def next_block(self, timeout=10.0) -> dict:
        return self.queue.get(timeout=timeout)

    def events(self, count: int, timeout=10.0) -> list[dict]:
        """The next `count` dispatched events (blocks with data), as (id, JSON) pairs."""
        import json
        import time

        found, deadline = [], time.monotonic() + timeout
        while len(found) < count:
            block = self.next_block(timeout=max(0.01, deadline - time.monotonic()))
            if block["data"] is not None:
                found.append((int(block["id"]), json.loads(block["data"])))
        return found

    def close(self):
        self.response.close()
        self.thread.join(timeout=5)
