"""No request to the scan station's API, however malformed, gets a 500 (CONTRACT section 3): random JSON,
raw bytes, query strings and barcodes in the path, against every lending and worker endpoint. Runs on SQLite
and, in the PostgreSQL pass, against the database that refuses NUL characters and out-of-range values."""

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lending import services
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.fuzz import FUZZ, assert_envelope, barcodes, json_values, payloads, queries, query_string, raw_bodies, texts

FIELDS = [
    "barcode", "tool_barcode", "consumable_barcode", "worker_barcode", "quantity", "due_date", "notes", "defective",
    "first_name", "last_name", "email", "active", "department", "created_at", "lent_at", "returned_at",
]  # fmt: skip
QUERY_KEYS = [
    "page", "page_size", "ordering", "search", "tool", "worker", "since", "until", "open", "state", "q", "active",
    "department",
]  # fmt: skip
# Bodies that pass the required fields, so the random rest reaches the services.
REQUIRED = {
    "/api/scan": st.builds(lambda code: {"barcode": code}, st.sampled_from(["T-1", "T-OUT", "C-1", "W-1"]) | barcodes),
    "/api/lending/process": st.builds(
        lambda item, worker: {**item, "worker_barcode": worker},
        st.sampled_from([{"tool_barcode": "T-1"}, {"consumable_barcode": "C-1"}]),
        st.sampled_from(["W-1", "W-2"]) | barcodes,
    ),
    "/api/lending/return": st.builds(lambda code: {"tool_barcode": code}, st.sampled_from(["T-OUT", "T-1"]) | barcodes),
    "/api/workers": st.builds(lambda code: {"barcode": code, "first_name": "Fuzz", "last_name": "Test"}, barcodes),
}
WRITE_ENDPOINTS = [
    ("post", "/api/scan"),
    ("post", "/api/lending/process"),
    ("post", "/api/lending/return"),
    ("post", "/api/workers"),
    ("patch", "/api/workers/W-1"),
    ("put", "/api/workers/W-1"),
    ("delete", "/api/workers/W-2"),
]
READ_ENDPOINTS = ["/api/lending/history", "/api/lending/overdue", "/api/workers", "/api/workers/W-1"]


@pytest.fixture
def station(department):
    worker = WorkerFactory(department=department, barcode="W-1")
    WorkerFactory(department=department, barcode="W-2")
    ToolFactory(department=department, barcode="T-1", name="Bohrmaschine")
    lent = ToolFactory(department=department, barcode="T-OUT", name="Leiter")
    ConsumableFactory(department=department, barcode="C-1", current_stock=10**6)
    services.lending_checkout(tool=lent, worker=worker, user=None)


@pytest.mark.parametrize(("method", "path"), WRITE_ENDPOINTS)
@FUZZ
@given(data=st.data())
def test_random_json_bodies(api, station, method, path, data):
    body = data.draw(payloads(FIELDS, REQUIRED.get(path)) | json_values)
    # Encoded here with escapes, so lone surrogates travel as "\ud800" the way a hostile client sends them.
    assert_envelope(api.generic(method.upper(), path, json.dumps(body), "application/json"))


@pytest.mark.parametrize("path", ["/api/scan", "/api/lending/process", "/api/lending/return"])
@FUZZ
@given(raw=raw_bodies, content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                                      "multipart/form-data", "text/plain"]))  # fmt: skip
def test_random_raw_bodies(api, station, path, raw, content_type):
    assert_envelope(api.generic("POST", path, raw, content_type))


@pytest.mark.parametrize("path", READ_ENDPOINTS)
@FUZZ
@given(query=queries(QUERY_KEYS))
def test_random_query_strings(api, station, path, query):
    assert_envelope(api.get(f"{path}?{query_string(query)}"))


@FUZZ
@given(barcode=texts, method=st.sampled_from(["get", "patch", "delete"]))
def test_random_barcodes_in_the_path(api, station, barcode, method):
    path = f"/api/workers/{quote(barcode, safe='', errors='surrogatepass')}"
    assert_envelope(getattr(api, method)(path, {"first_name": "X"}, format="json") if method == "patch" else
                    getattr(api, method)(path))  # fmt: skip
