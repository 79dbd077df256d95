"""A fake ThingsBoard CE: login, bearer tokens that can expire, page queries for customers and
tenant devices in the real wire format (CONTRACT 5.1)."""

import itertools
import threading
import time
import uuid

from .http import FakeServer, Reply, Request, page_number

NULL_UUID = "13814000-1dd2-11b2-8080-808080808080"
TENANT = {"entityType": "TENANT", "id": "0f3a8f60-4f1e-11ee-9b0e-5f1c2c6a0001"}
ROUTES = {"/api/customers": "customers", "/api/tenant/devices": "devices"}


def tb_uuid(kind: int, number: int) -> str:
    """A stable UUID per kind (1 customers, 2 devices) and number."""
    return str(uuid.UUID(int=(kind << 96) | number))


def tb_customer(number: int, title: str | None = None, **fields) -> dict:
    title = title if title is not None else f"Kunde {number}"
    record = {
        "id": {"entityType": "CUSTOMER", "id": tb_uuid(1, number)},
        "createdTime": 1_700_000_000_000 + number,
        "additionalInfo": {"description": ""},
        "country": "Deutschland",
        "state": "Berlin",
        "city": "Berlin",
        "address": f"Hauptstraße {number}",
        "address2": "",
        "zip": "10115",
        "phone": f"+49 30 {number:07d}",
        "email": f"kunde{number}@example.org",
        "title": title,
        "tenantId": TENANT,
        "name": title,
        "version": 1,
    }
    record.update(fields)
    return record


def tb_device(number: int, customer: int | None = None, name: str | None = None, **fields) -> dict:
    record = {
        "id": {"entityType": "DEVICE", "id": tb_uuid(2, number)},
        "createdTime": 1_700_000_000_000 + number,
        "additionalInfo": {"gateway": False, "overwriteActivityTime": False, "description": ""},
        "tenantId": TENANT,
        "customerId": {"entityType": "CUSTOMER", "id": tb_uuid(1, customer) if customer else NULL_UUID},
        "name": name if name is not None else f"Sensor {number}",
        "type": "default",
        "label": f"Raum {number % 100}",
        "deviceProfileId": {"entityType": "DEVICE_PROFILE", "id": "5c8e6a10-4f1e-11ee-9b0e-5f1c2c6a0002"},
        "deviceData": {"configuration": {"type": "DEFAULT"}, "transportConfiguration": {"type": "DEFAULT"}},
        "firmwareId": None,
        "softwareId": None,
        "externalId": None,
        "version": 1,
    }
    record.update(fields)
    return record


class FakeThingsBoard(FakeServer):
    def __init__(self, *, username="tenant@thingsboard.org", password="tenant-Secret-1", customers=(), devices=()):
        super().__init__()
        self.username = username
        self.password = password
        self.customers: list[dict] = list(customers)
        self.devices: list[dict] = list(devices)
        self.tokens: set[str] = set()
        self.logins = 0
        self._counter = itertools.count(1)
        self._token_lock = threading.Lock()
        # (route, page) -> action: "expire" (tokens expire just before that request: a re-login helps),
        # "reject" (401 whatever the token); and record ids that vanish after a page was served.
        self.auth_events: dict[tuple[str, int], str] = {}
        self.vanishing: dict[tuple[str, int], list[str]] = {}

    def expire_tokens_on(self, route: str, page: int):
        self.auth_events[(route, page)] = "expire"

    def reject_tokens_on(self, route: str, page: int):
        self.auth_events[(route, page)] = "reject"

    def vanish_after(self, route: str, page: int, record_id: str):
        """Delete a record as soon as `page` of `route` was served (a deletion in the middle of a sync)."""
        self.vanishing.setdefault((route, page), []).append(record_id)

    def route(self, request: Request):
        if request.path == "/api/auth/login":
            return "login", None
        return ROUTES.get(request.path, "other"), page_number(request.query, default=0, offset=1)

    def answer(self, request: Request) -> Reply:
        if request.path == "/api/auth/login":
            return self._login(request)
        route, page = self.route(request)
        if route == "other":
            return Reply(404, {"status": 404, "message": "Not found", "errorCode": 32})
        event = self.auth_events.get((route, page))
        if event == "expire":
            del self.auth_events[(route, page)]
            with self._token_lock:
                self.tokens.clear()
        token = request.headers.get("x-authorization", "").removeprefix("Bearer ")
        if event == "reject" or token not in self.tokens:
            return Reply(401, {"status": 401, "message": "Token has expired", "errorCode": 11,
                               "timestamp": int(time.time() * 1000)})  # fmt: skip
        records = self.customers if route == "customers" else self.devices
        try:
            size = max(1, int(request.query.get("pageSize", 10)))
            index = int(request.query.get("page", 0))
        except ValueError:
            return Reply(400, {"status": 400, "message": "Invalid page parameters", "errorCode": 31})
        chunk = records[index * size : (index + 1) * size]
        total = len(records)
        body = {"data": chunk, "totalPages": -(-total // size), "totalElements": total,
                "hasNext": (index + 1) * size < total}  # fmt: skip
        for record_id in self.vanishing.pop((route, page), []):
            records[:] = [r for r in records if r["id"]["id"] != record_id]
        return Reply(200, body)

    def _login(self, request: Request) -> Reply:
        try:
            credentials = request.json()
        except ValueError:
            return Reply(400, {"status": 400, "message": "Invalid request body", "errorCode": 31})
        if not isinstance(credentials, dict) or (credentials.get("username"), credentials.get("password")) != (
            self.username,
            self.password,
        ):
            return Reply(401, {"status": 401, "message": "Invalid username or password", "errorCode": 10})
        token = f"tok-{next(self._counter)}"
        with self._token_lock:
            self.tokens.add(token)
            self.logins += 1
        return Reply(200, {"token": token, "refreshToken": f"refresh-{token}"})
