"""The task of the scale-out test: records which worker ran it (in a table of its own)."""

import os
import time

from django.db import connection


def record(number: int) -> int:
    time.sleep(0.05)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scaleout_runs (task_number, node, pid) VALUES (%s, %s, %s)",
            [number, os.environ.get("SCALEOUT_NODE", "?"), os.getpid()],
        )
    return number
