"""Shared material of the fuzz tests: what Hypothesis throws at the API and the pages, and the check that
every JSON answer is the contract's envelope (CONTRACT section 3: no request, however malformed, gets a 500)."""

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from scandy_site.core.errors import ERROR_STATUS

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

PLAUSIBLE = [
    "T-1", "C-1", "W-1", "Elektro", "available", "lent", "2024-01-01", "2024-13-45", "-1", "0", "1.5", "true",
    "all", "-name", "name,-barcode", "", " ", "\x00", "ä", "💥", "1e999", "NaN",
]  # fmt: skip

# Hypothesis leaves out surrogates and control characters unless asked; clients do not.
odd_texts = st.text(st.characters(categories=["Cs", "Cc", "Lu", "Nd", "Po"]), max_size=12)
texts = st.text(max_size=30) | odd_texts | st.sampled_from(PLAUSIBLE)
# Values that broke real APIs: NUL and lone surrogates, numbers beyond every column, deep or odd structures.
NASTY = [
    None, True, False, 0, -1, 2**31, -(2**31) - 1, 2**63, 2**70, 10**400, 1e308, -0.0, 0.1, "", " ", "\x00", "a\x00b",
    "\ud800", "💥" * 40, "9" * 40, "-0.01", "1e999", "2024-02-30", "0001-01-01", "9999-12-31", [], {},
    [[[[["deep"]]]]], {"a": {"b": {"c": "\x00"}}}, {"\x00": 1}, "x" * 5000,
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
    | texts
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
values = st.sampled_from(NASTY) | json_values
barcodes = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:+#-]{0,20}", fullmatch=True)
raw_bodies = st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))


def assert_envelope(response):
    assert response.status_code < 500, (response.status_code, response.content[:500])
    if response.status_code in (204, 304):
        assert response.content == b""
        return
    body = json.loads(response.content)
    assert body["status"] in ("success", "error")
    assert isinstance(body["message"], str)
    if body["status"] == "success":
        assert set(body) == {"status", "message", "data"}
    else:
        assert set(body) == {"status", "message", "code", "errors"}
        assert isinstance(body["errors"], dict)
        # The code and the HTTP status always agree (a 406 is no VALIDATION_ERROR).
        assert ERROR_STATUS[body["code"]] == response.status_code, body


def field_dicts(names: list[str]):
    """One to four of the given fields, with nasty or random values."""
    return st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=4)


def payloads(names: list[str], required=None):
    """Request bodies: `required` (a strategy of dicts that pass the required fields) plus random fields, so the
    random ones reach the deeper layers; or random fields alone; or random keys with random JSON."""
    fields = field_dicts(names)
    some = fields | st.dictionaries(st.sampled_from(names) | st.text(max_size=10), json_values, max_size=8)
    if required is None:
        return some
    return st.builds(lambda base, extra: {**base, **extra}, required, fields) | some


def queries(keys: list[str]):
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), texts, max_size=5)


def query_string(query: dict) -> str:
    """Encoded as a hostile client would: lone surrogates as invalid UTF-8 bytes."""
    return urlencode(query, errors="surrogatepass")
