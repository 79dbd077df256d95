"""The CETEC proxy through HTTP against a real local fake CETEC (CONTRACT 5.3): the upstream call, the
billing filter, the columns, the secrets (preshared token, techx_password) and every way CETEC can fail.
The MySQL enrichment against the real MariaDB is in test_cetec_mysql.py."""

import logging
import socket

import pytest

from integrations.cetec.client import DEFAULT_COLUMNS, cetec_settings, is_set, parse_columns, plan_columns
from tests.fakes.cetec import cetec_customer

pytestmark = pytest.mark.django_db

URL = "/api/cetec/customer"
CONTRACT_COLUMNS = (
    "id,name,domain,ok_to_bill,priority_support,resident_hosting,test_environment,itar_hosting_bc,"
    "num_prod_users,num_full_users,techx_password"
)
ENRICHMENT = ("database_exists", "lastPulled")


@pytest.fixture
def api(api_for, admin_user):
    """The admin's API client, asking for English answers (the tests read the error messages)."""
    client = api_for(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _logs(caplog):
    # Everything, down to urllib3's request lines, so the secret checks see every record.
    caplog.set_level(logging.DEBUG)


def data(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "success"
    return body["data"]


def upstream_error(response) -> str:
    assert response.status_code == 502, response.content
    body = response.json()
    assert body["status"] == "error"
    assert body["code"] == "UPSTREAM_UNAVAILABLE"
    return body["message"]


def assert_no_secrets(fake, response, caplog, *extra):
    secrets = [fake.token, *extra, *(c["techx_password"] for c in fake.customers if "techx_password" in c)]
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for secret in secrets:
        assert secret not in response.content.decode(), secret
        assert secret not in logged, secret
    assert "techx_password" not in response.content.decode()


# --- the upstream call -----------------------------------------------------------------------------------------


def test_default_request_is_the_contract_call_and_the_answer_has_the_contract_shape(api, fake_cetec, caplog):
    fake_cetec.customers = [cetec_customer(1), cetec_customer(2)]
    body = data(api.get(URL))
    [request] = fake_cetec.customer_requests
    assert request.path == "/api/customer"
    assert request.query == {"preshared_token": fake_cetec.token, "columns": CONTRACT_COLUMNS}
    assert ",".join(DEFAULT_COLUMNS) == CONTRACT_COLUMNS

    assert set(body) == {"customers", "metadata"}
    metadata = body["metadata"]
    assert set(metadata) == {"total_customers", "mysql_status", "mysql_enabled", "timestamp", "summary"}
    assert set(metadata["summary"]) == {"total_customers", "existing_databases", "resident_hosting",
                                        "itar_hosting", "invalid_domains", "no_database"}  # fmt: skip
    assert metadata["total_customers"] == metadata["summary"]["total_customers"] == 2
    assert metadata["timestamp"].endswith("Z")
    first = body["customers"][0]
    expected = [c for c in CONTRACT_COLUMNS.split(",") if c != "techx_password"]
    assert list(first) == [*expected, *ENRICHMENT]
    assert first["name"] == "Customer 1 Inc." and first["num_prod_users"] == 11
    assert_no_secrets(fake_cetec, api.get(URL), caplog)


def test_filters_are_passed_through_and_the_callers_token_never(api, fake_cetec):
    fake_cetec.customers = [cetec_customer(7, name="Acme Tools", external_key="K-7"), cetec_customer(8)]
    body = data(api.get(URL, {"id": 7, "name": "acme", "external_key": "K-7", "preshared_token": "forged"}))
    assert [c["id"] for c in body["customers"]] == [7]
    query = fake_cetec.customer_requests[-1].query
    assert query["id"] == "7" and query["name"] == "acme" and query["external_key"] == "K-7"
    assert query["preshared_token"] == fake_cetec.token
    # Empty filters are not sent at all.
    data(api.get(URL, {"name": "", "external_key": ""}))
    assert set(fake_cetec.customer_requests[-1].query) == {"preshared_token", "columns"}


@pytest.mark.parametrize(
    ("ok_to_bill", "returned"),
    [(1, True), ("1", True), (True, True), ("true", True), (" 1 ", True),
     (0, False), ("0", False), (False, False), (None, False), ("", False), ("false", False), (2, False),
     ("no", False)],
)  # fmt: skip
def test_only_customers_ok_to_bill_are_returned(api, fake_cetec, ok_to_bill, returned):
    fake_cetec.customers = [cetec_customer(1, ok_to_bill=ok_to_bill), cetec_customer(2)]
    body = data(api.get(URL))
    assert [c["id"] for c in body["customers"]] == ([1, 2] if returned else [2])
    assert body["metadata"]["total_customers"] == len(body["customers"])


def test_a_customer_without_ok_to_bill_is_left_out(api, fake_cetec):
    without = cetec_customer(1)
    del without["ok_to_bill"]
    fake_cetec.customers = [without, cetec_customer(2), "not a record", None]
    assert [c["id"] for c in data(api.get(URL))["customers"]] == [2]


def test_requested_columns_plus_what_the_proxy_needs_and_never_the_password(api, fake_cetec, caplog):
    fake_cetec.customers = [cetec_customer(1), cetec_customer(2, ok_to_bill=0)]
    body = data(api.get(URL, {"columns": "name, techx_password,num_full_users,TECHX_PASSWORD,name"}))
    sent = fake_cetec.customer_requests[-1].query["columns"].split(",")
    assert sent == ["name", "num_full_users", "id", "ok_to_bill", "domain", "resident_hosting", "itar_hosting_bc"]
    # The id, what was asked for, and the enrichment; ok_to_bill was needed for filtering, not asked for.
    assert [list(c) for c in body["customers"]] == [["id", "name", "num_full_users", *ENRICHMENT]]
    assert_no_secrets(fake_cetec, api.get(URL, {"columns": "techx_password"}), caplog)
    assert [list(c) for c in data(api.get(URL, {"columns": "techx_password"}))["customers"]] == [["id", *ENRICHMENT]]


def test_a_cetec_that_ignores_columns_still_never_passes_the_password_on(api, fake_cetec, caplog):
    fake_cetec.ignore_columns = True
    fake_cetec.customers = [cetec_customer(1, Techx_Password="Other-Case-Secret")]
    response = api.get(URL)
    customer = data(response)["customers"][0]
    assert "billing_email" not in customer and "external_key" not in customer  # not asked for
    assert_no_secrets(fake_cetec, response, caplog, "Other-Case-Secret")
    response = api.get(URL, {"columns": "name,Techx_Password"})
    assert list(data(response)["customers"][0]) == ["id", "name", *ENRICHMENT]
    assert_no_secrets(fake_cetec, response, caplog, "Other-Case-Secret")


@pytest.mark.parametrize(
    ("query", "field"),
    [({"id": "abc"}, "id"), ({"id": "0"}, "id"), ({"id": "%00"}, "id"), ({"columns": "name;drop"}, "columns"),
     ({"columns": "a b"}, "columns"), ({"name": "n" * 201}, "name"), ({"external_key": "k" * 201}, "external_key"),
     ({"columns": ",".join(f"c{n}" for n in range(101))}, "columns")],
)  # fmt: skip
def test_invalid_queries_answer_400_without_calling_cetec(api, fake_cetec, query, field):
    response = api.get(URL, query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR" and field in body["errors"]
    assert fake_cetec.customer_requests == []


def test_a_nul_in_the_raw_query_string_is_a_bad_request(api, fake_cetec):
    response = api.get(URL + "?columns=%00&name=%00")
    assert response.status_code == 400
    assert response.json()["status"] == "error"


# --- CETEC failing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 404])
def test_an_http_error_of_cetec_is_502(api, fake_cetec, caplog, status):
    fake_cetec.fail("/api/customer", status=status)
    response = api.get(URL)
    assert f"HTTP {status}" in upstream_error(response)
    assert_no_secrets(fake_cetec, response, caplog)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_is_502_naming_the_setting(api, fake_cetec, settings, caplog, status):
    fake_cetec.reject_status = status
    settings.CETEC_PRESHARED_TOKEN = "wrong-Token-123456"
    response = api.get(URL)
    message = upstream_error(response)
    assert f"HTTP {status}" in message and "CETEC_PRESHARED_TOKEN" in message
    assert fake_cetec.customer_requests[-1].query["preshared_token"] == "wrong-Token-123456"
    assert_no_secrets(fake_cetec, response, caplog, "wrong-Token-123456")


def test_a_timeout_is_502(api, fake_cetec, settings, caplog):
    settings.SYNC_HTTP_TIMEOUT = 0.3
    fake_cetec.slow("/api/customer", seconds=3)
    response = api.get(URL)
    assert "did not answer within 0.3 s" in upstream_error(response)
    assert_no_secrets(fake_cetec, response, caplog)


def test_cut_off_json_is_502(api, fake_cetec, caplog):
    fake_cetec.customers = [cetec_customer(n) for n in range(1, 20)]
    fake_cetec.truncate("/api/customer")
    response = api.get(URL)
    assert "not valid JSON" in upstream_error(response)
    assert_no_secrets(fake_cetec, response, caplog)


@pytest.mark.parametrize("body", [{"error": "database down"}, "customers", 42])
def test_an_answer_that_is_no_list_is_502(api, fake_cetec, body):
    fake_cetec.body = body
    assert "not a list of customers" in upstream_error(api.get(URL))


def test_null_is_an_empty_list(api, fake_cetec):
    fake_cetec.body = None
    fake_cetec.customers = []
    assert data(api.get(URL))["customers"] == []


def test_an_unreachable_cetec_is_502_and_the_url_in_the_error_is_redacted(api, settings, caplog):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CETEC_URL = f"http://svc:Basic-Pass-99@127.0.0.1:{port}"
    settings.CETEC_PRESHARED_TOKEN = "unreachable-Token-42"
    settings.SYNC_HTTP_TIMEOUT = 2.0
    response = api.get(URL)
    message = upstream_error(response)
    assert f"CETEC cannot be reached at http://127.0.0.1:{port}" in message
    for secret in ("unreachable-Token-42", "Basic-Pass-99", "preshared_token"):
        assert secret not in response.content.decode()
        assert secret not in caplog.text


@pytest.mark.parametrize(
    ("url", "token", "missing"),
    [("", "", "CETEC is not configured"), ("http://127.0.0.1:9", "", "CETEC_PRESHARED_TOKEN"),
     ("", "some-Token-1", "CETEC is not configured")],
)  # fmt: skip
def test_not_configured_is_502_with_what_is_missing(api, settings, url, token, missing):
    settings.CETEC_URL, settings.CETEC_PRESHARED_TOKEN = url, token
    assert missing in upstream_error(api.get(URL))


# --- who may ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [URL, "/api/cetec/mysql-status"])
def test_roles(api_for, admin_user, employee, plain_user, participant, fake_cetec, path):
    fake_cetec.customers = [cetec_customer(1)]
    for user in (admin_user, employee):
        assert api_for(user).get(path).status_code == 200
    for user in (plain_user, participant):
        response = api_for(user).get(path)
        assert response.status_code == 403 and response.json()["code"] == "PERMISSION_DENIED"
    response = api_for(None).get(path)
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"
    # Refused before CETEC was asked.
    assert len(fake_cetec.customer_requests) == (2 if path == URL else 0)


def test_the_schema_documents_both_endpoints(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/?format=json").json()
    customer = schema["paths"]["/api/cetec/customer"]["get"]
    assert {p["name"] for p in customer["parameters"]} >= {"id", "name", "external_key", "columns"}
    assert "get" in schema["paths"]["/api/cetec/mysql-status"]


# --- the pieces -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), (1.0, True), ("1", True), ("TRUE", True), ("yes", True), (True, True), (0, False), (2, False),
     ("0", False), ("", False), (None, False), ([], False), ({"x": 1}, False), ("y", False)],
)  # fmt: skip
def test_is_set(value, expected):
    assert is_set(value) is expected


def test_parse_and_plan_columns():
    assert parse_columns(" id , name,,name ") == ["id", "name"]
    assert plan_columns(None) == (list(DEFAULT_COLUMNS), [c for c in DEFAULT_COLUMNS if c != "techx_password"])
    assert plan_columns(["domain", "id"]) == (
        ["domain", "id", "ok_to_bill", "resident_hosting", "itar_hosting_bc"],
        ["id", "domain"],
    )
    with pytest.raises(ValueError, match="not a column name"):
        parse_columns("name,1abc")


def test_a_url_without_scheme_is_https(settings):
    settings.CETEC_URL, settings.CETEC_PRESHARED_TOKEN = "acme.cetecerp.com", "t0ken-123"
    assert cetec_settings() == ("https://acme.cetecerp.com", "t0ken-123")
    settings.CETEC_URL = "http://127.0.0.1:8080"
    assert cetec_settings()[0] == "http://127.0.0.1:8080"
