"""The setup wizard at /setup/: the only way in on a fresh instance, and gone once an admin exists."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from inventory.models import Category, Location
from scandy_site.accounts.models import Department
from scandy_site.accounts.roles import Role
from scandy_site.core.models import SiteConfiguration

GOOD = {
    "system_name": "Werkstatt Nord",
    "username": "chefin",
    "email": "chefin@example.org",
    "password1": "Lange-Leitung-93",
    "password2": "Lange-Leitung-93",
    "department_name": "Metallwerkstatt",
    "department_code": "metall",
    "categories": "Bohren\nSägen, Messen\n\nBohren",
    "locations": "Lager\nRegal 1",
}


@pytest.fixture
def visitor(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("path", ["/", "/inventory/tools/", "/inventory/consumables/C-1/", "/accounts/login/"])
def test_every_page_leads_to_the_wizard_while_no_admin_exists(visitor, path):
    response = visitor.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/setup/"


def test_wizard_page_has_its_four_sections_and_no_login(visitor):
    response = visitor.get("/setup/")
    assert response.status_code == 200
    page = response.content.decode()
    legends = re.findall(r"</span>([^<]+)</legend>", page)
    assert legends == ["System", "Administrator", "Department", "Categories and locations"]
    assert 'name="password1"' in page
    # Nothing to navigate to yet, and no log-out button for nobody.
    assert 'class="mainnav"' not in page
    assert 'data-testid="logout"' not in page


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", "This password is entirely numeric."),
        ("password", "This password is too common."),
        ("kurz-1", "This password is too short. It must contain at least 8 characters."),
        ("chefin2026", "The password is too similar to the username."),
    ],
)
def test_weak_password_is_rejected_with_a_message(visitor, password, message):
    response = visitor.post("/setup/", {**GOOD, "password1": password, "password2": password})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.exists()
    assert not Department.objects.exists()


def test_different_passwords_are_rejected(visitor):
    response = visitor.post("/setup/", {**GOOD, "password2": "Andere-Leitung-93"})
    assert "The two passwords differ." in response.content.decode()
    assert not get_user_model().objects.exists()


def test_success_creates_admin_department_categories_locations_and_logs_in(visitor):
    response = visitor.post("/setup/", GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    admin = get_user_model().objects.get()
    assert (admin.username, admin.email, admin.role, admin.is_staff) == (
        "chefin",
        "chefin@example.org",
        Role.ADMIN,
        True,
    )
    assert admin.check_password("Lange-Leitung-93")
    department = Department.objects.get()
    assert (department.code, department.name) == ("metall", "Metallwerkstatt")
    assert admin.default_department == department
    assert list(admin.departments.all()) == [department]
    assert sorted(Category.objects.filter(department=department).values_list("name", flat=True)) == [
        "Bohren", "Messen", "Sägen",
    ]  # fmt: skip
    assert sorted(Location.objects.filter(department=department).values_list("name", flat=True)) == ["Lager", "Regal 1"]
    assert SiteConfiguration.current().system_name == "Werkstatt Nord"

    dashboard = visitor.get("/")
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user == admin
    page = dashboard.content.decode()
    assert "Welcome! Werkstatt Nord is ready to use." in page
    assert "Werkstatt Nord" in page.split("</header>")[0]


def test_wizard_is_gone_once_set_up(visitor):
    visitor.post("/setup/", GOOD)

    assert visitor.get("/setup/").status_code == 404
    assert visitor.post("/setup/", {**GOOD, "username": "zweiter"}).status_code == 404
    visitor.logout()
    assert visitor.get("/setup/").status_code == 404
    assert get_user_model().objects.count() == 1
    # And the rest of the site is reachable again: the login page instead of the wizard.
    assert visitor.get("/accounts/login/").status_code == 200
