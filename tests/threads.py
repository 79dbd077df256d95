"""Races a unit test cannot see: real threads, each with its own database connection, released together."""

import threading

from django.db import connection

from scandy_site.core.errors import ApplicationError


def race(count, action):
    """Run action(i) in `count` threads started at the same moment; return [("ok", value) | ("error", code) |
    ("crash", repr)] in thread order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", action(i))
        except ApplicationError as exc:
            results[i] = ("error", exc.code)
        except Exception as exc:  # any other failure must show up in the caller's assertion
            results[i] = ("crash", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
