"""The MySQL/MariaDB server holding the CETEC customers' backup databases (CETEC_MYSQL_URL).

A customer's backup database is named after its domain; it counts as existing when it has a
`usage_stats` table, whose creation time says when the backup was last pulled. All candidate names are
checked with ONE query against `information_schema.TABLES`, on one connection, within a time budget for
connect and query together. Messages name the host and port only, never the user or the password.
"""

import dataclasses
import datetime
import logging
import re
import time
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import pymysql
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

DEFAULT_PORT = 3306
USAGE_TABLE = "usage_stats"
MAX_NAME_LENGTH = 64  # MySQL identifiers
_NOT_IN_NAME = re.compile(r"[^a-z0-9_]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# Domains a broken record sends instead of none.
_NO_DOMAIN = frozenset({"undefined", "null", "none"})
# MySQL client error codes (CR_*) and server codes (ER_*) worth their own message.
_ACCESS_DENIED = {1044, 1045, 1698}
_CANNOT_CONNECT = {2002, 2003, 2005, 2006, 2013}
NOT_SET = gettext_lazy("CETEC_MYSQL_URL is not set: backup databases are not checked.")


class Status:
    """`metadata.mysql_status` and the status probe's `status`."""

    OK = "ok"  # the check ran
    DISABLED = "disabled"  # CETEC_MYSQL_URL is not set
    SKIPPED = "skipped"  # no customer needed a check
    ERROR = "error"  # MySQL failed (unreachable, refused login, bad URL, SQL error)
    TIMEOUT = "timeout"  # the check outran CETEC_MYSQL_BUDGET_SECONDS


class ConfigError(ValueError):
    """CETEC_MYSQL_URL is set but not a usable mysql:// URL."""


@dataclasses.dataclass(frozen=True)
class Target:
    host: str
    port: int
    user: str = dataclasses.field(repr=False)
    password: str = dataclasses.field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def mysql_target(url: str | None = None) -> Target | None:
    """The server of CETEC_MYSQL_URL (`mysql://user:password@host:3306`); None when it is not set."""
    url = settings.CETEC_MYSQL_URL if url is None else url
    if not url:
        return None
    invalid = ConfigError(_("CETEC_MYSQL_URL is not a valid mysql://user:password@host:port URL."))
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise invalid from None
    if parts.scheme.lower() not in ("mysql", "mariadb") or not parts.hostname:
        raise invalid
    return Target(parts.hostname, port, unquote(parts.username or ""), unquote(parts.password or ""))


def database_name(domain) -> str | None:
    """The backup database of a customer domain: its first label, lower-case, every character outside
    `[a-z0-9_]` replaced by `_` (`Acme-Tools.cetecerp.com` -> `acme_tools`). None for no or an unusable
    domain (empty, no letter or digit, longer than MySQL allows)."""
    if isinstance(domain, bool) or not isinstance(domain, str | int):
        return None
    text = _SCHEME.sub("", str(domain).strip())
    label = text.split("/", 1)[0].split(":", 1)[0].split(".", 1)[0].strip().lower()
    if label in _NO_DOMAIN:
        return None
    name = _NOT_IN_NAME.sub("_", label)
    if not re.search(r"[a-z0-9]", name) or len(name) > MAX_NAME_LENGTH:
        return None
    return name


@dataclasses.dataclass
class Check:
    status: str
    # database name -> creation time (UTC) of its usage_stats table, for the databases that have one
    found: dict[str, datetime.datetime | None] = dataclasses.field(default_factory=dict)
    message: str = ""
    elapsed_ms: float = 0.0


class _Deadline:
    def __init__(self, budget: float):
        self.budget = max(0.0, budget)
        self.started = time.monotonic()
        self.ends = self.started + self.budget

    def left(self) -> float:
        return self.ends - time.monotonic()

    def elapsed_ms(self) -> float:
        return round((time.monotonic() - self.started) * 1000, 1)


class _OutOfTimeError(Exception):
    pass


def _connect(target: Target, deadline: _Deadline):
    left = deadline.left()
    if left <= 0:
        raise _OutOfTimeError
    return pymysql.connect(
        host=target.host, port=target.port, user=target.user, password=target.password,
        connect_timeout=left, read_timeout=left, write_timeout=left, charset="utf8mb4", autocommit=True,
        # CREATE_TIME and friends in UTC, whatever the server's time zone.
        init_command="SET time_zone = '+00:00'",
    )  # fmt: skip


def _run(connection, deadline: _Deadline, sql: str, params=()):
    left = deadline.left()
    if left <= 0:
        raise _OutOfTimeError
    # What is left of the budget, for every socket read and write of this query (PyMySQL reads these
    # before each one; the public arguments are only taken at connect time).
    connection._read_timeout = connection._write_timeout = left
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _failure(exc: Exception, target: Target, deadline: _Deadline) -> tuple[str, str]:
    """(status, message) of a failed check: a timeout once the budget is spent, else an error."""
    if isinstance(exc, _OutOfTimeError) or _timed_out(exc) or deadline.left() <= 0:
        return Status.TIMEOUT, _("The database check took longer than %(seconds)s s.") % {
            "seconds": f"{deadline.budget:g}"
        }
    code = exc.args[0] if isinstance(exc, pymysql.MySQLError) and exc.args else None
    if code in _ACCESS_DENIED:
        message = _("MySQL at %(server)s refused the login: check the user and password in CETEC_MYSQL_URL.")
    elif code in _CANNOT_CONNECT:
        message = _("MySQL cannot be reached at %(server)s.")
    else:
        message = _("MySQL at %(server)s failed (%(error)s).")
    return Status.ERROR, message % {"server": target.label, "error": _error_name(exc, code)}


def _timed_out(exc: Exception) -> bool:
    seen = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _error_name(exc: Exception, code) -> str:
    return f"{type(exc).__name__} {code}" if code is not None else type(exc).__name__


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except pymysql.MySQLError:
            connection._force_close()  # already broken: just drop the socket


def _utc(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value.astimezone(datetime.UTC)
    return None


def check_databases(names: Iterable[str], *, budget: float | None = None) -> Check:
    """Which of `names` exist with a `usage_stats` table, and that table's creation time. One connection,
    one query, within `budget` seconds (default CETEC_MYSQL_BUDGET_SECONDS)."""
    names = sorted(set(names))
    budget = settings.CETEC_MYSQL_BUDGET_SECONDS if budget is None else budget
    try:
        target = mysql_target()
    except ConfigError as exc:
        return Check(Status.ERROR, message=str(exc))
    if target is None:
        return Check(Status.DISABLED, message=str(NOT_SET))
    if not names:
        return Check(Status.SKIPPED)
    deadline = _Deadline(budget)
    placeholders = ", ".join(["%s"] * len(names))
    sql = (
        "SELECT TABLE_SCHEMA, CREATE_TIME FROM information_schema.TABLES "
        f"WHERE TABLE_NAME = %s AND TABLE_SCHEMA IN ({placeholders})"
    )
    connection = None
    try:
        connection = _connect(target, deadline)
        rows = _run(connection, deadline, sql, (USAGE_TABLE, *names))
    except Exception as exc:
        # Not only MySQLError: a server that is not (quite) MySQL can make the driver fail in any way
        # (struct, index or decode errors while parsing its greeting). It is a failed check, not a 500.
        status, message = _failure(exc, target, deadline)
        logger.warning(
            "CETEC backup database check failed: %s", message,
            extra={"mysql_status": status, "databases": len(names), "elapsed_ms": deadline.elapsed_ms()},
        )  # fmt: skip
        return Check(status, message=message, elapsed_ms=deadline.elapsed_ms())
    finally:
        _close(connection)
    found = {str(schema).lower(): _utc(created) for schema, created in rows}
    return Check(Status.OK, found=found, elapsed_ms=deadline.elapsed_ms())


def mysql_probe(*, budget: float | None = None) -> dict:
    """Is CETEC_MYSQL_URL configured and reachable: server version and round-trip time, never credentials."""
    budget = settings.CETEC_MYSQL_BUDGET_SECONDS if budget is None else budget
    # `mysql_status`, not `status`: the envelope renderer takes a dict with a `status` of "error" for a
    # finished envelope.
    result = {"configured": False, "reachable": False, "mysql_status": Status.DISABLED, "host": None, "port": None,
              "version": None, "latency_ms": None, "budget_seconds": budget,
              "message": str(NOT_SET)}  # fmt: skip
    try:
        target = mysql_target()
    except ConfigError as exc:
        result.update(configured=True, mysql_status=Status.ERROR, message=str(exc))
        return result
    if target is None:
        return result
    result.update(configured=True, host=target.host, port=target.port)
    deadline = _Deadline(budget)
    connection = None
    try:
        connection = _connect(target, deadline)
        version = _run(connection, deadline, "SELECT VERSION()")[0][0]
    except Exception as exc:  # as in check_databases
        status, message = _failure(exc, target, deadline)
        result.update(mysql_status=status, message=message, latency_ms=deadline.elapsed_ms())
        return result
    finally:
        _close(connection)
    result.update(
        reachable=True, mysql_status=Status.OK, version=str(version), latency_ms=deadline.elapsed_ms(),
        message=_("MySQL %(version)s at %(server)s answered.") % {"version": version, "server": target.label},
    )  # fmt: skip
    return result
