"""Scale-out proof: two django-q2 clusters (as on two worker machines) share one Redis queue and one
PostgreSQL database; 100 queued tasks run exactly once each, spread over both."""

import os
import secrets
import sys
import time
import uuid

import pytest
from django.db import connection

from bench.harness import ROOT, instance_env
from tests.conftest import running_in_ci
from tests.ops.conftest import assert_all_stopped, run_manage, started

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own; keys are namespaced by the cluster name too
TASKS = 100
OURS = "func = 'tests.ops.scaleout_task.record'"


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is not reachable: {exc}"
        if running_in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return client


@pytest.fixture
def scaleout_database():
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"scandy_scaleout{os.environ.get('SCANDY_TEST_DB_SUFFIX', '')}_{os.getpid()}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_running(logs, queue: str, timeout=90):
    # The guard logs the queue it serves when the cluster is up ("... [django_q:<name>:q] running.").
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(log.read_text(errors="replace").count(f"[{queue}]") >= 2 for log in logs):
            return
        time.sleep(0.5)
    raise AssertionError("the clusters did not start:\n" + "\n".join(log.read_text()[-2000:] for log in logs))


def test_two_clusters_on_redis_run_each_task_exactly_once(tmp_path, scaleout_database):
    import psycopg

    client = redis_or_skip()
    instance = f"scaleout-{uuid.uuid4().hex[:8]}"
    env = instance_env(tmp_path / "data", scaleout_database)
    env.update(
        {
            "SCANDY_INSTANCE": instance,
            "REDIS_URL": REDIS_URL,
            "SECRET_KEY": secrets.token_urlsafe(64),  # every node signs and checks tasks with the same key
            "Q_WORKERS": "2",
            "LOG_LEVEL": "INFO",
        }
    )
    run_manage(env, "migrate", "--noinput")
    with psycopg.connect(scaleout_database, autocommit=True) as db:
        db.execute("CREATE TABLE scaleout_runs (id serial PRIMARY KEY, task_number int, node text, pid int)")

    logs = [tmp_path / "node-a.log", tmp_path / "node-b.log"]
    command = [sys.executable, str(ROOT / "manage.py"), "qcluster"]
    try:
        with (
            # A TERM to a cluster's main process stops its workers in order (as systemd's KillMode=mixed).
            started(command, {**env, "SCALEOUT_NODE": "a"}, new_session=True, output=logs[0], stop_group=False),
            started(command, {**env, "SCALEOUT_NODE": "b"}, new_session=True, output=logs[1], stop_group=False),
        ):
            _wait_until_running(logs, f"django_q:scandy-{instance}:q")
            run_manage(
                env,
                "shell",
                "-c",
                "from django_q.tasks import async_task\n"
                f"for n in range({TASKS}): async_task('tests.ops.scaleout_task.record', n)",
            )
            deadline = time.monotonic() + 120
            with psycopg.connect(scaleout_database, autocommit=True) as db:
                while time.monotonic() < deadline:
                    done = db.execute(f"SELECT count(*) FROM django_q_task WHERE success AND {OURS}").fetchone()[0]
                    if done >= TASKS:
                        break
                    time.sleep(0.5)
                time.sleep(2)  # a duplicate would arrive now
                runs = db.execute("SELECT task_number, node FROM scaleout_runs").fetchall()
                results = db.execute(f"SELECT count(*), count(DISTINCT id) FROM django_q_task WHERE {OURS}").fetchone()
        assert_all_stopped(instance)
    finally:
        for key in client.scan_iter(f"django_q:scandy-{instance}:*"):
            client.delete(key)

    numbers = sorted(number for number, _node in runs)
    assert numbers == list(range(TASKS)), f"ran {len(numbers)} times for {len(set(numbers))} tasks"
    assert results == (TASKS, TASKS)
    nodes = {node for _number, node in runs}
    assert nodes == {"a", "b"}, f"only {nodes} took tasks"
