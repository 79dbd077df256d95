"""Production settings: `check --deploy` clean, gunicorn with its config, whitenoise, /health with a
real broken database connection."""

import json
import re
import subprocess
import sys

import requests

from bench.harness import ROOT
from tests.ops.conftest import gunicorn, production_env, run_manage

HTTPS = {"X-Forwarded-Proto": "https"}


def test_check_deploy_is_clean(data_dir):
    result = run_manage(production_env(data_dir), "check", "--deploy")
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


def test_gunicorn_serves_the_app_static_files_and_health(data_dir):
    env = production_env(data_dir)
    run_manage(env, "migrate", "--noinput")
    # What `collectstatic` puts into STATIC_ROOT (it compresses ~1000 files: too slow for a test).
    target = data_dir / "staticfiles" / "css" / "scandy.css"
    target.parent.mkdir(parents=True)
    target.write_bytes((ROOT / "static" / "css" / "scandy.css").read_bytes())
    with gunicorn(env) as (base, _process):
        health = requests.get(base + "/health", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "worker": "stale"}
        assert re.fullmatch(r"[0-9a-f]{32}", health.headers["X-Request-ID"])

        css = requests.get(base + "/static/css/scandy.css", headers=HTTPS, timeout=5)
        assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]
        assert "max-age" in css.headers.get("Cache-Control", "")  # whitenoise

        plain_http = requests.get(base + "/accounts/login/", allow_redirects=False, timeout=5)
        assert plain_http.status_code == 301 and plain_http.headers["Location"].startswith("https://")
        api = requests.get(base + "/api/tools", headers={**HTTPS, "X-Request-ID": "edge-1"}, timeout=5)
        assert api.status_code == 503  # not set up yet: the JSON answer says so
        assert api.json()["code"] == "SETUP_REQUIRED"
        assert api.headers["X-Request-ID"] == "edge-1"
        assert "Strict-Transport-Security" in api.headers

    logs = list((data_dir / "logs").glob("scandy-*.jsonl"))
    assert logs
    lines = [json.loads(line) for line in logs[0].read_text().splitlines()]
    assert any(line.get("request_id") == "edge-1" and line["logger"] == "scandy.request" for line in lines)


def test_health_is_503_when_the_database_is_down(data_dir):
    # Nothing listens on port 1: every connection attempt is refused, as with a stopped server.
    env = production_env(data_dir, DATABASE_URL="postgres://scandy:db-secret-pw@127.0.0.1:1/scandy")
    with gunicorn(env) as (base, _process):
        response = requests.get(base + "/health", timeout=10)
        assert response.status_code == 503
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {"status": "error", "database": "error", "worker": "unknown"}
        assert "db-secret-pw" not in response.text
    for log in (data_dir / "logs").glob("*.jsonl"):
        assert "db-secret-pw" not in log.read_text()


def test_health_is_503_when_the_sqlite_file_cannot_be_opened(data_dir):
    env = production_env(
        data_dir, DATABASE_URL="sqlite:////nonexistent-folder/scandy/db.sqlite3", ALLOWED_HOSTS="testserver"
    )
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/health', secure=True); print(r.status_code, r.content.decode())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    status, body = out.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["database"] == "error"
