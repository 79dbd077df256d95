"""The back office: weekly reports with their entries and history, filters, and approve/reject/reopen actions
that go through the services (same rules, history and mails as the pages)."""

import pytest
from django.utils import translation

from scandy_site.accounts.roles import Role
from scandy_site.core.models import ChangeEvent
from tests.admin_helpers import post_action
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, weeks_ago
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/timesheets/timesheet/"


@pytest.fixture
def worker(department):
    return UserFactory(username="schlosser", default_department=department, timesheet_enabled=True)


@pytest.fixture
def submitted(worker):
    return TimesheetFactory(user=worker, status="submitted", note="Freitag frei")


def test_staff_see_reports_with_entries_and_history(submitted, page_client_for, employee):
    client = page_client_for(employee)
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200 and "schlosser" in listing.content.decode()
    page = client.get(f"{CHANGELIST}{submitted.pk}/change/").content.decode()
    for text in ("Montage", "08:00", "16:30", "Freitag frei", "8:00"):
        assert text in page, text
    assert "core-changeevent-content_type-object_id" in page  # the history inline


@pytest.mark.parametrize("query", ["status__exact=submitted", f"year={weeks_ago(1)[0]}", "q=schloss",
                                   f"week={weeks_ago(1)[1]}"])  # fmt: skip
def test_filters_and_search(submitted, page_client_for, employee, query):
    response = page_client_for(employee).get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [submitted]


@pytest.mark.parametrize("role", [Role.USER, Role.PARTICIPANT])
def test_no_admin_for_users_and_participants(submitted, make_user, page_client_for, role):
    client = page_client_for(make_user(role, username=f"no-{role}"))
    assert client.get(CHANGELIST).status_code in (302, 403)


def test_employees_see_only_their_departments(submitted, page_client_for, employee, other_department):
    clerk = UserFactory(username="buero", default_department=other_department, timesheet_enabled=True)
    foreign = TimesheetFactory(user=clerk, status="submitted")
    client = page_client_for(employee)
    assert list(client.get(CHANGELIST).context["cl"].result_list) == [submitted]
    assert client.get(f"{CHANGELIST}{foreign.pk}/change/").status_code == 302  # "does not exist" → back to the list


def test_reports_are_not_added_or_edited_in_the_admin(submitted, page_client_for, admin_user):
    client = page_client_for(admin_user)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    client.post(f"{CHANGELIST}{submitted.pk}/change/", {"note": "im Admin", "status": "approved"})
    submitted.refresh_from_db()
    assert (submitted.note, submitted.status) == ("Freitag frei", "submitted")


def test_approve_action_goes_through_the_workflow(submitted, worker, page_client_for, employee):
    draft = TimesheetFactory(user=worker, year=weeks_ago(2)[0], week=weeks_ago(2)[1])
    client = page_client_for(employee)
    with translation.override("en"):
        response = post_action(client, CHANGELIST, "approve", [submitted, draft])
    assert response.status_code == 302
    assert Timesheet.objects.get(pk=submitted.pk).status == "approved"
    assert Timesheet.objects.get(pk=draft.pk).status == "draft"  # refused one by one, with a message
    event = ChangeEvent.objects.filter(entity="timesheet", object_id=submitted.pk).first()
    assert (event.user, event.changes["status"]) == (employee, ["submitted", "approved"])


def test_nobody_approves_their_own_report_in_the_admin_either(page_client_for, employee):
    employee.timesheet_enabled = True
    employee.save()
    own = TimesheetFactory(user=employee, status="submitted")
    post_action(page_client_for(employee), CHANGELIST, "approve", [own])
    assert Timesheet.objects.get(pk=own.pk).status == "submitted"


def test_reject_action_asks_for_a_reason_first(submitted, page_client_for, employee):
    client = page_client_for(employee)
    form = post_action(client, CHANGELIST, "reject", [submitted])
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert Timesheet.objects.get(pk=submitted.pk).status == "submitted"
    empty = post_action(client, CHANGELIST, "reject", [submitted], apply="1", reason="")
    assert empty.status_code == 200  # the form again, with the error
    done = post_action(client, CHANGELIST, "reject", [submitted], apply="1", reason="Pausen fehlen")
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.rejection_reason, submitted.rejected_by) == (
        "rejected", "Pausen fehlen", employee)  # fmt: skip


def test_reopen_action_for_approved_reports(worker, page_client_for, admin_user):
    approved = TimesheetFactory(user=worker, status="approved")
    post_action(page_client_for(admin_user), CHANGELIST, "reopen", [approved], apply="1", reason="Stunden falsch")
    approved.refresh_from_db()
    assert approved.status == "draft"
    assert "Stunden falsch" in ChangeEvent.objects.filter(entity="timesheet", object_id=approved.pk).first().note


@pytest.mark.parametrize("count", [2, 15])
def test_changelist_query_count_is_pinned(page_client_for, admin_user, department, django_assert_max_num_queries,
                                          count):  # fmt: skip
    for _i in range(count):
        TimesheetFactory(user=UserFactory(default_department=department, timesheet_enabled=True), status="approved")
    client = page_client_for(admin_user)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(13):
        assert client.get(CHANGELIST).status_code == 200
