"""JSON-lines logs in logs/ of the data dir and on stderr, request ids, no secrets."""

import datetime
import json
import logging
import re

import pytest

from scandy_site.core.logs import ConsoleFormatter, DailyFileHandler, JSONLinesFormatter, console_formatter, redact


def log_file_handler() -> DailyFileHandler:
    return next(h for h in logging.getLogger().handlers if isinstance(h, DailyFileHandler))


def log_lines() -> list[dict]:
    handler = log_file_handler()
    path = handler.path_for(datetime.date.today().isoformat())
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_log_file_is_in_the_data_dir(settings):
    handler = log_file_handler()
    assert handler.directory == settings.LOG_DIR
    assert str(handler.directory).startswith(str(settings.DATA_DIR))


@pytest.mark.django_db
def test_every_response_carries_a_request_id_found_in_its_log_lines(client, admin_user):
    response = client.get("/accounts/login/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [line for line in log_lines() if line["request_id"] == request_id]
    assert lines, "the request wrote no log line with its id"
    access = lines[-1]
    assert access["logger"] == "scandy.request"
    assert access["method"] == "GET" and access["path"] == "/accounts/login/" and access["status"] == 200
    assert access["instance"] == "main"
    assert isinstance(access["duration_ms"], float)
    assert client.get("/accounts/login/")["X-Request-ID"] != request_id


@pytest.mark.django_db
def test_warnings_inside_a_request_carry_its_id(client, admin_user):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="proxy-id-42")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "proxy-id-42"
    loggers = {line["logger"] for line in log_lines() if line["request_id"] == "proxy-id-42"}
    assert {"django.request", "scandy.request"} <= loggers


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["with space", "x" * 200, "<script>", "ümlaut"])
def test_an_implausible_incoming_id_is_replaced(client, bad):
    assert client.get("/health", HTTP_X_REQUEST_ID=bad)["X-Request-ID"] != bad


@pytest.mark.django_db
def test_api_errors_carry_the_id_too(api):
    response = api.get("/api/tools/UNKNOWN")
    assert response.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_signed_in_user_is_in_the_request_line(client, admin_user):
    client.force_login(admin_user)
    client.get("/")
    line = [line for line in log_lines() if line["logger"] == "scandy.request"][-1]
    assert line["path"] == "/" and line["user_id"] == admin_user.pk


@pytest.mark.django_db
def test_the_id_does_not_outlive_its_request(client):
    client.get("/health", HTTP_X_REQUEST_ID="finished-request")
    logging.getLogger("scandy.test").warning("between requests")
    assert log_lines()[-1]["request_id"] is None


def test_secrets_are_masked_in_file_and_stderr(settings, monkeypatch, capfd):
    monkeypatch.setenv("SHOP_API_TOKEN", "shop-token-xyz-123")
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "db-password-9876")
    logger = logging.getLogger("scandy.test")
    logger.warning(
        "connecting with password=hunter22 to postgres://scandy:db-password-9876@db/scandy, key %s, shop %s",
        settings.SECRET_KEY,
        "shop-token-xyz-123",
    )
    try:
        raise RuntimeError("Authorization: Token abcdef0123456789 failed, api_key='k-1234567'")
    except RuntimeError:
        logger.exception("upstream failed")
    written = "\n".join(json.dumps(line) for line in log_lines()[-2:]) + capfd.readouterr().err
    for secret in ("hunter22", "db-password-9876", settings.SECRET_KEY, "shop-token-xyz-123", "abcdef0123456789",
                   "k-1234567"):  # fmt: skip
        assert secret not in written
    assert "password=***" in written and "postgres://scandy:***@db/scandy" in written
    assert "Authorization: Token ***" in written


def test_a_terminal_gets_readable_lines_and_everything_else_json(monkeypatch):
    record = logging.LogRecord("scandy.test", logging.WARNING, __file__, 1, "login with password=hunter22", None, None)
    record.request_id = "req-7"
    monkeypatch.setenv("LOG_FORMAT", "plain")
    line = console_formatter().format(record)
    assert "WARNING" in line and "scandy.test" in line and line.endswith("[req-7]")
    assert "hunter22" not in line and "password=***" in line
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert json.loads(console_formatter().format(record))["message"] == "login with password=***"
    monkeypatch.delenv("LOG_FORMAT")
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert isinstance(console_formatter(), ConsoleFormatter)


def test_redact_keeps_ordinary_text():
    text = "tool T-1 lent to Ada; 3 tokens left; csrftoken cookie set"
    assert redact(text) == text


def test_each_line_is_one_json_object_with_the_fields():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "multi\nline %s \u2028\x85", ("arg",), None)
    record.custom = {"nested": ["a", 1]}
    line = JSONLinesFormatter().format(record)
    assert line.splitlines() == [line]
    payload = json.loads(line)
    assert payload["message"] == "multi\nline arg \u2028\x85"
    assert payload["level"] == "ERROR" and payload["custom"] == {"nested": ["a", 1]}
    assert payload["ts"].endswith("Z")


def test_daily_files_are_appended_by_several_writers_and_old_ones_removed(tmp_path):
    old = tmp_path / "scandy-2000-01-01.jsonl"
    old.write_text("{}\n")
    recent = tmp_path / f"scandy-{(datetime.date.today() - datetime.timedelta(days=3)).isoformat()}.jsonl"
    recent.write_text("{}\n")
    writers = [DailyFileHandler(str(tmp_path), keep_days=30) for _ in range(2)]
    for number in range(10):
        for writer in writers:
            writer.setFormatter(JSONLinesFormatter())
            writer.emit(logging.LogRecord("x", logging.INFO, __file__, 1, f"line {number}", None, None))
    for writer in writers:
        writer.close()
    today = tmp_path / f"scandy-{datetime.date.today().isoformat()}.jsonl"
    assert len([json.loads(line) for line in today.read_text().splitlines()]) == 20
    assert not old.exists() and recent.exists()


def test_urllib3_request_lines_are_masked_at_the_source(settings, caplog):
    # urllib3 writes the request target with its query string at DEBUG; CETEC's token travels there.
    settings.CETEC_PRESHARED_TOKEN = "cetec-Token-abc123"
    caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s %s', "https", "acme.cetecerp.com", 443, "GET",
        "/api/customer?preshared_token=cetec-Token-abc123&columns=id,name", "HTTP/1.1", 200, 512,
    )  # fmt: skip
    [record] = [r for r in caplog.records if r.name == "urllib3.connectionpool"]
    assert "cetec-Token-abc123" not in record.getMessage()
    assert "preshared_token=***&columns=id,name" in record.getMessage()


def test_a_secret_put_into_the_environment_later_is_masked_too(monkeypatch):
    """The environment's secrets are looked up once per change of the environment, not once per line."""
    logger = logging.getLogger("scandy.test")
    logger.warning("before: nothing secret yet")
    monkeypatch.setenv("CETEC_PRESHARED_TOKEN", "late-token-4711")
    logger.warning("calling with late-token-4711")
    monkeypatch.setenv("CETEC_PRESHARED_TOKEN", "rotated-token-0815")
    logger.warning("calling with rotated-token-0815")
    written = json.dumps(log_lines()[-2:])
    assert "late-token-4711" not in written and "rotated-token-0815" not in written
    assert written.count("***") == 2
