"""Integrations: a full ThingsBoard sync of 10 000 customers and 20 000 devices from a local fake
ThingsBoard (real HTTP), the same sync again with nothing changed (must write 0 rows), and the
devices page with 10 000 devices.

Targets (issue "Integrations"): full sync <= 5 s; unchanged sync <= 2 s and 0 rows written;
devices page median <= 50 ms with <= 10 queries.

The sync times are the runs' own durations (first request to ThingsBoard until the last write is
committed), measured inside a fresh instance; `manage.py sync` adds Django's start-up on top, which is
reported separately."""

import json
import os
import statistics
import subprocess
import sys
import time

import requests

from bench.harness import ROOT, instance, manage, server, summary_ms, write_result
from tests.fakes.thingsboard import FakeThingsBoard, tb_customer, tb_device

# One sync in the instance, timed there; with `empty_first` the local tables are emptied before (a full
# sync again). The machine is shared, so every measurement is repeated and the median counts.
SYNC = """
import json, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from integrations import services
from integrations.models import Customer, Device
if {empty_first}:
    Device.objects.all()._raw_delete("default")
    Customer.objects.all()._raw_delete("default")
started = time.perf_counter()
with CaptureQueriesContext(connection) as queries:
    run = services.sync_now(source="thingsboard", trigger="command")
seconds = time.perf_counter() - started
bookkeeping = ("integrations_syncrun", "integrations_syncsource")
# executemany is logged as "N times: INSERT ...".
statements = [q["sql"].split(": ", 1)[1] if " times: " in q["sql"][:20] else q["sql"] for q in queries]
writes = [sql for sql in statements if sql.split(None, 1)[0] in ("INSERT", "UPDATE", "DELETE")]
data_writes = [sql for sql in writes if not any(table in sql.split("(")[0] for table in bookkeeping)]
print(json.dumps({{"status": run.status, "message": run.message, "counts": run.counts(),
                  "run_seconds": run.duration_seconds, "call_seconds": round(seconds, 3),
                  "queries": len(queries), "data_write_statements": len(data_writes)}}))
"""
REPEATS = 3

SEED_USER = """
import secrets
from django.test import Client
from scandy_site.core.services import setup_initial_instance
admin = setup_initial_instance(system_name="Bench", username="bench", email="", password=secrets.token_urlsafe(16),
    department_code="bench", department_name="Bench", categories=[], locations=[])
client = Client()
client.force_login(admin)
from django.conf import settings
print(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
"""

PAGE_QUERIES = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
client.force_login(get_user_model().objects.get(username="bench"))
counts = {{}}
for url in {urls!r}:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    counts[url] = len(queries)
print(json.dumps(counts))
"""

PAGE_URLS = [
    "/inventory/devices/",  # the target: the first page, as anyone opening it sees it
    "/inventory/devices/?page=150",
    "/inventory/devices/?q=Sensor%201&ordering=customer",
]


def _fake(customers: int, devices: int) -> FakeThingsBoard:
    fake = FakeThingsBoard(
        customers=[tb_customer(n) for n in range(1, customers + 1)],
        devices=[tb_device(n, customer=(n % (customers + 50)) + 1 if n % 10 else None) for n in range(1, devices + 1)],
    )
    return fake.start()


def _point(env: dict, fake: FakeThingsBoard) -> None:
    env.update(
        THINGSBOARD_URL=fake.url,
        THINGSBOARD_USERNAME=fake.username,
        THINGSBOARD_PASSWORD=fake.password,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )


def _sync(env: dict, *, empty_first: bool = False) -> dict:
    output = manage(env, "shell", "-c", SYNC.format(empty_first=empty_first))
    result = json.loads(output.strip().splitlines()[-1])
    if result["status"] != "succeeded":
        raise RuntimeError(f"sync failed: {result['message']}")
    return result


def _repeated(env: dict, *, empty_first: bool) -> dict:
    """REPEATS syncs; the median run with every run's seconds and the most rows any of them wrote."""
    runs = [_sync(env, empty_first=empty_first) for _ in range(REPEATS)]
    median = sorted(runs, key=lambda run: run["run_seconds"])[len(runs) // 2]
    return {**median, "all_run_seconds": [run["run_seconds"] for run in runs],
            "data_write_statements": max(run["data_write_statements"] for run in runs)}  # fmt: skip


def sync_benchmark(database_url: str | None, customers: int = 10_000, devices: int = 20_000) -> dict:
    fake = _fake(customers, devices)
    try:
        with instance(database_url) as env:
            _point(env, fake)
            full = _repeated(env, empty_first=True)
            unchanged = _repeated(env, empty_first=False)
            started = time.perf_counter()
            command = subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "sync", "thingsboard"],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            command_seconds = time.perf_counter() - started
    finally:
        fake.stop()
    return {
        "database": "postgresql" if database_url else "sqlite",
        "records": {"customers": customers, "devices": devices},
        "full_sync": full,
        "unchanged_sync": unchanged,
        "command_unchanged": {"wall_seconds": round(command_seconds, 3), "summary": command.stdout.strip()},
    }


def page_benchmark(devices: int = 10_000, customers: int = 5_000, requests_count: int = 200) -> dict:
    fake = _fake(customers, devices)
    try:
        with instance() as env:
            _point(env, fake)
            _sync(env)
            cookie_name, session_id = manage(env, "shell", "-c", SEED_USER).strip().splitlines()[-1].split()
            output = manage(env, "shell", "-c", PAGE_QUERIES.format(urls=PAGE_URLS))
            queries = json.loads(output.strip().splitlines()[-1])
            timings = {}
            with server(env, workers=1, threads=1) as base:
                session = requests.Session()
                session.cookies.set(cookie_name, session_id)
                for url in PAGE_URLS:
                    samples = []
                    for i in range(requests_count + 10):
                        started = time.perf_counter()
                        response = session.get(base + url, timeout=10)
                        elapsed = time.perf_counter() - started
                        if response.status_code != 200 or "device-table" not in response.text:
                            raise RuntimeError(f"{url}: {response.status_code}")
                        if i >= 10:  # warm-up excluded
                            samples.append(elapsed)
                    timings[url] = summary_ms(samples)
    finally:
        fake.stop()
    return {"devices": devices, "customers": customers, "queries": queries, "latency": timings}


def run() -> bool:
    sqlite = sync_benchmark(None)
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        postgres = sync_benchmark(database_url)
    except Exception as exc:  # PostgreSQL is a second data point; say why it is missing
        postgres = {"error": repr(exc)[:300]}
    page = page_benchmark()
    first_page = PAGE_URLS[0]
    targets = {
        "full_sync_seconds<=5": sqlite["full_sync"]["run_seconds"] <= 5,
        "unchanged_sync_seconds<=2": sqlite["unchanged_sync"]["run_seconds"] <= 2,
        "unchanged_sync_rows_written==0": sqlite["unchanged_sync"]["data_write_statements"] == 0
        and sqlite["unchanged_sync"]["counts"]["created"] + sqlite["unchanged_sync"]["counts"]["updated"] == 0,
        "devices_page_median_ms<=50": page["latency"][first_page]["median_ms"] <= 50,
        "devices_page_queries<=10": max(page["queries"].values()) <= 10,
    }
    write_result(
        "integrations",
        {"sync_sqlite": sqlite, "sync_postgres": postgres, "devices_page": page, "targets_met": targets,
         "median_of_medians_ms": statistics.median(v["median_ms"] for v in page["latency"].values())},
    )  # fmt: skip
    return all(targets.values())
