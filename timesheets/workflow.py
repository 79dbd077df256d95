"""Who may see, change and review a weekly report, and which status may follow which.

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                 │   │                   │
      │◀──withdraw──────┘   └──reject──▶ rejected
      │◀──back to draft (or any change to its entries)─┘
      │◀──reopen (staff of the department, recorded with a reason)── approved

- The owner keeps their own reports (every role may, when `timesheet_enabled` is set on the account):
  changes entries while the report is a draft or rejected (a change to a rejected report puts it back to
  draft), submits, withdraws a submitted report before anyone reviewed it. A submitted or approved report is
  read-only for its owner.
- Reviewers are admins and employees (`timesheets.approve`) for reports of their departments (administrators:
  every department). Nobody reviews their own report: an approver's own week needs another approver. Reviewers
  approve, reject (with a reason) and reopen an approved report (with a reason; approved is otherwise final).

Rights come before the workflow: a move the caller may never make is PERMISSION_DENIED (403); a move the caller
may make, but not from the report's current status, is INVALID_TRANSITION (409)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scandy_site.core.errors import ApplicationError

from .models import Timesheet

S = Timesheet.Status
OWNER, REVIEWER = "owner", "reviewer"
EDITABLE = (S.DRAFT, S.REJECTED)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    action: str
    label: Promise
    actor: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, S.SUBMITTED, "submit", gettext_lazy("Submit"), OWNER),
    Transition(S.SUBMITTED, S.DRAFT, "reopen", gettext_lazy("Withdraw"), OWNER),
    Transition(S.REJECTED, S.DRAFT, "reopen", gettext_lazy("Back to draft"), OWNER),
    Transition(S.SUBMITTED, S.APPROVED, "approve", gettext_lazy("Approve"), REVIEWER),
    Transition(S.SUBMITTED, S.REJECTED, "reject", gettext_lazy("Reject"), REVIEWER),
    Transition(S.APPROVED, S.DRAFT, "reopen", gettext_lazy("Reopen"), REVIEWER),
)
ACTIONS = {"submit": (OWNER,), "approve": (REVIEWER,), "reject": (REVIEWER,), "reopen": (OWNER, REVIEWER)}


# --- who ----------------------------------------------------------------------------------------


def may_keep_timesheets(user) -> bool:
    return bool(user and user.is_authenticated and user.can("timesheets.own") and user.timesheet_enabled)


def is_owner(user, timesheet) -> bool:
    return bool(user and user.is_authenticated and timesheet.user_id == user.pk)


def works_in(user, department_id) -> bool:
    if user.can("departments.all"):
        return True
    cache = getattr(user, "_timesheet_department_ids", None)
    if cache is None:
        cache = user._timesheet_department_ids = set(user.departments.filter(active=True).values_list("pk", flat=True))
    return department_id in cache


def is_reviewer(user, timesheet) -> bool:
    """Approves, rejects, reopens: staff of the report's department, never for their own report."""
    if not (user and user.is_authenticated and user.can("timesheets.approve")) or is_owner(user, timesheet):
        return False
    return works_in(user, timesheet.department_id)


def can_view(user, timesheet) -> bool:
    return is_owner(user, timesheet) or is_reviewer(user, timesheet)


def can_edit(user, timesheet) -> bool:
    """May change the entries now (the owner, while the report is a draft or rejected)."""
    return is_owner(user, timesheet) and may_keep_timesheets(user) and timesheet.status in EDITABLE


def roles_of(user, timesheet) -> set[str]:
    roles = set()
    if is_owner(user, timesheet) and may_keep_timesheets(user):
        roles.add(OWNER)
    if is_reviewer(user, timesheet):
        roles.add(REVIEWER)
    return roles


def transitions_for(user, timesheet) -> list[Transition]:
    """The moves `user` may make on `timesheet` now (the buttons on the page)."""
    roles = roles_of(user, timesheet)
    return [t for t in TRANSITIONS if t.source == timesheet.status and t.actor in roles]


# --- checks -------------------------------------------------------------------------------------


def check_may_keep(user) -> None:
    if user is not None and not may_keep_timesheets(user):
        raise ApplicationError(
            "PERMISSION_DENIED",
            _("Timesheets are not enabled for your account. Ask an administrator to enable them."),
        )


def check_editable(user, timesheet) -> None:
    """The owner may change entries of a draft or a rejected report; anything else is refused."""
    if user is not None:
        if not is_owner(user, timesheet):
            raise ApplicationError("PERMISSION_DENIED", _("Only the owner changes the entries of a report."))
        check_may_keep(user)
    if timesheet.status not in EDITABLE:
        raise ApplicationError(
            "CONFLICT",
            _("This report is %(status)s and cannot be changed any more.") % {"status": timesheet.get_status_display()},
            errors={"status": [timesheet.status]},
        )


def check_transition(timesheet, action: str, user) -> Transition:
    """The transition `action` makes from the report's current status, after checking `user` may make it.

    `user=None` is the system (management commands, the demo data): it may make every move the table has."""
    if action not in ACTIONS:
        raise ValueError(f"unknown timesheet action {action!r}")
    roles = {OWNER, REVIEWER} if user is None else roles_of(user, timesheet)
    if user is not None and not roles & set(ACTIONS[action]):
        if is_owner(user, timesheet) and action in ("approve", "reject") and user.can("timesheets.approve"):
            raise ApplicationError("PERMISSION_DENIED", _("Nobody approves or rejects their own report."))
        if is_owner(user, timesheet) and not may_keep_timesheets(user):
            check_may_keep(user)
        raise ApplicationError("PERMISSION_DENIED", _("You may not do this with this report."))
    transition = next((t for t in TRANSITIONS if t.source == timesheet.status and t.action == action), None)
    if transition is None:
        status = dict(S.choices).get(timesheet.status, timesheet.status)
        raise ApplicationError(
            "INVALID_TRANSITION",
            _WRONG_STATUS[action] % {"status": status},
            errors={"status": [_("not allowed from %(source)s") % {"source": timesheet.status}]},
        )
    if transition.actor not in roles:
        if transition.actor == REVIEWER:
            message = _("Only staff of the department may reopen an approved report.")
        else:
            message = _("Only the owner may do this now.")
        raise ApplicationError("PERMISSION_DENIED", message)
    return transition


_WRONG_STATUS = {
    "submit": gettext_lazy("Only a draft can be submitted; this report is %(status)s."),
    "approve": gettext_lazy("Only a submitted report can be approved; this report is %(status)s."),
    "reject": gettext_lazy("Only a submitted report can be rejected; this report is %(status)s."),
    "reopen": gettext_lazy("This report is %(status)s; there is nothing to reopen."),
}
