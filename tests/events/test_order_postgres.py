"""On PostgreSQL, concurrent transactions could commit history rows out of id order, and a reader resuming
"after id N" would miss the late one for good. The event order lock makes ids visible in commit order:
a reader following the feed with `since` never misses an event, however the writers interleave."""

import random
import threading
import time

import pytest
from django.db import connection, transaction

from scandy_site.core.history import record_change
from scandy_site.core.models import ChangeEvent
from scandy_site.events.selectors import all_events, latest_event_id
from tests.factories import ToolFactory
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def test_a_second_writer_waits_for_the_first_commit(department):
    first_tool, second_tool = ToolFactory(department=department), ToolFactory(department=department)
    start = latest_event_id()
    first_wrote, release_first = threading.Event(), threading.Event()
    committed = []

    def first():
        try:
            with transaction.atomic():
                record_change(first_tool, action="updated", changes={"name": ["a", "b"]})
                first_wrote.set()
                release_first.wait(10)
            committed.append("first")
        finally:
            connection.close()

    def second():
        try:
            first_wrote.wait(10)
            with transaction.atomic():
                record_change(second_tool, action="updated", changes={"name": ["c", "d"]})
            committed.append("second")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_wrote.wait(10)
    time.sleep(0.5)
    assert committed == []  # the second writer waits for the first one's commit
    assert not all_events().filter(id__gt=start).exists()
    release_first.set()
    for thread in threads:
        thread.join(10)
    assert committed == ["first", "second"]
    rows = list(all_events().filter(id__gt=start).values_list("object_id", flat=True))
    assert rows == [first_tool.pk, second_tool.pk]


def test_a_reader_following_the_feed_misses_nothing(department):
    tools = [ToolFactory(department=department, barcode=f"ORD-{i}") for i in range(12)]
    start = latest_event_id()
    seen, done = [], threading.Event()

    def reader():
        cursor = start
        try:
            while True:
                finished = done.is_set()
                for event_id in all_events().filter(id__gt=cursor).values_list("id", flat=True):
                    seen.append(event_id)
                    cursor = event_id
                if finished:
                    return
                time.sleep(0.002)
        finally:
            connection.close()

    def writer(i):
        rng = random.Random(i)
        for _ in range(5):
            with transaction.atomic():
                record_change(tools[i], action="updated", changes={"name": [str(i), "x"]})
                time.sleep(rng.random() * 0.01)  # commit a little later, in a random order
        return i

    follow = threading.Thread(target=reader)
    follow.start()
    results = race(len(tools), writer)
    done.set()
    follow.join(30)
    assert all(kind == "ok" for kind, _ in results), results
    expected = list(ChangeEvent.objects.filter(id__gt=start).order_by("id").values_list("id", flat=True))
    assert len(expected) == 60
    assert seen == expected  # no event skipped, none twice
