"""Department isolation: approvers see and decide on the reports of their departments only, in the department
they work in right now; everyone's own reports follow them across departments."""

import pytest

from scandy_site.accounts.roles import Role
from scandy_site.core.errors import ApplicationError
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, weeks_ago
from timesheets import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(department, other_department, employee, admin_user):
    """`werkstatt` (employee approves there) and `buero` (a second employee); one submitted report in each,
    and a worker in both departments who made one report in each."""
    office_lead = UserFactory(username="buero-chefin", role=Role.EMPLOYEE, default_department=other_department)
    shop_worker = UserFactory(username="schlosser", default_department=department, timesheet_enabled=True)
    clerk = UserFactory(username="sachbearbeiter", default_department=other_department, timesheet_enabled=True)
    both = UserFactory(username="springer", default_department=department, allowed=[department, other_department],
                       timesheet_enabled=True)  # fmt: skip
    year, week = weeks_ago(1)
    shop = TimesheetFactory(user=shop_worker, status="submitted")
    office = TimesheetFactory(user=clerk, status="submitted")
    both_shop = TimesheetFactory(user=both, department=department, status="submitted")
    both_office = TimesheetFactory(user=both, department=other_department, year=weeks_ago(2)[0],
                                   week=weeks_ago(2)[1], status="submitted")  # fmt: skip
    return {"office_lead": office_lead, "both": both, "shop": shop, "office": office, "both_shop": both_shop,
            "both_office": both_office, "year": year, "week": week}  # fmt: skip


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["data"]["results"]}


def test_approvers_see_only_their_department(setup, api_for, employee, department, other_department):
    shop_ids = {setup["shop"].pk, setup["both_shop"].pk}
    assert ids(api_for(employee).get("/api/timesheets")) == shop_ids
    office_ids = {setup["office"].pk, setup["both_office"].pk}
    assert ids(api_for(setup["office_lead"]).get("/api/timesheets")) == office_ids
    # A department one does not work in is refused, not silently emptied.
    refused = api_for(employee, department=other_department).get("/api/timesheets")
    assert refused.status_code == 403
    assert api_for(employee).get("/api/timesheets?department=all").status_code == 403


def test_foreign_reports_are_404_and_cannot_be_decided(setup, api_for, employee):
    office = setup["office"]
    api = api_for(employee)
    assert api.get(f"/api/timesheets/{office.pk}").status_code == 404
    assert api.post(f"/api/timesheets/{office.pk}/approve").status_code == 404
    assert api.post(f"/api/timesheets/{office.pk}/reject", {"reason": "x"}, format="json").status_code == 404
    assert api.get(f"/api/timesheets/{office.pk}/pdf").status_code == 404
    # Even past the selectors, the service refuses an approver of another department.
    with pytest.raises(ApplicationError) as caught:
        services.timesheet_approve(timesheet=office, user=employee)
    assert caught.value.code == "PERMISSION_DENIED"
    office.refresh_from_db()
    assert office.status == "submitted"


def test_admins_work_in_one_department_or_all(setup, api_for, admin_user, other_department):
    every = {setup[k].pk for k in ("shop", "office", "both_shop", "both_office")}
    assert ids(api_for(admin_user).get("/api/timesheets?department=all")) == every
    in_office = ids(api_for(admin_user, department=other_department).get("/api/timesheets"))
    assert in_office == {setup["office"].pk, setup["both_office"].pk}
    approved = api_for(admin_user, department=other_department).post(f"/api/timesheets/{setup['office'].pk}/approve")
    assert approved.status_code == 200


def test_the_current_department_scopes_an_approver_in_two_departments(setup, api_for, employee, other_department):
    employee.departments.add(other_department)
    assert setup["office"].pk not in ids(api_for(employee).get("/api/timesheets"))
    assert setup["office"].pk in ids(api_for(employee, department=other_department).get("/api/timesheets"))
    response = api_for(employee, department=other_department).post(f"/api/timesheets/{setup['office'].pk}/approve")
    assert response.status_code == 200


def test_own_reports_follow_their_owner_across_departments(setup, api_for, other_department, department):
    both = setup["both"]
    mine = {setup["both_shop"].pk, setup["both_office"].pk}
    assert ids(api_for(both).get("/api/timesheets")) == mine
    assert ids(api_for(both, department=other_department).get("/api/timesheets")) == mine
    # The week already has a report (made in the other department): it is found, not made twice.
    timesheet, created = services.timesheet_get_or_create(user=both, department=other_department,
                                                          year=setup["year"], week=setup["week"])  # fmt: skip
    assert (timesheet, created) == (setup["both_shop"], False)
    assert timesheet.department == department


def test_inbox_and_week_overview_are_per_department(setup, employee, department, other_department):
    inbox = set(selectors.timesheet_inbox(user=employee, department=department))
    assert inbox == {setup["shop"], setup["both_shop"]}
    overview = selectors.timesheet_week_overview(user=employee, department=department, year=setup["year"],
                                                 week=setup["week"])  # fmt: skip
    people = {person.username: report for person, report in overview}
    assert people == {"schlosser": setup["shop"], "springer": setup["both_shop"]}
    assert selectors.timesheet_inbox(user=employee, department=other_department).count() == 0


def test_pages_keep_to_the_department_too(setup, client, employee, other_department):
    client.force_login(employee)
    html = client.get("/timesheets/approvals/").content.decode()
    assert f'data-report="{setup["shop"].pk}"' in html
    assert f'data-report="{setup["office"].pk}"' not in html
    assert client.get(f"/timesheets/reports/{setup['office'].pk}/").status_code == 404
    assert client.post(f"/timesheets/reports/{setup['office'].pk}/approve/").status_code == 404
