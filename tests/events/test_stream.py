"""The live stream over real HTTP (a live server and `requests`): the SSE wire format, resuming with
`Last-Event-ID` without gap or duplicate, heartbeats, the end of a response with a retry hint, and the
limit of long streams per process."""

import time

import pytest
from rest_framework.authtoken.models import Token

from inventory import services as inventory_services
from scandy_site.events import stream
from tests.factories import ToolFactory

from .conftest import SSEClient, events_after

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_streams(settings):
    settings.EVENTS_POLL_SECONDS = 0.1
    settings.EVENTS_STREAM_SECONDS = 4.0
    settings.EVENTS_HEARTBEAT_SECONDS = 1.0


@pytest.fixture
def open_stream(live_server, admin_user):
    streams = []

    def open_(user=None, **kwargs):
        token, _ = Token.objects.get_or_create(user=user or admin_user)
        client = SSEClient(f"{live_server.url}/api/events/stream", token=token.key, **kwargs)
        streams.append(client)
        return client

    yield open_
    for client in streams:
        client.close()
    # The server notices a closed connection at its next write (a heartbeat): wait for that, so no stream
    # outlives the test (and its database).
    assert _slots_free(timeout=10)


def _slots_free(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while stream.slots.used and time.monotonic() < deadline:
        time.sleep(0.05)
    return stream.slots.used == 0


def test_the_wire_format(open_stream, api, department, mark):
    client = open_stream()
    response = client.response
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    first = client.next_block()
    assert first["retry"] == "1000"  # reconnect after a second once a response ends
    start = mark()
    ToolFactory(department=department, barcode="S-1")
    ToolFactory(department=department, barcode="S-2")
    received = client.events(2)
    assert [event for _id, event in received] == events_after(api, start)
    assert [event_id for event_id, _ in received] == [event["id"] for _id, event in received]


def test_a_response_ends_with_a_reconnect_hint_and_resumes_exactly(open_stream, api, department, admin_user, mark):
    start = mark()
    tool = ToolFactory(department=department, barcode="R-1")
    client = open_stream(params={"since": start})
    [(first_id, first)] = client.events(1)
    assert first["object_id"] == "R-1"
    inventory_services.tool_update(tool=tool, user=admin_user, name="zwei")
    [(second_id, _)] = client.events(1)
    # The connection drops; more changes are committed meanwhile.
    client.close()
    for n in range(3):
        inventory_services.tool_update(tool=tool, user=admin_user, name=f"weiter {n}")
    # The browser reconnects with the last id it saw (and the old ?since= still in the URL): it wins.
    again = open_stream(last_event_id=second_id, params={"since": start})
    rest = again.events(3)
    everything = [first_id, second_id, *(event_id for event_id, _ in rest)]
    assert everything == [event["id"] for event in events_after(api, start)]  # no gap, no duplicate


def test_the_stream_ends_after_its_time(open_stream, settings):
    settings.EVENTS_STREAM_SECONDS = 1.0
    started = time.monotonic()
    client = open_stream()
    assert client.ended.wait(timeout=10)
    assert 0.9 < time.monotonic() - started < 5


def test_heartbeats_move_past_events_the_user_may_not_see(open_stream, participant, department, admin_user, api):
    client = open_stream(user=participant)
    client.next_block()  # the opening block
    ToolFactory(department=department, barcode="HIDDEN")  # participants see no tools
    newest = events_after(api, 0)[-1]["id"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        block = client.next_block(timeout=5)
        assert block["data"] is None, "a participant was sent a tool event"
        if "keep-alive" in block["comments"] and block.get("id"):
            break
    assert int(block["id"]) == newest  # Last-Event-ID moves on, no event fires


def test_without_since_the_stream_starts_now(open_stream, department):
    ToolFactory(department=department, barcode="BEFORE")
    client = open_stream()
    client.next_block()
    ToolFactory(department=department, barcode="AFTER")
    [(_id, event)] = client.events(1)
    assert event["object_id"] == "AFTER"


def test_beyond_the_stream_limit_a_response_answers_what_is_pending_and_ends(open_stream, settings, department,
                                                                            mark):  # fmt: skip
    settings.EVENTS_STREAMS_PER_PROCESS = 0
    start = mark()
    ToolFactory(department=department, barcode="BUSY")
    client = open_stream(params={"since": start})
    assert client.next_block()["retry"] == "5000"
    [(_id, event)] = client.events(1)
    assert event["object_id"] == "BUSY"
    assert client.ended.wait(timeout=5)


def test_a_closed_connection_gives_its_slot_back(open_stream):
    client = open_stream()
    client.next_block()
    assert stream.slots.used == 1
    client.close()
    assert _slots_free(timeout=5)


def test_a_bad_last_event_id_is_a_json_error(live_server, admin_user):
    import requests

    token, _ = Token.objects.get_or_create(user=admin_user)
    response = requests.get(
        f"{live_server.url}/api/events/stream",
        headers={"Authorization": f"Token {token.key}", "Accept": "text/event-stream", "Last-Event-ID": "abc"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
