import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from bench.harness import ROOT, free_port, instance_env


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def production_env(data_dir: Path, **extra) -> dict:
    env = instance_env(data_dir, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "scandy_site.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "INFO",
        }
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; production refuses it
    env.update(extra)
    return env


def run_manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    return result


def wait_for(url: str, *, timeout: float = 30, headers=None) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return requests.get(url, timeout=5, headers=headers)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still loading the app
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


@contextmanager
def started(
    command: list[str],
    env: dict,
    *,
    new_session: bool = False,
    output: Path | None = None,
    stop=signal.SIGTERM,
    stop_group: bool = True,
):
    """A process of ours, stopped afterwards with `stop`: sent to its whole process group when it has
    a session of its own (`new_session`, as a terminal's Ctrl-C or a service manager does) unless
    `stop_group` is off. Its output goes to `output` (a file: a pipe nobody reads would fill up)."""
    sink = open(output, "wb") if output else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=new_session
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            if new_session and stop_group:
                os.killpg(process.pid, stop)
            else:
                process.send_signal(stop)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                if new_session:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()
                process.wait()
        if output:
            sink.close()


@contextmanager
def gunicorn(env: dict):
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    with started(command, {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}) as process:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health")
        yield base, process


def processes_of_instance(name: str) -> list[int]:
    """Running processes (of this user) started for instance `name`."""
    found = []
    marker = f"SCANDY_INSTANCE={name}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def assert_all_stopped(name: str, timeout: float = 30) -> None:
    """Every process of instance `name` exits by itself; stragglers are killed and the test fails."""
    deadline = time.monotonic() + timeout
    while (left := processes_of_instance(name)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of {name} kept running after the stop: {left}"
