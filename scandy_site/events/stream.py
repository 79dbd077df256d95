"""The live stream (Server-Sent Events) of `/api/events/stream`.

A response lasts EVENTS_STREAM_SECONDS and then ends with a `retry:` hint: the browser reconnects with
`Last-Event-ID` and the next response goes on exactly after that event, so no server thread is held for
long and a dropped connection loses nothing. Inside a response, the newest event id is looked up at most
every EVENTS_POLL_SECONDS per process (however many streams are open); a stream runs its own (scoped)
query only when there is something new. A commit in this process wakes its streams at once.
A comment line every EVENTS_HEARTBEAT_SECONDS keeps proxies from closing a quiet connection.
"""

import json
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError

from .selectors import event_data, latest_id

logger = logging.getLogger(__name__)

BATCH = 200

_wake = threading.Condition()
_generation = 0


def wake_up() -> None:
    """Something was committed in this process: streams look at once instead of at their next poll."""
    global _generation
    latest_id.expire()
    with _wake:
        _generation += 1
        _wake.notify_all()


def _wait(seconds: float, seen: int) -> int:
    with _wake:
        _wake.wait_for(lambda: _generation != seen, timeout=max(seconds, 0))
        return _generation


class _Slots:
    """At most EVENTS_STREAMS_PER_PROCESS long streams per process: beyond that a stream answers what is
    pending and ends at once (the browser comes back after a longer `retry:`), so live pages can never
    take every thread of a web server process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.used = 0

    def take(self) -> bool:
        with self._lock:
            if self.used >= settings.EVENTS_STREAMS_PER_PROCESS:
                return False
            self.used += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.used -= 1


slots = _Slots()


def message(event) -> str:
    return f"id: {event.pk}\ndata: {json.dumps(event_data(event), separators=(',', ':'), ensure_ascii=False)}\n\n"


def event_stream(events, *, cursor: int):
    """Yield SSE text for the rows of `events` (a user's scoped queryset, oldest first) after `cursor`."""
    long_stream = slots.take()
    try:
        duration = settings.EVENTS_STREAM_SECONDS if long_stream else 0
        retry_ms = settings.EVENTS_RETRY_MS if long_stream else settings.EVENTS_BUSY_RETRY_MS
        yield f"retry: {retry_ms}\n: scandy events\n\n"
        deadline = time.monotonic() + duration
        heartbeat_at = time.monotonic() + settings.EVENTS_HEARTBEAT_SECONDS
        sent = cursor
        seen = _generation
        while True:
            newest = latest_id.get(settings.EVENTS_POLL_SECONDS)
            while newest > cursor:
                rows = list(events.filter(id__gt=cursor, id__lte=newest)[:BATCH])
                for event in rows:
                    yield message(event)
                sent = rows[-1].pk if rows else sent
                # Events the user may not see are passed over for good: resuming starts after them.
                cursor = rows[-1].pk if len(rows) == BATCH else newest
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= heartbeat_at:
                # `id:` alone moves the client's Last-Event-ID past events it was not shown (no event fires).
                yield (f"id: {cursor}\n" if cursor > sent else "") + ": keep-alive\n\n"
                sent = cursor
                heartbeat_at = now + settings.EVENTS_HEARTBEAT_SECONDS
            seen = _wait(min(settings.EVENTS_POLL_SECONDS, deadline - now, heartbeat_at - now), seen)
        yield (f"id: {cursor}\n" if cursor > sent else "") + ": reconnect\n\n"
    except DatabaseError:
        # The database went away mid-stream: end it; the browser reconnects after the retry delay.
        logger.warning("event stream ended: database error", exc_info=True)
    finally:
        if long_stream:
            slots.give_back()
