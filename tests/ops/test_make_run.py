"""`make run` (scandy_site/run.py): gunicorn and the worker serve the workshop network over plain HTTP, a
tablet signs in by the machine's address, 30 scan stations at once get every answer, and a TERM leaves no
process behind."""

import re
import shutil
import signal
import socket
import statistics
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import requests

from bench.harness import free_port
from tests.ops.conftest import assert_all_stopped, run_manage, started, wait_for
from tests.ops.test_instances import make_run_env

PASSWORD = "Werkbank-2026-sicher"
SEED = """
from inventory.services import tool_create
from lending.services import worker_create
from scandy_site.accounts.models import Department
from scandy_site.core.services import setup_initial_instance
admin = setup_initial_instance(system_name="Werkstatt", username="meister", email="", password={password!r},
    department_code="werkstatt", department_name="Werkstatt", categories=[], locations=[])
dept = Department.objects.get(code="werkstatt")
for i in range({tools}):
    tool_create(department=dept, user=admin, barcode=f"T-{{i}}", name=f"Werkzeug {{i}}")
"""
CLIENTS = 30
SCANS_EACH = 20


def lan_address() -> str:
    """How another machine on the network names this one: a non-loopback address if it has one (the
    route a UDP socket would take; nothing is sent), else its host name."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        if not address.startswith("127."):
            return address
    except OSError:
        pass
    return socket.gethostname()


@contextmanager
def workshop_server(tmp_path, *, host: str, tools: int = 1):
    """`python -m scandy_site.run` (what `make run` runs) for a fresh instance with an admin and tools."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {**make_run_env(), "SCANDY_INSTANCE": name, "SCANDY_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": "."}
    run_manage(env, "migrate", "--noinput")
    run_manage(env, "shell", "-c", SEED.format(password=PASSWORD, tools=tools))
    port = free_port()
    command = [sys.executable, "-m", "scandy_site.run", "--host", host, "--port", str(port)]
    output = tmp_path / "run.log"
    with started(command, env, new_session=True, output=output, stop_group=False) as process:
        yield process, port, name, output
    assert_all_stopped(name)


def stop_and_check(process, name: str, output) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, output.read_text()[-3000:]
    assert_all_stopped(name)


def test_a_tablet_signs_in_by_the_machines_address_then_term_stops_everything(tmp_path):
    with workshop_server(tmp_path, host="0.0.0.0") as (process, port, name, output):
        base = f"http://{lan_address()}:{port}"
        assert wait_for(base + "/health", timeout=120).json()["database"] == "ok"
        text = output.read_text()
        assert f"on http://{socket.gethostname().lower()}:{port}/" in text, text[-2000:]

        tablet = requests.Session()
        login = tablet.get(base + "/accounts/login/", timeout=10)
        assert login.status_code == 200
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        # What a browser sends for the form: its fields, the CSRF cookie, and the page's origin.
        signed_in = tablet.post(
            base + "/accounts/login/",
            data={"username": "meister", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Origin": base, "Referer": base + "/accounts/login/"},
            allow_redirects=False,
            timeout=10,
        )
        assert signed_in.status_code == 302, signed_in.text[:2000]
        cookies = signed_in.headers["Set-Cookie"]
        assert f"scandy_{name}_session=" in cookies
        assert "secure" not in cookies.lower()  # plain HTTP: a Secure cookie would never come back
        dashboard = tablet.get(base + "/", timeout=10)
        assert dashboard.status_code == 200 and "meister" in dashboard.text

        # Static files come from whitenoise (no collectstatic), DEBUG is off, unknown hosts are refused.
        css = tablet.get(base + "/static/css/scandy.css", timeout=10)
        assert css.status_code == 200 and "max-age" in css.headers.get("Cache-Control", "")
        missing = tablet.get(base + "/no-such-page/", timeout=10)
        assert missing.status_code == 404 and "URLconf" not in missing.text
        forged = requests.get(f"http://127.0.0.1:{port}/health", headers={"Host": "evil.example"}, timeout=10)
        assert forged.status_code == 400

        stop_and_check(process, name, output)


def test_bound_to_this_machine_only_it_answers_on_loopback_only(tmp_path):
    address = lan_address()
    if address == socket.gethostname():
        pytest.skip("this machine has no network address besides loopback")
    with workshop_server(tmp_path, host="127.0.0.1") as (process, port, name, output):
        assert wait_for(f"http://127.0.0.1:{port}/health", timeout=120).status_code == 200
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://{address}:{port}/health", timeout=5)
        stop_and_check(process, name, output)


def test_thirty_scan_stations_at_once_get_every_answer(tmp_path):
    with workshop_server(tmp_path, host="127.0.0.1", tools=CLIENTS) as (process, port, name, output):
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health", timeout=120)
        token = requests.post(
            base + "/api/auth/token", json={"username": "meister", "password": PASSWORD}, timeout=10
        ).json()["data"]["token"]

        start = threading.Barrier(CLIENTS)
        outcomes: list[list] = [[] for _ in range(CLIENTS)]

        def station(number: int):
            session = requests.Session()
            session.headers["Authorization"] = f"Token {token}"
            # Half the stations keep their connection open, half open a new one for every scan.
            if number % 2:
                session.headers["Connection"] = "close"
            start.wait()
            for _scan in range(SCANS_EACH):
                began = time.perf_counter()
                try:
                    response = session.post(base + "/api/scan", json={"barcode": f"T-{number}"}, timeout=60)
                    outcome = response.status_code
                except requests.RequestException as exc:
                    outcome = type(exc).__name__
                outcomes[number].append((outcome, time.perf_counter() - began))

        threads = [threading.Thread(target=station, args=(n,)) for n in range(CLIENTS)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began

        results = [outcome for station_outcomes in outcomes for outcome, _seconds in station_outcomes]
        latencies = sorted(seconds for station_outcomes in outcomes for _outcome, seconds in station_outcomes)
        failures = [outcome for outcome in results if outcome != 200]
        print(
            f"\n{CLIENTS} stations x {SCANS_EACH} scans: {len(results)} requests in {elapsed:.1f} s "
            f"({len(results) / elapsed:.0f}/s), median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms, "
            f"failures {len(failures)}"
        )
        assert len(results) == CLIENTS * SCANS_EACH
        assert failures == [], failures[:10]
        stop_and_check(process, name, output)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_stops_on_ctrl_c_in_the_middle_of_starting(tmp_path):
    """Ctrl-C (INT to the terminal's process group) during the migrations still leaves nothing behind."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = {**make_run_env(), "SCANDY_DATA_DIR": str(tmp_path / "data")}
    command = ["make", "run", f"INSTANCE={name}", f"PORT={free_port()}"]
    with started(command, env, new_session=True, output=tmp_path / "run.log", stop=signal.SIGINT) as process:
        time.sleep(3)
    assert process.returncode != 0
    assert_all_stopped(name)
