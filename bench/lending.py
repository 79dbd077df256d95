"""Lending over HTTP: the latency of one scan+lend+return on SQLite, and the throughput of
8 concurrent scanner clients on PostgreSQL with a check that no tool was ever lent twice.

Targets (issue "Lending"): median scan+lend+return <= 15 ms; >= 300 scans/s; zero double lends."""

import os
import random
import threading
import time

import requests

from bench.harness import instance, manage, server, summary_ms, write_result

SEED = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from inventory.services import tool_create
from lending.services import worker_create
from scandy_site.accounts.models import Department
from scandy_site.core.services import setup_initial_instance
import secrets
admin = setup_initial_instance(system_name="Bench", username="bench", email="", password=secrets.token_urlsafe(16),
    department_code="bench", department_name="Bench", categories=[], locations=[])
dept = Department.objects.get(code="bench")
for i in range({tools}):
    tool_create(department=dept, user=admin, barcode=f"BT-{{i}}", name=f"Tool {{i}}")
for i in range({workers}):
    worker_create(department=dept, user=admin, barcode=f"BW-{{i}}", first_name="Bench", last_name=str(i))
print(Token.objects.create(user=admin).key)
"""

DOUBLE_LENDS = """
from django.db.models import Count
from lending.models import Lending
open_lendings = Lending.objects.filter(returned_at__isnull=True).values("tool").annotate(n=Count("id"))
open_twice = open_lendings.filter(n__gt=1).count()
overlaps = 0
for tool_id in Lending.objects.values_list("tool", flat=True).distinct():
    spans = list(Lending.objects.filter(tool_id=tool_id).order_by("lent_at").values_list("lent_at", "returned_at"))
    for (start, end), (next_start, _) in zip(spans, spans[1:]):
        if end is None or end > next_start:
            overlaps += 1
print(open_twice + overlaps, Lending.objects.count())
"""


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {token}", "Content-Type": "application/json"})
    return session


def _post(session, base, path, body, expect=(200, 201)):
    response = session.post(base + path, json=body, timeout=10)
    if response.status_code not in expect:
        raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return response


def latency_sqlite(iterations: int = 300) -> dict:
    with instance() as env:
        token = manage(env, "shell", "-c", SEED.format(tools=1, workers=1)).strip().splitlines()[-1]
        with server(env, workers=1, threads=1) as base:
            session = _session(token)
            cycle, scans, lends, returns = [], [], [], []
            for i in range(iterations + 20):
                t0 = time.perf_counter()
                _post(session, base, "/api/scan", {"barcode": "BT-0"})
                t1 = time.perf_counter()
                _post(session, base, "/api/lending/process", {"tool_barcode": "BT-0", "worker_barcode": "BW-0"})
                t2 = time.perf_counter()
                _post(session, base, "/api/lending/return", {"tool_barcode": "BT-0"})
                t3 = time.perf_counter()
                if i >= 20:  # warm-up excluded
                    cycle.append(t3 - t0)
                    scans.append(t1 - t0)
                    lends.append(t2 - t1)
                    returns.append(t3 - t2)
    return {"cycle": summary_ms(cycle), "scan": summary_ms(scans), "lend": summary_ms(lends),
            "return": summary_ms(returns)}  # fmt: skip


def _clients(count: int, seconds: float, body) -> tuple[dict, float]:
    """Run `body(n, session, local_counts)` in `count` threads until time is up; sum their counts."""
    totals: dict[str, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(count + 1)
    stop_at = [0.0]

    def client(n: int):
        local: dict[str, int] = {}
        barrier.wait()
        while time.monotonic() < stop_at[0]:
            body(n, local)
        with lock:
            for key, value in local.items():
                totals[key] = totals.get(key, 0) + value

    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    started = time.monotonic()
    barrier.wait()
    for thread in threads:
        thread.join()
    return totals, time.monotonic() - started


def _count(local: dict, key: str) -> None:
    local[key] = local.get(key, 0) + 1


def throughput_postgres(database_url: str, clients: int = 8, seconds: float = 10.0, tools: int = 200) -> dict:
    """Phase 1: 8 stations scanning as fast as they can (scans/s). Phase 2: 8 stations fighting over
    the same 5 tools, lending and returning, to prove no tool is ever lent twice."""
    with instance(database_url) as env:
        token = manage(env, "shell", "-c", SEED.format(tools=tools, workers=clients)).strip().splitlines()[-1]
        with server(env, workers=2, threads=4) as base:
            sessions = [_session(token) for _ in range(clients)]
            rngs = [random.Random(n) for n in range(clients)]

            def scan(n, local):
                barcode = f"BT-{rngs[n].randrange(tools)}"
                response = sessions[n].post(base + "/api/scan", json={"barcode": barcode}, timeout=10)
                _count(local, "scan" if response.status_code == 200 else "error")

            scans, scan_seconds = _clients(clients, seconds, scan)

            def fight(n, local):
                barcode = f"BT-{rngs[n].randrange(5)}"
                scanned = sessions[n].post(base + "/api/scan", json={"barcode": barcode}, timeout=10)
                if scanned.status_code != 200:
                    _count(local, "error")
                    return
                if scanned.json()["data"]["lending"]:
                    kind, path, body = "return", "/api/lending/return", {"tool_barcode": barcode}
                else:
                    kind, path, body = (
                        "lend",
                        "/api/lending/process",
                        {"tool_barcode": barcode, "worker_barcode": f"BW-{n}"},
                    )
                response = sessions[n].post(base + path, json=body, timeout=10)
                # 409: another station got there first, which is the expected answer under contention.
                _count(
                    local,
                    kind
                    if response.status_code in (200, 201)
                    else "conflict"
                    if response.status_code == 409
                    else "error",
                )

            mixed, mixed_seconds = _clients(clients, seconds, fight)
        double, lendings = map(int, manage(env, "shell", "-c", DOUBLE_LENDS).strip().splitlines()[-1].split())
    return {
        "clients": clients,
        "scan_phase": {
            "seconds": round(scan_seconds, 2),
            "scans_per_second": round(scans.get("scan", 0) / scan_seconds, 1),
            "errors": scans.get("error", 0),
        },
        "contention_phase": {
            "seconds": round(mixed_seconds, 2),
            "counts": mixed,
            "lendings_recorded": lendings,
            "double_lends": double,
        },
    }


def run() -> bool:
    latency = latency_sqlite()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    throughput = throughput_postgres(database_url)
    targets = {
        "median_cycle_ms<=15": latency["cycle"]["median_ms"] <= 15,
        "scans_per_second>=300": throughput["scan_phase"]["scans_per_second"] >= 300,
        "double_lends==0": throughput["contention_phase"]["double_lends"] == 0
        and not throughput["contention_phase"]["counts"].get("error"),
    }
    write_result("lending", {"latency_sqlite": latency, "throughput_postgres": throughput, "targets_met": targets})
    return all(targets.values())
