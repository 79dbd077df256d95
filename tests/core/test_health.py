"""`GET /health` (CONTRACT section 3): no login, database ping, worker heartbeat."""

from datetime import timedelta
from unittest import mock

from django.db import OperationalError
from django.utils import timezone

from scandy_site.core.models import WorkerHeartbeat
from scandy_site.core.tasks import worker_heartbeat


def test_health_answers_without_login_and_before_setup(client, db):
    response = client.get("/health")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "worker": "stale"}


def test_worker_is_ok_after_a_heartbeat(client, db):
    worker_heartbeat()
    assert client.get("/health").json() == {"status": "ok", "database": "ok", "worker": "ok"}


def test_worker_is_stale_after_ten_minutes(client, db):
    worker_heartbeat()
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=10, seconds=5))
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["worker"] == "stale"


def test_worker_is_ok_just_before_ten_minutes(client, db):
    worker_heartbeat()
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=9, seconds=50))
    assert client.get("/health").json()["worker"] == "ok"


def test_heartbeat_keeps_one_row(db):
    worker_heartbeat()
    worker_heartbeat()
    assert WorkerHeartbeat.objects.count() == 1


def test_database_down_is_503_with_json(client, db):
    with mock.patch("django.db.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/health")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error"
    assert "refused" not in response.content.decode()


def test_health_is_read_only(client, db):
    assert client.post("/health").status_code == 405
