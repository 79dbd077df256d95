"""The workflow of a weekly report, every move from every status by every kind of actor:

    draft → submitted (owner) → approved | rejected (reviewer)
    submitted → draft (owner withdraws), rejected → draft (owner corrects), approved → draft (reviewer reopens)

A move never yours: 403. Yours, but not from this status: 409 INVALID_TRANSITION. Changing the entries of a report
that is submitted or approved: 409 CONFLICT; of a rejected one: allowed, and the report is a draft again."""

import datetime

import pytest
from django.utils import timezone, translation

from scandy_site.accounts.roles import Role
from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent
from tests.factories import UserFactory
from tests.factories.timesheets import TimesheetFactory, full_day, this_week, weeks_ago
from timesheets import services
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db

STATUSES = ["draft", "submitted", "approved", "rejected"]
# (status, action) -> the actor kind that may make the move; absent: no such move (409).
MOVES = {
    ("draft", "submit"): "owner",
    ("submitted", "reopen"): "owner",
    ("rejected", "reopen"): "owner",
    ("submitted", "approve"): "reviewer",
    ("submitted", "reject"): "reviewer",
    ("approved", "reopen"): "reviewer",
}
TARGET = {"submit": "submitted", "approve": "approved", "reject": "rejected", "reopen": "draft"}


@pytest.fixture
def owner(department):
    return UserFactory(username="azubi", role=Role.PARTICIPANT, default_department=department, timesheet_enabled=True)


@pytest.fixture
def actors(owner, employee, admin_user, department):
    """owner; reviewer (employee of the department); admin (reviewer everywhere); a staff member who owns the
    report (an employee's own week); a plain colleague (neither)."""
    staff_owner = UserFactory(username="meisterin", role=Role.EMPLOYEE, default_department=department,
                              timesheet_enabled=True)  # fmt: skip
    colleague = UserFactory(username="kollege", role=Role.USER, default_department=department, timesheet_enabled=True)
    return {"owner": owner, "reviewer": employee, "admin": admin_user, "staff-owner": staff_owner,
            "colleague": colleague}  # fmt: skip


def report(user, status) -> Timesheet:
    return TimesheetFactory(user=user, status=status)


def act(timesheet, action, user):
    return services.timesheet_act(timesheet=timesheet, user=user, action=action, reason="Grund")


def outcome(timesheet, action, user) -> str:
    try:
        act(timesheet, action, user)
    except ApplicationError as exc:
        return exc.code
    return "ok"


def expected_outcome(status, action, kind) -> str:
    """What the actor `kind` gets for `action` on a report in `status` (owner-side kinds own the report)."""
    allowed_as = MOVES.get((status, action))
    roles = {"owner": {"owner"}, "staff-owner": {"owner"}, "reviewer": {"reviewer"}, "admin": {"reviewer"},
             "colleague": set()}[kind]  # fmt: skip
    needed = {"submit": {"owner"}, "approve": {"reviewer"}, "reject": {"reviewer"}, "reopen": {"owner", "reviewer"}}
    if not roles & needed[action]:
        return "PERMISSION_DENIED"
    if allowed_as is None:
        return "INVALID_TRANSITION"
    return "ok" if allowed_as in roles else "PERMISSION_DENIED"


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ["submit", "approve", "reject", "reopen"])
@pytest.mark.parametrize("kind", ["owner", "staff-owner", "reviewer", "admin", "colleague"])
def test_every_move_from_every_status(status, action, kind, actors):
    owner = actors["staff-owner"] if kind == "staff-owner" else actors["owner"]
    timesheet = report(owner, status)
    result = outcome(timesheet, action, actors[kind])
    assert result == expected_outcome(status, action, kind)
    timesheet.refresh_from_db()
    assert timesheet.status == (TARGET[action] if result == "ok" else status)


def test_the_table_has_each_documented_move_once():
    from timesheets.workflow import TRANSITIONS

    assert {(t.source, t.action): t.actor for t in TRANSITIONS} == MOVES
    assert all(TARGET[t.action] == t.target for t in TRANSITIONS)


def test_approvers_never_decide_on_their_own_report(actors):
    own = report(actors["staff-owner"], "submitted")
    with pytest.raises(ApplicationError) as caught, translation.override("en"):
        services.timesheet_approve(timesheet=own, user=actors["staff-owner"])
    assert caught.value.code == "PERMISSION_DENIED"
    assert "own report" in caught.value.message
    # Another approver of the department may.
    services.timesheet_approve(timesheet=own, user=actors["reviewer"])
    assert Timesheet.objects.get(pk=own.pk).approved_by == actors["reviewer"]


def test_submit_records_the_time_and_approval_who_and_when(actors):
    timesheet = report(actors["owner"], "draft")
    services.timesheet_submit(timesheet=timesheet, user=actors["owner"])
    timesheet.refresh_from_db()
    assert timesheet.submitted_at is not None and timesheet.approved_at is None
    services.timesheet_approve(timesheet=timesheet, user=actors["reviewer"])
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.approved_by) == ("approved", actors["reviewer"])
    assert timesheet.approved_at >= timesheet.submitted_at
    events = ChangeEvent.objects.filter(entity="timesheet", object_id=timesheet.pk).order_by("id")
    assert [e.changes.get("status") for e in events if "status" in e.changes] == [
        [None, "draft"], ["draft", "submitted"], ["submitted", "approved"]
    ]  # fmt: skip
    assert events.last().user == actors["reviewer"]


def test_reject_needs_a_reason_which_the_owner_sees(actors):
    timesheet = report(actors["owner"], "submitted")
    for reason in ("", "   "):
        with pytest.raises(ApplicationError) as caught:
            services.timesheet_reject(timesheet=timesheet, user=actors["reviewer"], reason=reason)
        assert caught.value.code == "VALIDATION_ERROR" and "reason" in caught.value.errors
    services.timesheet_reject(timesheet=timesheet, user=actors["reviewer"], reason="Pausen fehlen")
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.rejection_reason, timesheet.rejected_by) == (
        "rejected", "Pausen fehlen", actors["reviewer"])  # fmt: skip
    event = ChangeEvent.objects.filter(entity="timesheet", object_id=timesheet.pk).first()
    assert event.note == "Pausen fehlen" and event.changes["status"] == ["submitted", "rejected"]


def test_a_change_to_a_rejected_report_puts_it_back_to_draft(actors):
    timesheet = report(actors["owner"], "rejected")
    services.timesheet_entry_create(timesheet=timesheet, user=actors["owner"], date=timesheet.week_start,
                                    hours=1, activity="Pause nachgetragen")  # fmt: skip
    timesheet.refresh_from_db()
    assert timesheet.status == "draft"
    assert timesheet.rejection_reason == "Bitte Pausen eintragen."  # still shown until approved
    services.timesheet_submit(timesheet=timesheet, user=actors["owner"])
    services.timesheet_approve(timesheet=timesheet, user=actors["reviewer"])
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.rejection_reason, timesheet.rejected_at) == ("approved", "", None)


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_submitted_and_approved_reports_are_read_only_for_their_owner(status, actors):
    timesheet = report(actors["owner"], status)
    entry = timesheet.entries.get()
    owner = actors["owner"]
    attempts = [
        lambda: services.timesheet_entry_create(timesheet=timesheet, user=owner, date=timesheet.week_start, hours=1,
                                                activity="x"),
        lambda: services.timesheet_entry_update(entry=entry, user=owner, activity="geändert"),
        lambda: services.timesheet_entry_delete(entry=entry, user=owner),
        lambda: services.timesheet_update(timesheet=timesheet, user=owner, note="Nachtrag"),
        lambda: services.timesheet_update(timesheet=timesheet, user=owner, entries=[]),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(ApplicationError) as caught:
            attempt()
        assert caught.value.code == "CONFLICT"
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.total_minutes, timesheet.note) == (status, 480, "")
    assert timesheet.entries.get().activity == "Montage"


def test_nobody_but_the_owner_changes_entries(actors):
    timesheet = report(actors["owner"], "draft")
    for kind in ("reviewer", "admin", "colleague"):
        with pytest.raises(ApplicationError) as caught:
            services.timesheet_entry_create(timesheet=timesheet, user=actors[kind], date=timesheet.week_start,
                                            hours=1, activity="fremd")  # fmt: skip
        assert caught.value.code == "PERMISSION_DENIED"


def test_withdraw_then_change_then_submit_again(actors):
    owner = actors["owner"]
    timesheet = report(owner, "submitted")
    with translation.override("en"):
        services.timesheet_reopen(timesheet=timesheet, user=owner)
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.submitted_at) == ("draft", None)
    services.timesheet_entry_create(timesheet=timesheet, user=owner, date=timesheet.week_start, hours="0.5",
                                    activity="Nachtrag")  # fmt: skip
    services.timesheet_submit(timesheet=timesheet, user=owner)
    assert Timesheet.objects.get(pk=timesheet.pk).total_minutes == 510
    notes = list(ChangeEvent.objects.filter(entity="timesheet", object_id=timesheet.pk).values_list("note", flat=True))
    assert "Withdrawn" in notes


def test_reopening_an_approved_report_needs_a_reason_and_is_recorded(actors):
    timesheet = report(actors["owner"], "approved")
    with pytest.raises(ApplicationError) as caught:
        services.timesheet_reopen(timesheet=timesheet, user=actors["reviewer"], reason="")
    assert caught.value.code == "VALIDATION_ERROR"
    services.timesheet_reopen(timesheet=timesheet, user=actors["admin"], reason="Stunden am Freitag falsch")
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.approved_at, timesheet.approved_by, timesheet.submitted_at) == (
        "draft", None, None, None)  # fmt: skip
    event = ChangeEvent.objects.filter(entity="timesheet", object_id=timesheet.pk).first()
    assert event.user == actors["admin"] and event.changes["status"] == ["approved", "draft"]
    assert "Stunden am Freitag falsch" in event.note


def test_an_empty_week_cannot_be_submitted(actors):
    timesheet = TimesheetFactory(user=actors["owner"], entries=[])
    with pytest.raises(ApplicationError) as caught:
        services.timesheet_submit(timesheet=timesheet, user=actors["owner"])
    assert caught.value.code == "VALIDATION_ERROR" and "entries" in caught.value.errors


def test_a_week_that_has_not_started_cannot_be_submitted(actors):
    next_monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    year, week, _day = next_monday.isocalendar()
    timesheet = TimesheetFactory(user=actors["owner"], year=year, week=week, entries=[full_day(next_monday)])
    with pytest.raises(ApplicationError) as caught:
        services.timesheet_submit(timesheet=timesheet, user=actors["owner"])
    assert caught.value.code == "VALIDATION_ERROR" and "week" in caught.value.errors
    # The current week may be handed in (on Friday afternoon, say).
    year, week = this_week()
    current = TimesheetFactory(user=actors["owner"], year=year, week=week,
                               entries=[full_day(datetime.date.fromisocalendar(year, week, 1))])  # fmt: skip
    services.timesheet_submit(timesheet=current, user=actors["owner"])


def test_users_without_timesheets_get_a_clear_refusal(department, employee):
    employee.timesheet_enabled = False
    employee.save()
    year, week = weeks_ago(1)
    with pytest.raises(ApplicationError) as caught, translation.override("en"):
        services.timesheet_get_or_create(user=employee, department=department, year=year, week=week)
    assert caught.value.code == "PERMISSION_DENIED"
    assert "not enabled for your account" in caught.value.message
    # An approver without timesheets of their own still approves others.
    other = report(UserFactory(default_department=department, timesheet_enabled=True), "submitted")
    services.timesheet_approve(timesheet=other, user=employee)


# --- the same codes over HTTP -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "kind", "code"),
    [
        ("draft", "approve", "reviewer", 409),
        ("approved", "approve", "reviewer", 409),
        ("approved", "reject", "reviewer", 409),
        ("rejected", "submit", "owner", 409),
        ("draft", "reopen", "owner", 409),
        ("approved", "reopen", "owner", 403),
        ("submitted", "approve", "owner", 403),
        ("submitted", "reopen", "reviewer", 403),
        ("submitted", "approve", "reviewer", 200),
    ],
)
def test_api_answers_invalid_moves_with_409_and_foreign_ones_with_403(status, action, kind, code, actors, api_for):
    timesheet = report(actors["owner"], status)
    response = api_for(actors[kind]).post(f"/api/timesheets/{timesheet.pk}/{action}", {"reason": "Grund"},
                                          format="json")  # fmt: skip
    assert response.status_code == code, response.content
    if code == 409:
        assert response.json()["code"] == "INVALID_TRANSITION"
        assert response.json()["errors"]["status"]
    if code == 403:
        assert response.json()["code"] == "PERMISSION_DENIED"


def test_api_editing_a_submitted_report_is_a_conflict(actors, api_for):
    timesheet = report(actors["owner"], "submitted")
    response = api_for(actors["owner"]).post(f"/api/timesheets/{timesheet.pk}/entries",
                                             {"date": str(timesheet.week_start), "hours": 1, "activity": "x"},
                                             format="json")  # fmt: skip
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["errors"]["status"] == ["submitted"]
