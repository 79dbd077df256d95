"""A fake CETEC ERP customer API (CONTRACT 5.3): `GET /api/customer?preshared_token=…&columns=…` with the
optional filters `id`, `name` and `external_key`, answering a JSON array of the requested columns."""

from .http import FakeServer, Reply, Request

TOKEN = "cetec-Preshared-7f3a9c"


def cetec_customer(number: int, **fields) -> dict:
    """A customer as CETEC stores it (every column; the fake answers the requested ones)."""
    record = {
        "id": number,
        "name": f"Customer {number} Inc.",
        "domain": f"customer{number}",
        "external_key": f"EXT-{number}",
        "ok_to_bill": 1,
        "priority_support": "Standard",
        "resident_hosting": 0,
        "test_environment": 0,
        "itar_hosting_bc": 0,
        "num_prod_users": 10 + number,
        "num_full_users": 5 + number,
        "techx_password": f"TechX-Secret-{number:04d}",
        "billing_email": f"billing{number}@example.com",
    }
    record.update(fields)
    return record


class FakeCetec(FakeServer):
    def __init__(self, *, token: str = TOKEN, customers=()):
        super().__init__()
        self.token = token
        self.customers: list[dict] = list(customers)
        self.ignore_columns = False  # answer every stored field (a CETEC that ignores `columns`)
        self.reject_status = 401  # what a wrong token gets (CETEC versions differ: 401 or 403)
        self.body = None  # when set, answered as it is instead of the customers (a broken CETEC)

    def route(self, request: Request):
        return request.path.rstrip("/"), None

    def answer(self, request: Request) -> Reply:
        if request.path.rstrip("/") != "/api/customer":
            return Reply(404, {"error": "Not found"})
        if request.query.get("preshared_token") != self.token:
            return Reply(self.reject_status, {"error": "invalid preshared_token"})
        if self.body is not None:
            return Reply(200, self.body)
        records = self.customers
        if "id" in request.query:
            records = [r for r in records if isinstance(r, dict) and str(r.get("id")) == request.query["id"]]
        if "name" in request.query:
            needle = request.query["name"].lower()
            records = [r for r in records if isinstance(r, dict) and needle in str(r.get("name", "")).lower()]
        if "external_key" in request.query:
            records = [
                r for r in records if isinstance(r, dict) and r.get("external_key") == request.query["external_key"]
            ]
        columns = [c for c in request.query.get("columns", "").split(",") if c]
        if columns and not self.ignore_columns:
            # Broken records (not objects) go out as they are stored.
            records = [{c: r[c] for c in columns if c in r} if isinstance(r, dict) else r for r in records]
        return Reply(200, records)

    @property
    def customer_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.rstrip("/") == "/api/customer"]
