"""Events: how long from a committed change (an API PATCH) until the event arrives on an open SSE stream and
at a webhook receiver. gunicorn with two processes (the change and the stream are often served by different
ones, so the poll interval counts), the django-q2 worker for the webhooks, SQLite; the stream client resumes
with Last-Event-ID like a browser, and nothing may be missed across that.

Targets: SSE median <= 1500 ms and p95 <= 2500 ms (EVENTS_POLL_SECONDS = 0.5); webhook median <= 2000 ms
(the ORM broker hands a task to the worker within its poll interval)."""

import codecs
import hashlib
import hmac
import json
import random
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bench.harness import ROOT, instance, manage, server, summary_ms, write_result

SECRET = "bench-webhook-secret-0123456789"
# About 30 s of changes: the stream ends (EVENTS_STREAM_SECONDS = 25) and resumes at least once in between.
ITERATIONS = 60

SEED = """
import secrets
from rest_framework.authtoken.models import Token
from inventory.services import tool_create
from scandy_site.accounts.models import Department
from scandy_site.core.services import setup_initial_instance
from scandy_site.events.models import WebhookEndpoint
from scandy_site.events.services import webhook_endpoint_save
admin = setup_initial_instance(system_name="Bench", username="bench", email="", password=secrets.token_urlsafe(16),
    department_code="bench", department_name="Bench", categories=[], locations=[])
tool_create(department=Department.objects.get(code="bench"), user=admin, barcode="EV-1", name="Bench tool")
webhook_endpoint_save(endpoint=WebhookEndpoint(name="bench", url="{url}"), user=admin, secret="{secret}")
print(Token.objects.create(user=admin).key)
"""


class Receiver:
    """A webhook receiver checking every signature; arrival times by event id."""

    def __init__(self):
        self.arrived: dict[int, float] = {}
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                if hmac.compare_digest(self.headers.get("X-Scandy-Signature", ""), expected):
                    receiver.arrived.setdefault(json.loads(body)["id"], time.perf_counter())
                else:
                    receiver.bad_signatures += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def stop(self):
        self.httpd.shutdown()


class Stream:
    """An SSE client that behaves like a browser: reconnects after each response with Last-Event-ID."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.arrived: dict[int, tuple[float, dict]] = {}
        self.last_id = None
        self.reconnects = 0
        self.stopped = threading.Event()
        self.response = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopped.set()
        if self.response is not None:
            self.response.close()
        self.thread.join(timeout=5)

    def _run(self):
        while not self.stopped.is_set():
            headers = {"Authorization": f"Token {self.token}"}
            if self.last_id is not None:
                headers["Last-Event-ID"] = self.last_id
            try:
                with requests.get(self.url, headers=headers, stream=True, timeout=60) as self.response:
                    buffer, decoder = "", codecs.getincrementaldecoder("utf-8")()
                    while chunk := self.response.raw.read1(65536):
                        buffer += decoder.decode(chunk)
                        while "\n\n" in buffer:
                            block, buffer = buffer.split("\n\n", 1)
                            self._take(block)
            except Exception:  # closed by stop() while reading, or the server went away
                if self.stopped.is_set():
                    return
            self.reconnects += 1
            time.sleep(1.0)  # the server's retry: hint

    def _take(self, block: str):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":"))
        if "id" in fields:
            self.last_id = fields["id"]
        if "data" in fields:
            event = json.loads(fields["data"])
            self.arrived.setdefault(event["id"], (time.perf_counter(), event))


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def measure(iterations: int = ITERATIONS) -> dict:
    receiver = Receiver()
    try:
        with instance() as env:
            token = manage(env, "shell", "-c", SEED.format(url=receiver.url, secret=SECRET)).strip().splitlines()[-1]
            worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            try:
                with server(env, workers=2, threads=8) as base:
                    return _measure(base, token, receiver, iterations)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
    finally:
        receiver.stop()


def _measure(base: str, token: str, receiver: Receiver, iterations: int) -> dict:
    stream = Stream(f"{base}/api/events/stream", token)
    # A new connection per change: gunicorn hands it to either process, so some changes are committed in the
    # process serving the stream (woken at once) and some in the other one (seen at its next poll).
    headers = {"Authorization": f"Token {token}", "Connection": "close"}
    time.sleep(1.5)  # the stream is open, the worker is up
    rng = random.Random(7)
    sse, hooks, missing = [], [], 0
    for i in range(iterations + 3):
        seen = set(stream.arrived)
        started = time.perf_counter()
        response = requests.patch(f"{base}/api/tools/EV-1", json={"name": f"Bench tool {i}"}, headers=headers,
                                  timeout=10)  # fmt: skip
        response.raise_for_status()
        if not _wait_for(lambda seen=seen: set(stream.arrived) - seen, timeout=10):
            missing += 1
            continue
        [event_id] = set(stream.arrived) - seen
        arrived, event = stream.arrived[event_id]
        assert event["type"] == "tool.updated" and event["changed_fields"] == ["name"], event
        if not _wait_for(lambda event_id=event_id: event_id in receiver.arrived, timeout=15):
            missing += 1
            continue
        if i >= 3:  # warm-up excluded
            sse.append(arrived - started)
            hooks.append(receiver.arrived[event_id] - started)
        time.sleep(rng.uniform(0.05, 0.6))  # changes come at any moment of the poll interval
    stream.stop()
    return {
        "sse": summary_ms(sse),
        "webhook": summary_ms(hooks),
        "missing": missing,
        "bad_signatures": receiver.bad_signatures,
        "stream_reconnects": stream.reconnects,
        "setup": "gunicorn 2 processes x 8 threads, SQLite, EVENTS_POLL_SECONDS=0.5, django-q2 ORM broker",
    }


def run() -> bool:
    result = measure()
    targets = {
        "sse_median_ms<=1500": result["sse"]["median_ms"] <= 1500,
        "sse_p95_ms<=2500": result["sse"]["p95_ms"] <= 2500,
        "webhook_median_ms<=2000": result["webhook"]["median_ms"] <= 2000,
        "nothing_missing": result["missing"] == 0 and result["bad_signatures"] == 0,
    }
    write_result("events", {**result, "targets_met": targets})
    return all(targets.values())
