"""Instances: each has its own data dir (database, media, backups, logs, secret key) and sees
nothing of another; `make run INSTANCE=… PORT=…` starts one beside the other."""

import json
import os
import shutil
import signal
import uuid

import requests

from bench.harness import ROOT, free_port, instance_env
from tests.ops.conftest import assert_all_stopped, run_manage, started, wait_for

CREATE_TOOL = """
from inventory.services import tool_create
from scandy_site.accounts.models import Department
dept = Department.objects.create(code="a", name="A")
tool_create(department=dept, user=None, barcode="ONLY-IN-A", name="Nur in A")
"""
COUNT = "from inventory.models import Tool; print(Tool.objects.filter(barcode='ONLY-IN-A').count())"


def test_two_data_dirs_do_not_see_each_others_data(tmp_path):
    dirs = {name: tmp_path / name for name in ("a", "b")}
    envs = {name: {**instance_env(folder, None), "LOG_LEVEL": "INFO"} for name, folder in dirs.items()}
    for env in envs.values():
        run_manage(env, "migrate", "--noinput")
    run_manage(envs["a"], "shell", "-c", CREATE_TOOL)
    (dirs["a"] / "media" / "photo.jpg").write_bytes(b"a's photo")

    assert run_manage(envs["a"], "shell", "-c", COUNT).stdout.split()[-1] == "1"
    assert run_manage(envs["b"], "shell", "-c", COUNT).stdout.split()[-1] == "0"

    backup = run_manage(envs["a"], "backup", "create").stdout.strip().splitlines()[-1]
    assert backup.startswith(str(dirs["a"] / "backups"))
    assert run_manage(envs["b"], "backup", "list").stdout.strip() == "no backups"

    for folder in dirs.values():
        assert (folder / "db.sqlite3").is_file() and (folder / "secret_key").is_file()
    a_logs = "".join(p.read_text() for p in (dirs["a"] / "logs").glob("scandy-*.jsonl"))
    assert "backup created" in a_logs
    assert (dirs["a"] / "secret_key").read_text() != (dirs["b"] / "secret_key").read_text()
    assert not list((dirs["b"] / "media").iterdir())
    b_logs = "".join(p.read_text() for p in (dirs["b"] / "logs").glob("*.jsonl"))
    assert "backup created" not in b_logs


def test_instance_names_become_cookie_and_queue_names(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.Q_CLUSTER['name'], str(s.DATA_DIR), "
        "s.CACHES['default']['KEY_PREFIX']]))"
    )
    name = f"test-{uuid.uuid4().hex[:8]}"
    env = instance_env(tmp_path / "unused", None)
    env.pop("SCANDY_DATA_DIR")
    env["SCANDY_INSTANCE"] = name
    try:
        out = run_manage(env, "shell", "-c", code).stdout.strip().splitlines()[-1]
    finally:
        shutil.rmtree(ROOT / "var" / name, ignore_errors=True)
    cookie, cluster, data_dir, prefix = json.loads(out)
    assert cookie == f"scandy_{name}_session"
    assert cluster == f"scandy-{name}"
    assert data_dir == str(ROOT / "var" / name)
    assert prefix == name
    env["SCANDY_INSTANCE"] = "../etc"
    refused = run_manage(env, "check", check=False)
    assert refused.returncode != 0 and "SCANDY_INSTANCE" in refused.stderr


def make_run_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCANDY_", "DJANGO_", "DATABASE_URL", "REDIS"))}
    env["LOG_LEVEL"] = "INFO"
    return env


def test_make_run_starts_two_instances_side_by_side(tmp_path):
    names = [f"test-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    ports = [free_port(), free_port()]
    outputs = [tmp_path / f"{name}.log" for name in names]
    run = [["make", "run", f"INSTANCE={name}", f"PORT={port}"] for name, port in zip(names, ports, strict=True)]
    try:
        with (
            # The first is stopped like Ctrl-C in a terminal, the second like a service manager stops it.
            started(run[0], make_run_env(), new_session=True, output=outputs[0], stop=signal.SIGINT),
            started(run[1], make_run_env(), new_session=True, output=outputs[1], stop=signal.SIGTERM),
        ):
            for port in ports:
                assert wait_for(f"http://127.0.0.1:{port}/health", timeout=120).json()["database"] == "ok"
            # Each worker beats for its own instance (the first scheduler pass comes within ~30 s).
            for port in ports:
                assert _wait_for_worker(f"http://127.0.0.1:{port}/health") == "ok"
            setup = requests.get(f"http://127.0.0.1:{ports[0]}/", allow_redirects=False, timeout=5)
            assert setup.status_code == 302 and setup.headers["Location"] == "/setup/"
        for name in names:
            assert_all_stopped(name)
        for name, output in zip(names, outputs, strict=True):
            text = output.read_text(errors="replace")
            assert f"[scandy-{name}]" in text, text[-2000:]  # the django-q2 cluster carries the instance name
            folder = ROOT / "var" / name
            assert (folder / "db.sqlite3").is_file() and (folder / "secret_key").is_file()
            assert list((folder / "logs").glob("scandy-*.jsonl"))
    finally:
        for name in names:
            shutil.rmtree(ROOT / "var" / name, ignore_errors=True)


def _wait_for_worker(url: str, timeout: float = 90) -> str:
    import time

    deadline = time.monotonic() + timeout
    worker = "stale"
    while time.monotonic() < deadline:
        worker = requests.get(url, timeout=5).json()["worker"]
        if worker == "ok":
            break
        time.sleep(1)
    return worker
