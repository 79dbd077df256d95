import os

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scandy_site.accounts.roles import Role
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

ROLES = [Role.ADMIN, Role.EMPLOYEE, Role.USER, Role.PARTICIPANT]


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Caches outlive the per-test transaction rollback; start every test clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def department(db):
    return DepartmentFactory(code="werkstatt", name="Werkstatt")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="buero", name="Büro")


@pytest.fixture
def make_user(department):
    def make(role=Role.USER, **kwargs):
        kwargs.setdefault("default_department", department)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="admin")


@pytest.fixture
def employee(make_user):
    return make_user(Role.EMPLOYEE, username="employee")


@pytest.fixture
def plain_user(make_user):
    return make_user(Role.USER, username="anwender")


@pytest.fixture
def participant(make_user):
    return make_user(Role.PARTICIPANT, username="teilnehmer")


@pytest.fixture
def api_for():
    """An APIClient authenticated with the user's token (as a scanner station would be)."""

    def make(user, department=None):
        client = APIClient(SERVER_NAME="localhost")
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        if department is not None:
            client.defaults["HTTP_X_SCANDY_DEPARTMENT"] = department.code
        return client

    return make


@pytest.fixture
def api(api_for, admin_user):
    return api_for(admin_user)


@pytest.fixture
def page_client_for(client):
    """A Django test client logged in through the login page's session."""

    def make(user):
        client.force_login(user)
        return client

    return make


@pytest.fixture
def english_client_for(settings):
    """`english_client_for(user)`: a test client of its own (so several users can act in one test), logged in,
    reading the pages in English (tests assert texts)."""

    def make(user):
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD
