"""If-Match under concurrency, on PostgreSQL with real threads: two writers holding the same ETag cannot
both succeed. The tag is compared after the row lock, inside the write's transaction; compared before it,
both requests would pass the check and the second would silently overwrite the first."""

import time

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory import services as inventory_services
from lending import services as lending_services
from tests.factories import ToolFactory, WorkerFactory
from tests.threads import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


def client_for(user, department) -> APIClient:
    client = APIClient(SERVER_NAME="localhost")
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_X_SCANDY_DEPARTMENT=department.code)
    return client


def slowed(monkeypatch, module, name: str, seconds: float = 0.4) -> None:
    """Make the service take a while, so that the second request arrives while the first one is writing."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def at_once(requests) -> list:
    """Send the requests from one thread each, released together; answer (status, code) per request."""

    def send(index):
        response = requests[index]()
        return response.status_code, response.json().get("code")

    return [value if kind == "ok" else (kind, value) for kind, value in race(len(requests), send)]


def test_two_patches_with_the_same_etag_one_wins(monkeypatch, department, admin_user, employee):
    ToolFactory(department=department, barcode="T-1", name="Bohrhammer")
    tag = client_for(admin_user, department).get("/api/tools/T-1")["ETag"]
    slowed(monkeypatch, inventory_services, "tool_update")
    clients = [client_for(admin_user, department), client_for(employee, department)]

    answers = at_once(
        [
            lambda: clients[0].patch("/api/tools/T-1", {"name": "Erster"}, format="json", HTTP_IF_MATCH=tag),
            lambda: clients[1].patch("/api/tools/T-1", {"description": "Zweiter"}, format="json", HTTP_IF_MATCH=tag),
        ]
    )

    assert sorted(answers, key=str) == [(200, None), (412, "PRECONDITION_FAILED")], answers
    tool = client_for(admin_user, department).get("/api/tools/T-1").json()["data"]
    # Exactly one of the two changes is there; the other was refused, not merged in blindly.
    assert (tool["name"] == "Erster") != (tool["description"] == "Zweiter"), tool


def test_a_delete_and_a_patch_with_the_same_etag_one_wins(monkeypatch, department, admin_user):
    WorkerFactory(department=department, barcode="W-1", first_name="Ada", last_name="Lovelace")
    client = client_for(admin_user, department)
    tag = client.get("/api/workers/W-1")["ETag"]
    slowed(monkeypatch, lending_services, "worker_update")
    slowed(monkeypatch, lending_services, "worker_soft_delete")
    clients = [client_for(admin_user, department), client_for(admin_user, department)]

    answers = at_once(
        [
            lambda: clients[0].patch("/api/workers/W-1", {"last_name": "King"}, format="json", HTTP_IF_MATCH=tag),
            lambda: clients[1].delete("/api/workers/W-1", HTTP_IF_MATCH=tag),
        ]
    )

    # One wins. The other is refused: 412 when the change came first, 404 when the worker is gone by then.
    statuses = sorted(status for status, _code in answers)
    assert statuses in ([200, 404], [200, 412]), answers
