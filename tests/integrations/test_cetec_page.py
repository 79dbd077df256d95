"""`/integrations/cetec/`: CETEC customers with their backup-database state, for staff; CETEC failing is a
message on the page, never an error page; the menu entry appears once CETEC is configured."""

import pytest

from tests.fakes.cetec import cetec_customer

pytestmark = pytest.mark.django_db

PAGE = "/integrations/cetec/"


@pytest.fixture(autouse=True)
def _set_up(admin_user):
    """An admin exists, so the instance is past the setup wizard."""


@pytest.fixture
def staff_page(english_client_for, employee):
    return english_client_for(employee)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_customers_with_their_database_state_and_the_summary(
    staff_page, fake_cetec, backup_databases, django_assert_max_num_queries
):
    db = backup_databases.create("acme")
    fake_cetec.customers = [
        cetec_customer(1, name="Acme Tools", domain=db),
        cetec_customer(2, name="Beta Corp", domain=backup_databases.name("beta")),
        cetec_customer(3, name="Resident Ltd", resident_hosting=1),
        cetec_customer(4, name="No Domain Inc", domain=""),
        cetec_customer(5, name="Not Billed", ok_to_bill=0),
    ]
    with django_assert_max_num_queries(8):
        page = html(staff_page.get(PAGE))
    assert 'data-cetec-customer="1" data-state="exists"' in page
    assert 'data-cetec-customer="2" data-state="missing"' in page
    assert 'data-cetec-customer="3" data-state="resident_hosting"' in page
    assert 'data-cetec-customer="4" data-state="unavailable"' in page
    assert "Not Billed" not in page
    assert "techx" not in page.lower() and fake_cetec.token not in page
    assert 'data-nav="cetec"' in page and 'aria-current="page" data-nav="cetec"' in page
    # The state filter works on the fetched list; the search goes to CETEC as `name`.
    page = html(staff_page.get(PAGE, {"state": "missing", "q": "corp"}))
    assert fake_cetec.customer_requests[-1].query["name"] == "corp"
    assert 'data-cetec-customer="2"' in page and 'data-cetec-customer="1"' not in page
    assert "No customer matches" in html(staff_page.get(PAGE, {"state": "mysql_error"}))


def test_cetec_failing_is_a_message_not_an_error_page(staff_page, fake_cetec):
    fake_cetec.fail("/api/customer", status=500)
    page = html(staff_page.get(PAGE))
    assert 'data-testid="cetec-error"' in page and "CETEC answered with HTTP 500" in page
    assert fake_cetec.token not in page


def test_a_mysql_problem_is_shown_over_the_list(staff_page, fake_cetec, settings):
    settings.CETEC_MYSQL_URL = "mysql://root:@127.0.0.1:1"
    fake_cetec.customers = [cetec_customer(1)]
    page = html(staff_page.get(PAGE))
    assert 'data-testid="cetec-mysql-problem"' in page and "MySQL cannot be reached at 127.0.0.1:1" in page
    assert 'data-state="mysql_error"' in page


def test_without_mysql_the_customers_are_not_checked(staff_page, fake_cetec):
    fake_cetec.customers = [cetec_customer(1)]
    page = html(staff_page.get(PAGE))
    assert 'data-state="unchecked"' in page and "backup databases are not checked" in page


def test_not_configured_says_what_to_set_and_has_no_menu_entry(staff_page, settings):
    settings.CETEC_URL = ""
    page = html(staff_page.get(PAGE))
    assert 'data-testid="cetec-not-configured"' in page and "CETEC_URL" in page
    assert 'data-nav="cetec"' not in page


def test_junk_in_the_query_string(staff_page, fake_cetec):
    assert staff_page.get(PAGE, {"state": "nonsense", "q": "x" * 5000}).status_code == 200
    assert len(fake_cetec.customer_requests[-1].query["name"]) == 200
    assert staff_page.get(PAGE + "?q=%00").status_code == 400


def test_roles(english_client_for, admin_user, plain_user, participant, client, fake_cetec):
    assert english_client_for(admin_user).get(PAGE).status_code == 200
    for user in (plain_user, participant):
        response = english_client_for(user).get(PAGE)
        assert response.status_code == 403
        assert 'data-nav="cetec"' not in english_client_for(user).get("/").content.decode()
    assert client.get(PAGE).status_code == 302  # to the login page
    assert client.post(PAGE).status_code == 405
    assert len(fake_cetec.customer_requests) == 1
