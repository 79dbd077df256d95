"""Tickets and files over HTTP: list/detail/create latency with 1000 tickets and a photo upload on
SQLite; 8 clients creating tickets at once on PostgreSQL, with a check that the numbers stay unique
and without gaps.

Targets (set here; the issue names none): list median <= 60 ms, create median <= 40 ms, a 12-megapixel
camera photo cleaned and stored in <= 2 s, numbers unique and gapless under concurrency."""

import io
import os
import time

import requests
from PIL import Image

from bench.harness import instance, manage, server, summary_ms, write_result
from bench.lending import _clients, _count, _session

SEED = """
from rest_framework.authtoken.models import Token
from scandy_site.accounts.models import Department
from scandy_site.core.services import setup_initial_instance
from tickets.services import ticket_create
import secrets
admin = setup_initial_instance(system_name="Bench", username="bench", email="", password=secrets.token_urlsafe(16),
    department_code="bench", department_name="Bench", categories=[], locations=[])
dept = Department.objects.get(code="bench")
for i in range({tickets}):
    ticket_create(department=dept, user=admin, title=f"Ticket {{i}}", category="general", tags=["bench"],
                  assignees=[admin] if i % 2 else [])
print(Token.objects.create(user=admin).key)
"""

NUMBERS = """
from tickets.models import Ticket
numbers = sorted(int(n.split("-")[1]) for n in Ticket.objects.values_list("ticket_number", flat=True))
print(len(numbers), len(set(numbers)), int(numbers == list(range(1, len(numbers) + 1))))
"""


def _photo() -> bytes:
    image = Image.effect_mandelbrot((4000, 3000), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _timed(samples: list, call):
    t0 = time.perf_counter()
    response = call()
    samples.append(time.perf_counter() - t0)
    if response.status_code >= 400:
        raise RuntimeError(f"{response.status_code} {response.text[:200]}")
    return response


def latency_sqlite(tickets: int = 1000, iterations: int = 100) -> dict:
    with instance() as env:
        token = manage(env, "shell", "-c", SEED.format(tickets=tickets)).strip().splitlines()[-1]
        with server(env, workers=1, threads=1) as base:
            session = _session(token)
            listing, detail, create, upload = [], [], [], []
            first = session.get(f"{base}/api/tickets?page_size=50", timeout=10).json()["data"]["results"][0]["id"]
            for i in range(iterations + 10):
                samples = (listing, detail, create) if i >= 10 else ([], [], [])
                _timed(samples[0], lambda: session.get(f"{base}/api/tickets?page_size=50&status=open", timeout=10))
                _timed(samples[1], lambda: session.get(f"{base}/api/tickets/{first}", timeout=10))
                body = {"title": f"neu {i}"}
                _timed(samples[2], lambda body=body: session.post(f"{base}/api/tickets", json=body, timeout=10))
            photo = _photo()
            files = requests.Session()
            files.headers["Authorization"] = session.headers["Authorization"]
            for i in range(6):
                ticket = session.post(f"{base}/api/tickets", json={"title": f"Foto {i}"}, timeout=10).json()["data"]
                _timed(upload, lambda t=ticket: files.post(f"{base}/api/media/ticket/{t['id']}/upload",
                                                           files={"file": ("kamera.jpg", photo, "image/jpeg")},
                                                           timeout=60))  # fmt: skip
    return {"tickets": tickets, "list": summary_ms(listing), "detail": summary_ms(detail),
            "create": summary_ms(create), "photo_upload_12mp": summary_ms(upload[1:]),
            "photo_bytes": len(photo)}  # fmt: skip


def creation_postgres(database_url: str, clients: int = 8, seconds: float = 8.0) -> dict:
    with instance(database_url) as env:
        token = manage(env, "shell", "-c", SEED.format(tickets=0)).strip().splitlines()[-1]
        with server(env, workers=2, threads=4) as base:
            sessions = [_session(token) for _ in range(clients)]

            def create(n, local):
                response = sessions[n].post(f"{base}/api/tickets", json={"title": f"Station {n}"}, timeout=10)
                _count(local, "created" if response.status_code == 201 else "error")

            counts, elapsed = _clients(clients, seconds, create)
        total, distinct, gapless = map(int, manage(env, "shell", "-c", NUMBERS).strip().splitlines()[-1].split())
    return {"clients": clients, "seconds": round(elapsed, 2), "counts": counts,
            "tickets_per_second": round(counts.get("created", 0) / elapsed, 1),
            "tickets": total, "distinct_numbers": distinct, "gapless": bool(gapless)}  # fmt: skip


def run() -> bool:
    latency = latency_sqlite()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    concurrent = creation_postgres(database_url)
    targets = {
        "list_median_ms<=60": latency["list"]["median_ms"] <= 60,
        "create_median_ms<=40": latency["create"]["median_ms"] <= 40,
        "photo_upload_median_ms<=2000": latency["photo_upload_12mp"]["median_ms"] <= 2000,
        "numbers_unique_and_gapless": concurrent["tickets"] == concurrent["distinct_numbers"]
        and concurrent["gapless"]
        and not concurrent["counts"].get("error"),
    }
    write_result("tickets", {"latency_sqlite": latency, "creation_postgres": concurrent, "targets_met": targets})
    return all(targets.values())
