"""Shared pieces for benchmarks: a throw-away instance, a real server process, result files."""

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def instance_env(data_dir: Path, database_url: str | None) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "SCANDY_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "scandy_site.settings.dev",
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env, input=stdin, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextmanager
def instance(database_url: str | None = None):
    """A fresh data dir (and, for PostgreSQL, a fresh database) that is removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="scandy-bench-"))
    created_db = None
    if database_url:
        import psycopg

        created_db = f"scandy_bench_{os.getpid()}"
        admin_url = database_url
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{created_db}"')
            conn.execute(f'CREATE DATABASE "{created_db}"')
        database_url = database_url.rsplit("/", 1)[0] + "/" + created_db
    env = instance_env(data_dir, database_url)
    try:
        manage(env, "migrate", "--noinput")
        yield env
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if created_db:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{created_db}" WITH (FORCE)')


@contextmanager
def server(env: dict, *, workers: int = 2, threads: int = 4):
    """gunicorn serving the instance, as in production."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "scandy_site.wsgi", "-b", f"127.0.0.1:{port}",
         "-k", "gthread", "-w", str(workers), "--threads", str(threads), "--keep-alive", "5", "--log-level", "warning"],
        env={**env, "DJANGO_SETTINGS_MODULE": env["DJANGO_SETTINGS_MODULE"]}, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/health", timeout=1).status_code in (200, 503):
                    break
            except requests.RequestException:  # not listening yet, or too busy starting to answer in time
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: list[float]) -> dict:
    return {
        "count": len(samples),
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(percentile(samples, 95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
    }


def machine_speed_seconds() -> float:
    """Best of three runs of a fixed pure-Python loop (10 million additions): results of machines that differ
    in speed can be compared through it (lower is faster)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    machine["python_loop_seconds"] = machine_speed_seconds()
    payload = {"benchmark": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": machine, **payload}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload, indent=2))
    return path
