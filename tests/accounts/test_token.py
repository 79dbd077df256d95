"""`POST /api/auth/token` and `GET /api/auth/me`."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scandy_site.accounts.roles import Role


def error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["status"], body["code"]) == ("error", code)
    return body


@pytest.fixture
def anonymous(admin_user):
    # The admin exists so the instance counts as set up.
    return APIClient()


def test_token_for_valid_credentials(anonymous, plain_user, password):
    response = anonymous.post("/api/auth/token", {"username": plain_user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "success"
    data = body["data"]
    assert data == {"token": Token.objects.get(user=plain_user).key, "username": plain_user.username, "role": "user"}


def test_the_token_authenticates_and_stays_the_same(anonymous, employee, password):
    credentials = {"username": employee.username, "password": password}
    first = anonymous.post("/api/auth/token", credentials, format="json").json()["data"]["token"]
    second = anonymous.post("/api/auth/token", credentials, format="json").json()["data"]["token"]
    assert first == second
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/auth/me").json()["data"]["username"] == employee.username


def test_form_encoded_credentials_work_too(anonymous, plain_user, password):
    response = anonymous.post("/api/auth/token", {"username": plain_user.username, "password": password})
    assert response.status_code == 200


def test_wrong_password_is_not_authenticated(anonymous, plain_user):
    response = anonymous.post("/api/auth/token", {"username": plain_user.username, "password": "wrong"}, format="json")
    error(response, 401, "NOT_AUTHENTICATED")
    assert response["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(user=plain_user).exists()


def test_unknown_user_gets_the_same_answer(anonymous, plain_user):
    known = anonymous.post("/api/auth/token", {"username": plain_user.username, "password": "x"}, format="json")
    unknown = anonymous.post("/api/auth/token", {"username": "nobody", "password": "x"}, format="json")
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()


def test_inactive_user_is_not_authenticated(anonymous, make_user, password):
    user = make_user(username="left", is_active=False)
    error(
        anonymous.post("/api/auth/token", {"username": user.username, "password": password}, format="json"),
        401,
        "NOT_AUTHENTICATED",
    )


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"username", "password"}),
        ({"username": "admin"}, {"password"}),
        ({"password": "x"}, {"username"}),
        ({"username": "", "password": ""}, {"username", "password"}),
        ({"username": ["admin"], "password": {"x": 1}}, {"username", "password"}),
        ({"username": "a\x00b", "password": "x"}, {"username"}),
    ],
)
def test_missing_or_malformed_fields(anonymous, payload, fields):
    body = error(anonymous.post("/api/auth/token", payload, format="json"), 400, "VALIDATION_ERROR")
    assert fields <= set(body["errors"])


def test_malformed_json(anonymous):
    error(anonymous.generic("POST", "/api/auth/token", "{nope", "application/json"), 400, "VALIDATION_ERROR")


def test_a_token_header_is_ignored_on_login(anonymous, plain_user, password):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anonymous.post("/api/auth/token", {"username": plain_user.username, "password": password}, format="json")
    assert response.status_code == 200


def test_an_unknown_token_is_not_authenticated(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anonymous.get("/api/auth/me")
    error(response, 401, "NOT_AUTHENTICATED")
    assert response["WWW-Authenticate"] == "Token"


def test_a_deleted_token_stops_working_at_once(api_for, admin_user, employee):
    client = api_for(employee)
    assert client.get("/api/auth/me").status_code == 200
    Token.objects.filter(user=employee).delete()
    error(client.get("/api/auth/me"), 401, "NOT_AUTHENTICATED")


def test_the_token_of_a_deactivated_user_stops_working(api_for, admin_user, employee):
    client = api_for(employee)
    assert client.get("/api/auth/me").status_code == 200
    employee.is_active = False
    employee.save(update_fields=["is_active"])
    error(client.get("/api/auth/me"), 401, "NOT_AUTHENTICATED")


def test_login_is_throttled(anonymous, plain_user, password, settings):
    attempts = [
        anonymous.post("/api/auth/token", {"username": plain_user.username, "password": f"guess{i}"}, format="json")
        for i in range(25)
    ]
    statuses = [response.status_code for response in attempts]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    body = error(attempts[-1], 429, "RATE_LIMITED")
    assert int(attempts[-1]["Retry-After"]) > 0
    assert body["errors"] == {}
    # Even the right password waits now.
    error(
        anonymous.post("/api/auth/token", {"username": plain_user.username, "password": password}, format="json"),
        429,
        "RATE_LIMITED",
    )


# --- /api/auth/me ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE, Role.USER, Role.PARTICIPANT])
def test_me(api_for, make_user, admin_user, department, other_department, role):
    user = make_user(role, username=f"me-{role}", allowed=[department, other_department])
    response = api_for(user).get("/api/auth/me")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["username"] == user.username
    assert data["role"] == role
    assert data["department"] == department.code
    assert sorted(data["departments"]) == sorted([department.code, other_department.code])


def test_me_follows_the_department_header(api_for, make_user, admin_user, department, other_department):
    user = make_user(allowed=[department, other_department])
    assert api_for(user, other_department).get("/api/auth/me").json()["data"]["department"] == other_department.code


def test_me_for_admin_across_all_departments(api_for, admin_user, department, other_department):
    data = api_for(admin_user).get("/api/auth/me?department=all").json()["data"]
    assert data["department"] is None
    assert {department.code, other_department.code} <= set(data["departments"])


def test_superuser_counts_as_admin(api_for, make_user, admin_user):
    boss = make_user(Role.USER, username="boss", is_superuser=True)
    assert api_for(boss).get("/api/auth/me").json()["data"]["role"] == "admin"


def test_me_needs_a_login(anonymous):
    error(anonymous.get("/api/auth/me"), 401, "NOT_AUTHENTICATED")
