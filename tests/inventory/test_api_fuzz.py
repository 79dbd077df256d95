"""No request, however malformed, gets a 500 (CONTRACT section 3).

Hypothesis throws random JSON bodies, raw bytes and query strings at every tool and consumable endpoint;
every answer must be below 500 and carry the envelope."""

import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import CategoryFactory, ConsumableFactory, ToolFactory, WorkerFactory
from tests.fuzz import FUZZ, assert_envelope, barcodes, json_values, query_string, raw_bodies, texts
from tests.fuzz import payloads as fuzz_payloads
from tests.fuzz import queries as fuzz_queries

FIELDS = [
    "barcode", "name", "description", "category", "location", "status", "condition", "serial_number",
    "purchase_date", "purchase_price", "maintenance_due", "custom_fields", "current_stock", "min_stock",
    "max_stock", "unit", "cost_per_unit", "supplier", "last_ordered_at", "created_at", "updated_at", "department",
    "below_min", "delta", "reason", "worker_barcode", "date", "cost", "performed_by", "next_due",
]  # fmt: skip
QUERY_KEYS = [
    "page", "page_size", "ordering", "search", "status", "category", "location", "below_min", "q", "condition",
    "supplier", "maintenance_due_before", "purchase_date_after", "purchase_date_before", "format",
]  # fmt: skip
# A create that passes the required fields, so the random ones reach the deeper layers.
payloads = fuzz_payloads(FIELDS, st.builds(lambda barcode: {"barcode": barcode, "name": "Fuzz"}, barcodes))
bodies = payloads | json_values
queries = fuzz_queries(QUERY_KEYS)

WRITE_ENDPOINTS = [
    ("post", "/api/tools"),
    ("post", "/api/consumables"),
    ("patch", "/api/tools/T-1"),
    ("put", "/api/tools/T-1"),
    ("patch", "/api/consumables/C-1"),
    ("put", "/api/consumables/C-1"),
    ("post", "/api/tools/T-1/maintenance"),
    ("post", "/api/consumables/C-1/adjust-stock"),
    ("delete", "/api/tools/T-2"),
]
READ_ENDPOINTS = [
    "/api/tools",
    "/api/consumables",
    "/api/tools/T-1",
    "/api/consumables/C-1",
    "/api/tools/T-1/maintenance",
    "/api/consumables/C-1/forecast",
    "/api/consumables/C-1/movements",
]


@pytest.fixture
def stocked(department):
    category = CategoryFactory(department=department, name="Elektro")
    ToolFactory(department=department, barcode="T-1", name="Bohrmaschine", category=category)
    ToolFactory(department=department, barcode="T-2", name="Säge")
    ConsumableFactory(department=department, barcode="C-1", name="Schrauben", current_stock=10**6)
    WorkerFactory(department=department, barcode="W-1")


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
@FUZZ
@given(body=bodies)
def test_random_json_bodies(api, stocked, method, path, body):
    # Encoded here with escapes, so lone surrogates travel as "\ud800" the way a hostile client sends them.
    assert_envelope(api.generic(method.upper(), path, json.dumps(body), "application/json"))


CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/tools"), ("patch", "/api/consumables/C-1"), ("post", "/api/consumables/C-1/adjust-stock")],
)
@FUZZ
@given(raw=raw_bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_random_raw_bodies(api, stocked, method, path, raw, content_type):
    assert_envelope(api.generic(method.upper(), path, raw, content_type))


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/tools"), ("patch", "/api/tools/T-1"), ("post", "/api/consumables/C-1/adjust-stock")],
)
@FUZZ
@given(body=payloads)
def test_random_form_bodies(api, stocked, method, path, body):
    # Form fields are strings; nested values arrive as their JSON text.
    form = {key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()}
    encoded = urlencode(form, encoding="utf-8", errors="surrogatepass")  # invalid UTF-8 on purpose
    assert_envelope(api.generic(method.upper(), path, encoded, "application/x-www-form-urlencoded"))


@pytest.mark.parametrize("path", READ_ENDPOINTS)
@FUZZ
@given(query=queries)
def test_random_query_strings(api, stocked, path, query):
    assert_envelope(api.get(f"{path}?{query_string(query)}"))


@FUZZ
@given(
    barcode=texts,
    suffix=st.sampled_from(["", "/maintenance", "/forecast", "/adjust-stock", "/movements"]),
    kind=st.sampled_from(["tools", "consumables"]),
)
def test_random_barcodes_in_the_path(api, stocked, barcode, suffix, kind):
    assert_envelope(api.get(f"/api/{kind}/{quote(barcode, safe='', errors='surrogatepass')}{suffix}"))


@FUZZ
@given(
    department=texts,
    accept=st.sampled_from(
        ["application/json", "*/*", "text/html", "application/xml", "", "application/json; indent=400"]
    ),
)
def test_random_headers(api, stocked, department, accept):
    # A WSGI server hands header bytes over as Latin-1 text; NUL never gets that far.
    raw = department.replace("\x00", "").encode("utf-8", "surrogatepass").decode("latin-1")
    headers = {"HTTP_ACCEPT": accept, "HTTP_X_SCANDY_DEPARTMENT": raw}
    response = api.get("/api/tools", **headers)
    if response.status_code < 500 and "text/html" in response["Content-Type"]:
        return  # the browsable API answers browsers with HTML
    assert_envelope(response)


@FUZZ
@given(body=bodies)
def test_random_token_requests(client, admin_user, body):
    assert_envelope(client.post("/api/auth/token", body, content_type="application/json"))
