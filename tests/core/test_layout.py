"""The base layout: navigation by role and feature flag, department and language switchers, no
asset from the internet, the `can` template filter, and the dashboard around it."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from inventory import services
from scandy_site import urls
from scandy_site.accounts.roles import Role
from tests.factories import ConsumableFactory, ToolFactory


@pytest.fixture(autouse=True)
def _set_up(admin_user):
    """An admin exists, so the instance is past the setup wizard."""


@pytest.fixture
def pages(page_client_for):
    def make(user):
        client = page_client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def nav_entries(page: str) -> list[str]:
    nav = page.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


# --- Navigation --------------------------------------------------------------------------------


MODULES = [
    ("ENABLE_TICKET_SYSTEM", "/tickets/"),
    ("ENABLE_JOB_BOARD", "/jobs/"),
    ("ENABLE_WEEKLY_REPORTS", "/timesheets/"),
]


@pytest.mark.parametrize(("flag", "path"), MODULES)
def test_disabled_modules_have_no_menu_entry(pages, plain_user, settings, flag, path):
    settings.ROOT_URLCONF = "tests.core.module_urls"  # the module's pages exist
    setattr(settings, flag, True)
    assert path in nav_entries(html(pages(plain_user).get("/")))

    setattr(settings, flag, False)
    assert path not in nav_entries(html(pages(plain_user).get("/")))


@pytest.mark.parametrize(("flag", "path"), MODULES)
def test_a_module_without_pages_has_no_menu_entry(pages, make_user, settings, flag, path):
    # Enabled, but its pages are not installed: no link that would answer 404.
    settings.ROOT_URLCONF = "tests.core.urls_without_modules"
    setattr(settings, flag, True)
    for role in (Role.ADMIN, Role.PARTICIPANT):
        page = html(pages(make_user(role, username=f"nav-{role}")).get("/"))
        assert path not in nav_entries(page)
        assert f'href="{path}"' not in page


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EMPLOYEE, Role.USER, Role.PARTICIPANT])
def test_no_menu_entry_leads_to_a_missing_page(pages, make_user, settings, role):
    for flag, _path in MODULES:
        setattr(settings, flag, True)
    client = pages(make_user(role, username=f"dead-{role}"))
    entries = nav_entries(html(client.get("/")))
    assert entries
    for href in entries:
        assert client.get(href).status_code in (200, 302), href


def test_menu_follows_the_role(pages, make_user):
    admin_nav = nav_entries(html(pages(make_user(Role.ADMIN, username="a2")).get("/")))
    assert {"/inventory/tools/", "/inventory/consumables/", "/admin/"} <= set(admin_nav)

    employee_nav = nav_entries(html(pages(make_user(Role.EMPLOYEE)).get("/")))
    assert "/admin/" in employee_nav

    user_nav = nav_entries(html(pages(make_user(Role.USER)).get("/")))
    assert "/inventory/tools/" in user_nav
    assert "/admin/" not in user_nav

    participant_nav = nav_entries(html(pages(make_user(Role.PARTICIPANT)).get("/")))
    assert "/inventory/tools/" not in participant_nav
    assert "/inventory/consumables/" not in participant_nav
    assert "/admin/" not in participant_nav


def test_current_section_is_marked(pages, plain_user):
    page = html(pages(plain_user).get(reverse("inventory:consumables")))
    assert '<a href="/inventory/consumables/" aria-current="page">' in page
    assert '<a href="/inventory/tools/" aria-current="page">' not in page


def test_logout_is_a_post_form(pages, plain_user):
    client = pages(plain_user)
    page = html(client.get("/"))
    assert re.search(r'<form method="post" action="/accounts/logout/">', page)
    client.post(reverse("accounts:logout"))
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


# --- Department and language switchers ---------------------------------------------------------


def switcher_options(page: str) -> list[tuple[str, bool]]:
    select = page.split('id="department-switch"', 1)[1].split("</select>", 1)[0]
    return [(value, bool(selected)) for value, selected in re.findall(r'<option value="([^"]*)"( selected)?', select)]


def test_switcher_lists_the_allowed_departments(pages, make_user, department, other_department):
    both = make_user(Role.EMPLOYEE, allowed=[department, other_department])
    options = switcher_options(html(pages(both).get("/")))
    assert sorted(options) == sorted([(department.code, True), (other_department.code, False)])

    single = make_user(Role.USER)
    assert switcher_options(html(pages(single).get("/"))) == [(department.code, True)]


def test_only_admins_get_all_departments(pages, admin_user, employee, department, other_department):
    assert ("all", False) in switcher_options(html(pages(admin_user).get("/")))
    assert "all" not in [value for value, _selected in switcher_options(html(pages(employee).get("/")))]


def test_switching_department_changes_what_the_pages_show(pages, make_user, department, other_department):
    ToolFactory(department=department, barcode="T-W")
    ToolFactory(department=other_department, barcode="T-B")
    client = pages(make_user(Role.USER, allowed=[department, other_department]))
    page = html(client.get(reverse("inventory:tools")))
    assert 'name="next" value="/inventory/tools/"' in page
    assert "T-W" in page and "T-B" not in page

    response = client.post(
        reverse("accounts:switch-department"), {"department": other_department.code, "next": "/inventory/tools/"}
    )

    assert response["Location"] == "/inventory/tools/"
    page = html(client.get(reverse("inventory:tools")))
    assert "T-B" in page and "T-W" not in page
    assert (other_department.code, True) in switcher_options(page)


def test_switching_to_a_foreign_department_is_refused_with_a_message(pages, plain_user, other_department):
    client = pages(plain_user)
    response = client.post(
        reverse("accounts:switch-department"), {"department": other_department.code, "next": "/"}, follow=True
    )
    page = html(response)
    assert f"Department &#x27;{other_department.code}&#x27; is not allowed for you." in page
    assert (other_department.code, True) not in switcher_options(page)


def test_language_switcher_sets_the_language(client, plain_user):
    client.force_login(plain_user)
    page = html(client.get("/"))
    assert '<html lang="de">' in page
    assert re.search(r'<form class="switcher" method="post" action="/i18n/setlang/"', page)
    assert '<option value="en" lang="en"' in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/inventory/tools/"})

    assert response["Location"] == "/inventory/tools/"
    assert '<html lang="en">' in html(client.get("/"))


def test_switchers_work_without_javascript(pages, make_user, department, other_department):
    page = html(pages(make_user(Role.USER, allowed=[department, other_department])).get("/"))
    for action in (reverse("accounts:switch-department"), "/i18n/setlang/"):
        form = re.search(rf'<form [^>]*action="{action}"[^>]*>.*?</form>', page, re.S).group(0)
        assert "data-autosubmit" in form  # scandy.js submits on change
        # Without a script, a plain submit button does the job.
        assert re.search(r'<noscript><button type="submit"[^>]*>[^<]+</button></noscript>', form)


def test_pages_have_no_inline_script(pages, plain_user, department):
    ToolFactory(department=department, barcode="T-1")
    client = pages(plain_user)
    for path in ("/", "/inventory/tools/", "/inventory/tools/T-1/"):
        page = html(client.get(path))
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
        assert scripts
        for attributes, body in scripts:
            assert 'src="/static/' in attributes and not body.strip(), attributes
        assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"


# --- Assets ------------------------------------------------------------------------------------

EXTERNAL = re.compile(
    r"""(?:src|href|action|srcset|poster)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", re.I
)
STATIC_REF = re.compile(r"""["'](/static/[^"'?#]+)""")


def assert_self_contained(page: str) -> None:
    assert not EXTERNAL.findall(page), EXTERNAL.findall(page)
    for reference in STATIC_REF.findall(page):
        assert finders.find(reference.removeprefix(settings.STATIC_URL)), f"missing static file {reference}"


def test_no_page_loads_anything_from_the_internet(pages, client, admin_user, department):
    ToolFactory(department=department, barcode="T-1")
    ConsumableFactory(department=department, barcode="C-1")
    paths = [
        "/", "/inventory/tools/", "/inventory/tools/T-1/", "/inventory/tools/new/", "/inventory/tools/T-1/edit/",
        "/inventory/tools/T-1/delete/", "/inventory/consumables/", "/inventory/consumables/C-1/",
        "/inventory/consumables/C-1/adjust/", "/inventory/consumables/new/",
    ]  # fmt: skip
    signed_in = pages(admin_user)
    for path in paths:
        assert_self_contained(html(signed_in.get(path)))
    not_found = signed_in.get("/inventory/tools/NOPE/")
    assert not_found.status_code == 404
    assert_self_contained(not_found.content.decode())
    signed_in.logout()
    assert_self_contained(html(client.get(reverse("accounts:login"))))


def test_the_setup_wizard_is_self_contained_too(client, admin_user):
    admin_user.delete()
    assert_self_contained(html(client.get("/setup/")))


def test_stylesheets_and_scripts_fetch_nothing_from_the_internet():
    for name in ("css/scandy.css", "js/scandy.js", "vendor/htmx/htmx.min.js"):
        path = finders.find(name)
        assert path, name
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        assert not re.search(r"""(?:url\(|@import|src=)\s*["']?(?:https?:)?//""", text), name


# --- Template filter, error pages, dashboard --------------------------------------------------


def test_can_filter_reads_the_role_matrix(make_user):
    template = Template('{% load scandy %}{% if user|can:"inventory.delete" %}yes{% else %}no{% endif %}')
    assert template.render(Context({"user": make_user(Role.EMPLOYEE)})) == "yes"
    assert template.render(Context({"user": make_user(Role.USER)})) == "no"

    assert template.render(Context({"user": AnonymousUser()})) == "no"


def test_404_page_uses_the_layout(pages, plain_user):
    response = pages(plain_user).get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="error-404"' in page
    assert 'class="mainnav"' in page


def test_500_page_stands_alone(rf, django_assert_num_queries):
    # Rendered when things are broken: no request context, no context processors, no database.
    with translation.override("en"), django_assert_num_queries(0):
        response = urls.handler500(rf.get("/inventory/tools/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "/static/css/scandy.css" in page
    assert_self_contained(page)


def test_dashboard_shows_counts_below_minimum_and_the_usage_chart(pages, plain_user, department):
    ToolFactory(department=department, barcode="T-1")
    ToolFactory(department=department, barcode="T-2", status="defective")
    low = ConsumableFactory(department=department, barcode="C-LOW", name="Kabelbinder", current_stock=8, min_stock=10)
    ConsumableFactory(department=department, barcode="C-OK", current_stock=50, min_stock=10)
    services.consumable_adjust_stock(consumable=low, user=plain_user, delta=-7, reason="Auftrag")

    page = html(pages(plain_user).get("/"))

    stats = page.split('data-testid="tool-stats"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'href="/inventory/tools/\?status=defective">\s*<span class="stat__label">Defective</span>\s*'
                     r'<span class="stat__value">1</span>', stats)  # fmt: skip
    below = page.split('data-testid="below-min"', 1)[1].split("</section>", 1)[0]
    assert "Kabelbinder" in below and reverse("inventory:consumable-detail", args=["C-LOW"]) in below
    chart = page.split('data-testid="usage-chart"', 1)[1].split("</figure>", 1)[0]
    assert chart.count("<rect ") == 14
    assert re.search(r'<text class="chart__value"[^>]*>7</text>', chart)


def test_participant_gets_a_friendly_dashboard_without_inventory(pages, participant, department, settings):
    settings.ROOT_URLCONF = "tests.core.module_urls"
    settings.ENABLE_TICKET_SYSTEM = True
    ToolFactory(department=department, barcode="T-1")
    page = html(pages(participant).get("/"))
    assert 'data-testid="participant-dashboard"' in page
    assert 'data-testid="tool-stats"' not in page
    assert 'href="/tickets/"' in page


def test_participant_dashboard_links_only_to_existing_modules(pages, participant, department, settings):
    settings.ENABLE_TICKET_SYSTEM = settings.ENABLE_WEEKLY_REPORTS = settings.ENABLE_JOB_BOARD = True
    page = html(pages(participant).get("/"))
    dashboard = page.split('data-testid="participant-dashboard"', 1)[1]
    for href in re.findall(r'href="([^"]+)"', dashboard.split("</main>", 1)[0]):
        assert pages(participant).get(href).status_code == 200, href


def test_user_without_a_department_is_told_so(pages, make_user):
    loner = make_user(Role.USER, default_department=None, allowed=[])
    page = html(pages(loner).get("/"))
    assert 'data-testid="no-department"' in page
    assert 'id="department-switch"' not in page
