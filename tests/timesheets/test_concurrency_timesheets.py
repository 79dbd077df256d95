"""Owner and approvers acting on one report at the same moment, on PostgreSQL (real threads, real transactions):
the report's row lock lets exactly one decision through, and no entry slips into a report after it was approved."""

import datetime

import pytest
from django.db import connection

from scandy_site.accounts.roles import Role
from scandy_site.core.models import ChangeEvent
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory
from tests.threads import race
from timesheets import services
from timesheets.models import Timesheet, TimesheetEntry

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL pass of make test"),
]


@pytest.fixture
def owner(department):
    return UserFactory(username="azubi", role=Role.PARTICIPANT, default_department=department, timesheet_enabled=True)


@pytest.fixture
def approvers(department):
    return [UserFactory(username=f"meister{i}", role=Role.EMPLOYEE, default_department=department) for i in range(6)]


def status_changes(timesheet) -> list:
    events = ChangeEvent.objects.filter(entity="timesheet", object_id=timesheet.pk, changes__has_key="status")
    return [event.changes["status"] for event in events.order_by("id")]


def test_six_approvers_deciding_at_once_make_one_decision(owner, approvers):
    timesheet = TimesheetFactory(user=owner, status="submitted")

    def decide(i):
        if i % 2:
            return services.timesheet_approve(timesheet=timesheet, user=approvers[i]).status
        return services.timesheet_reject(timesheet=timesheet, user=approvers[i], reason=f"Nein {i}").status

    results = race(len(approvers), decide)
    winners = [(i, value) for i, (kind, value) in enumerate(results) if kind == "ok"]
    assert len(winners) == 1, results
    assert sorted(value for kind, value in results if kind != "ok") == ["INVALID_TRANSITION"] * 5
    winner, status = winners[0]
    timesheet.refresh_from_db()
    assert timesheet.status == status
    if status == "approved":
        assert timesheet.approved_by == approvers[winner]
    else:
        assert timesheet.rejected_by == approvers[winner] and timesheet.rejection_reason == f"Nein {winner}"
    assert status_changes(timesheet)[-1] == ["submitted", status]
    assert len(status_changes(timesheet)) == 3  # created, submitted, and the one decision


@pytest.mark.parametrize("attempt", range(4))
def test_approval_and_the_owner_withdrawing_to_edit_never_mix(owner, approvers, attempt):
    """The owner withdraws the submitted week to add a forgotten hour while an approver approves it. Either the
    approval wins (the owner's withdrawal is refused and nothing is added) or the withdrawal wins (the approval
    is refused, the entry lands in the draft): never an approved report holding the late entry."""
    timesheet = TimesheetFactory(user=owner, status="submitted")

    def act(i):
        if i == 0:
            return services.timesheet_approve(timesheet=timesheet, user=approvers[0]).status
        services.timesheet_reopen(timesheet=timesheet, user=owner)
        services.timesheet_entry_create(timesheet=timesheet, user=owner, date=timesheet.week_start, hours=1,
                                        activity="Nachtrag")  # fmt: skip
        return "draft"

    results = race(2, act)
    timesheet.refresh_from_db()
    entries = TimesheetEntry.objects.filter(timesheet=timesheet).count()
    assert [kind for kind, _ in results].count("ok") == 1, results
    if results[0][0] == "ok":
        # Once approved, reopening is the approvers' move alone: the owner is refused for lack of the right.
        assert results[1] == ("error", "PERMISSION_DENIED")
        assert (timesheet.status, entries, timesheet.total_minutes) == ("approved", 1, 480)
    else:
        assert results == [("error", "INVALID_TRANSITION"), ("ok", "draft")]
        assert (timesheet.status, entries, timesheet.total_minutes) == ("draft", 2, 540)
        assert timesheet.approved_at is None


def test_an_approver_and_the_owner_editing_a_draft_wait_for_each_other(owner, approvers):
    """While the owner adds entries to a draft, an approver tries to approve it: always refused (it is no
    submission), and every entry the owner sent is there with totals that add up."""
    timesheet = TimesheetFactory(user=owner, entries=[])

    def act(i):
        if i == 0:
            return services.timesheet_approve(timesheet=timesheet, user=approvers[0]).status
        date = timesheet.week_start + datetime.timedelta(days=i % 7)
        return services.timesheet_entry_create(timesheet=timesheet, user=owner, activity=f"Teil {i}", hours=1,
                                               date=date).pk  # fmt: skip

    results = race(8, act)
    assert results[0] == ("error", "INVALID_TRANSITION")
    assert all(kind == "ok" for kind, _ in results[1:]), results
    timesheet.refresh_from_db()
    assert timesheet.status == "draft"
    assert timesheet.total_minutes == 7 * 60 == sum(TimesheetEntry.objects.filter(timesheet=timesheet)
                                                     .values_list("minutes", flat=True))  # fmt: skip


def test_parallel_entries_never_push_a_day_past_24_hours(owner):
    """Eight requests adding 5 hours to the same day at once: four fit, four are refused, the day holds 20 h."""
    timesheet = TimesheetFactory(user=owner, entries=[])
    results = race(8, lambda i: services.timesheet_entry_create(
        timesheet=timesheet, user=owner, date=timesheet.week_start, hours=5, activity=f"Schicht {i}").pk)  # fmt: skip
    assert [kind for kind, _ in results].count("ok") == 4, results
    assert {value for kind, value in results if kind != "ok"} == {"VALIDATION_ERROR"}
    timesheet.refresh_from_db()
    assert timesheet.monday_minutes == timesheet.total_minutes == 1200
    assert TimesheetEntry.objects.filter(timesheet=timesheet).count() == 4


def test_opening_the_same_week_twice_at_once_makes_one_report(owner, department):
    results = race(6, lambda i: services.timesheet_get_or_create(user=owner, department=department, year=2026,
                                                                  week=10)[0].pk)  # fmt: skip
    assert all(kind == "ok" for kind, _ in results), results
    assert len({value for _, value in results}) == 1
    assert Timesheet.objects.filter(user=owner, year=2026, week=10).count() == 1
