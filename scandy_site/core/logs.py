"""Structured logging: JSON lines with the request id, to stderr and to `logs/` in the data dir.

Every line is one JSON object (`ts`, `level`, `logger`, `message`, `instance`, `request_id`, extra
fields). Known secrets (SECRET_KEY, database and integration passwords and tokens, credentials in
URLs and `password=`-style pairs) are masked before a line is written anywhere.
"""

import datetime
import functools
import json
import logging
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.signals import request_finished
from django.utils.functional import empty

_request_id: ContextVar[str | None] = ContextVar("scandy_request_id", default=None)

# A proxy's id is taken over when it looks like an id; anything else is replaced by our own.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
MASK = "***"
# Attributes every LogRecord has; anything else on a record is an extra field worth writing out.
_RECORD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "instance"}
# Settings whose values are secrets (some are defined by the integrations, when installed).
_SECRET_SETTINGS = (
    "SECRET_KEY",
    "EMAIL_HOST_PASSWORD",
    "THINGSBOARD_PASSWORD",
    "SHOP_API_TOKEN",
    "CETEC_PRESHARED_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
)
_SECRET_ENV_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL", re.IGNORECASE)
_URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@", re.IGNORECASE)
_SECRET_PAIR = re.compile(
    r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization|preshared_token|x-authorization)\b"
    r"(\s*[\"']?\s*[:=]\s*[\"']?\s*)((?:token|bearer|basic)\s+)?[^\s\"'&,;]+"
)
_MIN_SECRET_LENGTH = 6
_LINE_BREAKERS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def current_request_id() -> str | None:
    return _request_id.get()


def _secret_values() -> tuple[str, ...]:
    values = set()
    if settings.configured:
        for name in _SECRET_SETTINGS:
            values.add(str(getattr(settings, name, "") or ""))
        for database in settings.DATABASES.values():
            values.add(str(database.get("PASSWORD") or ""))
    values.update(_secret_environment_values(_environment_snapshot()))
    return tuple(sorted(v for v in values if len(v) >= _MIN_SECRET_LENGTH))


def _environment_snapshot() -> tuple:
    # The raw (undecoded) mapping: a snapshot per log line costs microseconds, decoding every entry did not.
    raw = getattr(os.environ, "_data", None)
    return tuple(raw.items()) if isinstance(raw, dict) else tuple(os.environ.items())


@functools.lru_cache(maxsize=8)
def _secret_environment_values(snapshot: tuple) -> frozenset[str]:
    """Values of environment variables whose names mark a secret; recomputed only when the environment changes."""
    found = set()
    for name, value in snapshot:
        name = os.fsdecode(name) if isinstance(name, bytes) else name
        if _SECRET_ENV_NAME.search(name):
            found.add(os.fsdecode(value) if isinstance(value, bytes) else value)
    return frozenset(found)


@functools.lru_cache(maxsize=8)
def _secret_pattern(values: tuple[str, ...]) -> re.Pattern | None:
    if not values:
        return None
    # Longest first, so a secret containing another is masked whole.
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def redact(text: str, pattern=empty) -> str:
    """`text` with every known secret value and every credential-looking pair masked.

    `pattern` is `current_secret_pattern()` when the caller masks many strings at once."""
    if pattern is empty:
        pattern = current_secret_pattern()
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _URL_CREDENTIALS.sub(rf"\1{MASK}@", text)
    return _SECRET_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}{MASK}", text)


def current_secret_pattern() -> re.Pattern | None:
    return _secret_pattern(_secret_values())


def _json_safe(value, pattern):
    if isinstance(value, str):
        return redact(value, pattern)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v, pattern) for v in value]
    return redact(str(value), pattern)


class ContextFilter(logging.Filter):
    """Puts the instance name and the current request id on every record."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        record.instance = getattr(settings, "SCANDY_INSTANCE", "") if settings.configured else ""
        return True


class RedactFilter(logging.Filter):
    """On a logger whose library writes URLs as they are (urllib3 logs every request line at DEBUG, query
    string and all, e.g. CETEC's `preshared_token`): masks secrets in the record itself, so no handler,
    test capture or third-party formatter ever sees them."""

    def filter(self, record):
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class JSONLinesFormatter(logging.Formatter):
    def format(self, record):
        # stderr and the log file both write JSON lines (off a terminal): build the line once per record.
        cached = record.__dict__.get("_scandy_json_line")
        if cached is not None:
            return cached
        record._scandy_json_line = line = self._format(record)
        return line

    def _format(self, record):
        pattern = current_secret_pattern()
        at = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        payload = {
            "ts": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), pattern),
            "instance": getattr(record, "instance", ""),
            "request_id": getattr(record, "request_id", None),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRS or key.startswith("_"):
                continue
            if key == "request":
                # Django's request logger passes the request: its method and path say enough.
                payload.setdefault("method", getattr(value, "method", None))
                payload.setdefault("path", getattr(value, "path", None))
                continue
            payload[key] = _json_safe(value, pattern)
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info), pattern)
        elif record.stack_info:
            payload["stack"] = redact(self.formatStack(record.stack_info), pattern)
        line = json.dumps(payload, ensure_ascii=False, default=str)
        # JSON leaves these raw, but line-based tools (Python's splitlines, some log shippers) break on them.
        return line.translate(_LINE_BREAKERS)


class ConsoleFormatter(logging.Formatter):
    """One readable line per record for a person at a terminal (`make run`, management commands);
    secrets are masked exactly as in the JSON lines. The log files stay JSON."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record):
        line = redact(super().format(record))
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line


def console_formatter():
    """JSON lines on stderr unless stderr is a terminal (or LOG_FORMAT says otherwise)."""
    wanted = os.environ.get("LOG_FORMAT", "").strip().lower()
    if wanted == "plain" or (wanted != "json" and sys.stderr.isatty()):
        return ConsoleFormatter()
    return JSONLinesFormatter()


class DailyFileHandler(logging.Handler):
    """Appends to `<directory>/scandy-YYYY-MM-DD.jsonl` and removes files older than `keep_days`.

    Several processes (web workers, task workers) share the files safely: each line is written with
    one `write()` on a file opened with O_APPEND, and no file is ever renamed."""

    def __init__(self, directory: str, keep_days: int = 30, prefix: str = "scandy"):
        super().__init__()
        self.directory = Path(directory)
        self.keep_days = keep_days
        self.prefix = prefix
        self._day: str | None = None
        self._fd: int | None = None

    def path_for(self, day: str) -> Path:
        return self.directory / f"{self.prefix}-{day}.jsonl"

    def emit(self, record):
        try:
            line = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
            day = datetime.date.today().isoformat()
            if day != self._day or self._fd is None:
                self._open(day)
            os.write(self._fd, line)
        except Exception:
            self.handleError(record)

    def _open(self, day: str) -> None:
        self._close_fd()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path_for(day), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._day = day
        self._remove_old(datetime.date.fromisoformat(day))

    def _remove_old(self, today: datetime.date) -> None:
        cutoff = today - datetime.timedelta(days=self.keep_days)
        for path in self.directory.glob(f"{self.prefix}-*.jsonl"):
            try:
                day = datetime.date.fromisoformat(path.stem.removeprefix(f"{self.prefix}-"))
            except ValueError:
                continue
            if day < cutoff:
                path.unlink(missing_ok=True)

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self):
        self.acquire()
        try:
            self._close_fd()
        finally:
            self.release()
        super().close()


request_logger = logging.getLogger("scandy.request")


def _user_id(request):
    """The signed-in user's id when authentication already ran; never triggers a database query."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestIDMiddleware:
    """Gives every request an id (`X-Request-ID` from the proxy, or a new one), puts it on every log
    line written while the request runs and on the response, and logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Cleared when the response is closed (request_finished): Django logs 4xx/5xx after the middleware.
        _request_id.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        level = logging.DEBUG if request.path == "/health" else logging.INFO
        request_logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": _user_id(request),
            },
        )
        return response


def _forget_request_id(**kwargs) -> None:
    _request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="scandy-forget-request-id")
