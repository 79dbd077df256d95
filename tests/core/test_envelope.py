"""The JSON envelope and the error codes of CONTRACT section 3, through the HTTP API."""

import json
from unittest import mock

import pytest
from rest_framework.response import Response
from rest_framework.test import APIClient

from scandy_site.core.api.renderers import EnvelopeJSONRenderer
from scandy_site.core.errors import ERROR_STATUS, ApplicationError
from tests.factories import ConsumableFactory, ToolFactory

# CONTRACT section 3: every error code with its HTTP status.
CONTRACT_ERROR_STATUS = {
    "VALIDATION_ERROR": 400,
    "NOT_AUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "UNKNOWN_BARCODE": 404,
    "BARCODE_IN_USE": 409,
    "TOOL_NOT_AVAILABLE": 409,
    "TOOL_NOT_LENT": 409,
    "INSUFFICIENT_STOCK": 409,
    "INVALID_TRANSITION": 409,
    "TOO_MANY_FILES": 409,
    "PRECONDITION_FAILED": 412,
    "FILE_TOO_LARGE": 413,
    "UNSUPPORTED_FILE_TYPE": 415,
    "UPSTREAM_UNAVAILABLE": 502,
}


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "message", "code", "errors"}
    assert body["status"] == "error"
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


def assert_success(response, status=200):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "message", "data"}
    assert body["status"] == "success"
    assert isinstance(body["message"], str) and body["message"]
    return body["data"]


@pytest.fixture
def tool(department):
    return ToolFactory(department=department, barcode="T-1", name="Bohrmaschine")


@pytest.mark.parametrize(("code", "status"), sorted(CONTRACT_ERROR_STATUS.items()))
def test_every_contract_code_has_its_status(code, status):
    assert ERROR_STATUS[code] == status
    assert ApplicationError(code).status == status


def test_unknown_error_code_is_refused():
    with pytest.raises(ValueError):
        ApplicationError("SOMETHING_ELSE")


# --- success -----------------------------------------------------------------------------------


def test_detail_is_wrapped(api, tool):
    data = assert_success(api.get("/api/tools/T-1"))
    assert data["barcode"] == "T-1"
    assert data["name"] == "Bohrmaschine"


def test_list_is_a_page_inside_data(api, department):
    ToolFactory.create_batch(3, department=department)
    data = assert_success(api.get("/api/tools"))
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert data["next"] is None and data["previous"] is None
    assert len(data["results"]) == 3


def test_create_answers_201_with_envelope(api, department):
    data = assert_success(api.post("/api/tools", {"barcode": "T-9", "name": "Säge"}, format="json"), 201)
    assert data["barcode"] == "T-9"


def test_delete_answers_200_with_envelope(api, tool):
    data = assert_success(api.delete("/api/tools/T-1"))
    assert data == {"barcode": "T-1", "deleted": True}


def test_not_modified_has_no_body(api, tool):
    etag = api.get("/api/tools/T-1")["ETag"]
    response = api.get("/api/tools/T-1", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_messages_follow_accept_language(api, department):
    response = api.get("/api/tools/NOPE", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(response, 404, "NOT_FOUND")["message"] == "No tool with barcode NOPE."


# --- VALIDATION_ERROR 400 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{",
        '{"barcode": "T-2", "name": }',
        "{'barcode': 'T-2'}",
        '{"barcode": "T-2", "name": NaN}',
        '{"barcode": "T-2", "name": "x", "purchase_price": 1e999}',
        "[" * 5000 + "]" * 5000,
        '{"name": "\\ud800"}',
        '{"barcode": "T-2", "name": "x", "status": "\\udfff"}',
        "\xff\xfe",
    ],
    ids=[
        "truncated",
        "missing-value",
        "single-quotes",
        "nan",
        "infinity",
        "deep-nesting",
        "surrogate",
        "surrogate-echoed-by-a-choice",
        "not-utf8",
    ],
)
def test_malformed_json_is_a_validation_error(api, department, body):
    response = api.generic("POST", "/api/tools", body.encode("utf-8", "surrogatepass"), "application/json")
    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Säge"}, "barcode"),
        ({"barcode": "T-2"}, "name"),
        ({"barcode": "T-2", "name": ["a", "b"]}, "name"),
        ({"barcode": "T-2", "name": {"x": 1}}, "name"),
        ({"barcode": "T-2", "name": "Säge", "status": "broken"}, "status"),
        ({"barcode": "T-2", "name": "Säge", "purchase_date": "2024-02-30"}, "purchase_date"),
        ({"barcode": "T-2", "name": "Säge", "purchase_date": "yesterday"}, "purchase_date"),
        ({"barcode": "T-2", "name": "Säge", "maintenance_due": 20240101}, "maintenance_due"),
        ({"barcode": "T-2", "name": "Säge", "purchase_price": "-1.00"}, "purchase_price"),
        ({"barcode": "T-2", "name": "Säge", "purchase_price": "abc"}, "purchase_price"),
        ({"barcode": "T-2", "name": "Säge", "purchase_price": "1" * 20}, "purchase_price"),
        ({"barcode": "T 2", "name": "Säge"}, "barcode"),
        ({"barcode": "T/2", "name": "Säge"}, "barcode"),
        ({"barcode": "Ä-2", "name": "Säge"}, "barcode"),
        ({"barcode": "-T2", "name": "Säge"}, "barcode"),
        ({"barcode": "T" * 65, "name": "Säge"}, "barcode"),
        ({"barcode": "T-2\x00", "name": "Säge"}, "barcode"),
        ({"barcode": "T-2", "name": "Säge", "category": "Nowhere"}, "category"),
        ({"barcode": "T-2", "name": "Säge", "category": "x\x00"}, "category"),
        ({"barcode": "T-2", "name": "Säge", "location": 17}, "location"),
        ({"barcode": "T-2", "name": "Säge", "custom_fields": [1, 2]}, "custom_fields"),
        ({"barcode": "T-2", "name": "Säge", "custom_fields": {"a": "\x00"}}, "custom_fields"),
        ({"barcode": "T-2", "name": "Säge", "status": "lent"}, "status"),
    ],
)
def test_bad_tool_fields_are_validation_errors(api, department, payload, field):
    body = assert_error(api.post("/api/tools", payload, format="json"), 400, "VALIDATION_ERROR")
    assert field in body["errors"]
    assert api.get("/api/tools").json()["data"]["count"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"barcode": "C-2", "name": "Kleber", "cost_per_unit": "-0.01"}, "cost_per_unit"),
        ({"barcode": "C-2", "name": "Kleber", "current_stock": -1}, "current_stock"),
        ({"barcode": "C-2", "name": "Kleber", "current_stock": 2**31}, "current_stock"),
        ({"barcode": "C-2", "name": "Kleber", "min_stock": 10**20}, "min_stock"),
        ({"barcode": "C-2", "name": "Kleber", "min_stock": "viele"}, "min_stock"),
        ({"barcode": "C-2", "name": "Kleber", "min_stock": 10, "max_stock": 5}, "non_field_errors"),
        ({"barcode": "C-2", "name": "Kleber", "unit": ""}, "unit"),
        ({"barcode": "C-2", "name": "Kleber", "last_ordered_at": "31.12.2024"}, "last_ordered_at"),
    ],
)
def test_bad_consumable_fields_are_validation_errors(api, department, payload, field):
    body = assert_error(api.post("/api/consumables", payload, format="json"), 400, "VALIDATION_ERROR")
    assert field in body["errors"]


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null"])
def test_body_that_is_not_an_object(api, tool, body):
    assert_error(api.generic("POST", "/api/tools", body, "application/json"), 400, "VALIDATION_ERROR")
    assert_error(api.generic("PATCH", "/api/tools/T-1", body, "application/json"), 400, "VALIDATION_ERROR")


def test_form_encoded_body_is_validated_too(api, department):
    response = api.post("/api/tools", {"barcode": "T-3", "name": "Säge", "purchase_price": "-5"})
    assert_error(response, 400, "VALIDATION_ERROR")
    response = api.post("/api/tools", {"barcode": "T-3", "name": "Säge", "custom_fields": "NaN"})
    assert_error(response, 400, "VALIDATION_ERROR")


def test_too_many_form_fields_is_a_validation_error(api, department, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    body = "&".join(f"f{i}=x" for i in range(20))
    response = api.generic("POST", "/api/tools", body, "application/x-www-form-urlencoded")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_invalid_filter_value_is_a_validation_error(api, department):
    body = assert_error(api.get("/api/tools?status=broken"), 400, "VALIDATION_ERROR")
    assert "status" in body["errors"]
    assert_error(api.get("/api/tools?purchase_date_after=someday"), 400, "VALIDATION_ERROR")
    assert_error(api.get("/api/tools?search=a%00b"), 400, "VALIDATION_ERROR")


# --- NOT_AUTHENTICATED 401 ---------------------------------------------------------------------


def test_no_token_is_not_authenticated(department, admin_user):
    response = APIClient().get("/api/tools")
    assert_error(response, 401, "NOT_AUTHENTICATED")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token nonsense", "Token ", "Token a b", "Bearer abc", "Token \u00e4\u00f6\u00fc"])
def test_bad_token_is_not_authenticated(department, admin_user, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/tools")
    assert_error(response, 401, "NOT_AUTHENTICATED")


def test_token_of_inactive_user_is_not_authenticated(api_for, make_user, admin_user):
    user = make_user(username="gone")
    client = api_for(user)
    user.is_active = False
    user.save()
    assert_error(client.get("/api/tools"), 401, "NOT_AUTHENTICATED")


# --- PERMISSION_DENIED 403 ---------------------------------------------------------------------


def test_participant_is_denied(api_for, participant, admin_user):
    assert_error(api_for(participant).get("/api/tools"), 403, "PERMISSION_DENIED")


def test_department_not_allowed_is_denied(api_for, plain_user, other_department, admin_user):
    assert_error(api_for(plain_user, other_department).get("/api/tools"), 403, "PERMISSION_DENIED")
    assert_error(api_for(plain_user).get("/api/tools?department=nowhere"), 403, "PERMISSION_DENIED")


def test_all_departments_is_admin_only(api_for, employee, admin_user):
    assert_error(api_for(employee).get("/api/tools?department=all"), 403, "PERMISSION_DENIED")
    assert_success(api_for(admin_user).get("/api/tools?department=all"))


def test_session_post_without_csrf_token_is_denied(department, admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/tools", {"barcode": "T-5", "name": "Säge"}, format="json")
    assert_error(response, 403, "PERMISSION_DENIED")


# --- NOT_FOUND 404 -----------------------------------------------------------------------------


def test_unknown_barcode_is_not_found(api, department):
    assert_error(api.get("/api/tools/NOPE"), 404, "NOT_FOUND")
    assert_error(api.get("/api/consumables/NOPE"), 404, "NOT_FOUND")
    assert_error(api.patch("/api/tools/NOPE", {"name": "x"}, format="json"), 404, "NOT_FOUND")
    assert_error(api.delete("/api/consumables/NOPE"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "url", ["/api/tools/T%00", "/api/workers/%00", "/api/tools?search=%00", "/api/lending/history?tool=%00"]
)
def test_url_with_nul_is_a_bad_request(api, department, url):
    # Refused once for every endpoint (RejectNulMiddleware), before a view hands it to the database.
    assert_error(api.get(url), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("path", ["/api/nothing", "/api/tools/", "/api/tools/T-1/nothing", "/api/v2/tools", "/api/"])
def test_unknown_api_path_is_not_found(api, department, path):
    assert_error(api.get(path), 404, "NOT_FOUND")


def test_unknown_api_path_answers_json_to_a_browser_post(department, admin_user):
    # A real browser session enforces CSRF; the catch-all must still answer with the envelope.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert_error(client.post("/api/nothing", {"a": 1}, format="json"), 404, "NOT_FOUND")


def test_page_out_of_range_is_not_found(api, department):
    ToolFactory.create_batch(3, department=department)
    assert_error(api.get("/api/tools?page=2&page_size=3"), 404, "NOT_FOUND")
    assert_error(api.get("/api/tools?page=0"), 404, "NOT_FOUND")
    assert_error(api.get("/api/tools?page=abc"), 404, "NOT_FOUND")


# --- other statuses ----------------------------------------------------------------------------


def test_method_not_allowed(api, tool, department):
    ConsumableFactory(department=department, barcode="C-1")
    assert_error(api.delete("/api/tools"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.put("/api/tools", {}, format="json"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.post("/api/tools/T-1", {}, format="json"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.post("/api/consumables/C-1/forecast", {}, format="json"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.get("/api/consumables/C-1/adjust-stock"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.get("/api/auth/token"), 405, "METHOD_NOT_ALLOWED")


def test_unsupported_media_type(api, department):
    response = api.generic("POST", "/api/tools", "barcode=T-1", "text/plain")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_not_acceptable(api, tool):
    assert_error(api.get("/api/tools/T-1", HTTP_ACCEPT="application/xml"), 406, "NOT_ACCEPTABLE")


def test_renderer_escapes_text_that_is_no_valid_unicode():
    body = {"status": "error", "message": "bad \ud800", "code": "VALIDATION_ERROR", "errors": {}}
    rendered = EnvelopeJSONRenderer().render(body, renderer_context={"response": Response(status=400)})
    assert json.loads(rendered) == body


def test_unexpected_failure_is_a_500_envelope_without_details(api, department):
    with mock.patch("inventory.selectors.tool_list", side_effect=RuntimeError("secret detail")):
        response = api.get("/api/tools")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "secret" not in response.content.decode()
    assert body["errors"] == {}


def test_before_setup_the_api_answers_503_with_the_envelope(api_for, plain_user):
    # No admin exists yet: the setup wizard comes first, the API says so in JSON.
    assert_error(api_for(plain_user).get("/api/tools"), 503, "SETUP_REQUIRED")


def test_head_and_options_are_reads(api, tool):
    assert api.head("/api/tools/T-1").status_code == 200
    assert_success(api.options("/api/tools"))
