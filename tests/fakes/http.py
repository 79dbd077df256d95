"""The base of the fake servers: a threaded HTTP server on 127.0.0.1 and a random port, a log of the
requests it got, and failures that can be switched on per route and page."""

import contextlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes = b""

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: object = None  # JSON-serialisable, or bytes sent as they are
    headers: dict = field(default_factory=dict)


@dataclass
class Failure:
    kind: str  # "status", "truncate", "slow"
    status: int = 500
    seconds: float = 0.0
    times: int | None = None  # None: every time


class FakeServer:
    """Subclasses implement `route(request) -> (route_name, page_number)` and `answer(request)`."""

    def __init__(self):
        self.requests: list[Request] = []
        self.failures: dict[tuple[str, int | None], Failure] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = None
        self._thread = None

    # --- failures ---------------------------------------------------------------------------------------
    def fail(self, route: str, page: int | None = None, *, status: int = 500, times: int | None = None):
        """Answer `status` on that route (and page, 1-based; None = every page)."""
        self.failures[(route, page)] = Failure("status", status=status, times=times)

    def truncate(self, route: str, page: int | None = None, *, times: int | None = None):
        """Send the page's JSON cut off in the middle (with a matching Content-Length)."""
        self.failures[(route, page)] = Failure("truncate", times=times)

    def slow(self, route: str, page: int | None = None, *, seconds: float, times: int | None = None):
        """Wait `seconds` before answering."""
        self.failures[(route, page)] = Failure("slow", seconds=seconds, times=times)

    def clear_failures(self):
        self.failures.clear()

    def _failure_for(self, route: str, page: int | None) -> Failure | None:
        with self._lock:
            for key in ((route, page), (route, None)):
                failure = self.failures.get(key)
                if failure is None:
                    continue
                if failure.times is not None:
                    if failure.times <= 0:
                        continue
                    failure.times -= 1
                return failure
        return None

    # --- serving ----------------------------------------------------------------------------------------
    def route(self, request: Request) -> tuple[str, int | None]:
        raise NotImplementedError

    def answer(self, request: Request) -> Reply:
        raise NotImplementedError

    def _serve(self, request: Request) -> Reply | bytes:
        with self._lock:
            self.requests.append(request)
        route, page = self.route(request)
        failure = self._failure_for(route, page)
        if failure is not None and failure.kind == "slow":
            self._stopping.wait(failure.seconds)
        if failure is not None and failure.kind == "status":
            return Reply(failure.status, {"status": failure.status, "message": "Internal Server Error"})
        reply = self.answer(request)
        if failure is not None and failure.kind == "truncate":
            raw = json.dumps(reply.body).encode()
            return Reply(reply.status, raw[: max(1, len(raw) // 2)], reply.headers)
        return reply

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    self.command, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    {k.lower(): v for k, v in self.headers.items()}, body,
                )  # fmt: skip
                reply = fake._serve(request)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                # The client may have given up waiting (a timeout test).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

            def do_GET(self):
                self._handle()

            def do_POST(self):
                self._handle()

            def log_message(self, format, *args):  # quiet in tests
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def page_number(query: dict, *, default: int, offset: int = 0) -> int | None:
    """The 1-based page number of a query's `page` parameter (`offset` 1 for 0-based APIs)."""
    try:
        return int(query.get("page", default)) + offset
    except ValueError:
        return None
