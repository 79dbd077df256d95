"""`GET /api/events`: the envelope, `since`/`limit` checks, and a query count that does not grow with the
events or the kinds of records behind them."""

import pytest

from scandy_site.accounts.roles import Role
from tests.factories import ConsumableFactory, ToolFactory
from tests.factories.tickets import TicketFactory
from tickets import services as ticket_services

from .conftest import feed

pytestmark = pytest.mark.django_db


def test_the_envelope(api):
    response = api.get("/api/events")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success"
    assert set(body["data"]) == {"since", "last_id", "has_more", "next", "results"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "abc"}, "since"),
        ({"since": "-1"}, "since"),
        ({"since": "9" * 30}, "since"),
        ({"since": "1\x00"}, None),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_bad_parameters_are_a_validation_error(api, params, field):
    response = api.get("/api/events", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    if field:
        assert field in body["errors"]


def test_last_id_passes_over_events_the_user_does_not_see(api_for, make_user, admin_user, department, mark):
    participant = make_user(Role.PARTICIPANT)
    start = mark()
    ToolFactory(department=department)
    page = feed(api_for(participant), start)
    assert page["results"] == [] and page["last_id"] == mark() > start


@pytest.mark.parametrize("count", [2, 60])
def test_query_count_does_not_grow(api_for, make_user, admin_user, department, employee, django_assert_max_num_queries,
                                   count):  # fmt: skip
    plain = make_user(Role.USER)
    for _ in range(count):
        ToolFactory(department=department)
        ConsumableFactory(department=department)
        ticket = TicketFactory(department=department, created_by=plain)
        ticket_services.ticket_add_message(ticket=ticket, user=employee, body="intern", internal=True)
    client = api_for(plain)
    client.get("/api/events")  # the token's first use
    with django_assert_max_num_queries(5):
        page = feed(client, 0, limit=500)
    assert len(page["results"]) >= 3 * count


def test_the_schema_lists_both_paths(client, admin_user):
    client.force_login(admin_user)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/events" in paths and "/api/events/stream" in paths
