"""Reads of weekly reports. Pages and the API use the same functions, so both see the same rows.

Visibility (the list-level version of workflow.can_view): your own reports, in whichever department they were
made; and, for approvers, the reports of others in the current department (None = every department, which only
administrators can choose)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import ChangeEvent

from .models import Timesheet, TimesheetEntry
from .workflow import works_in


def _base():
    return Timesheet.objects.select_related("user", "department", "approved_by", "rejected_by")


def _others_in(user, department) -> Q | None:
    if not user.can("timesheets.approve"):
        return None
    if department is not None:
        # The scope comes resolved from the request; called with a department the user does not work in, nothing.
        return Q(department=department) if works_in(user, department.pk) else Q(pk__in=[])
    if user.can("departments.all"):
        return Q(pk__isnull=False)  # every report (an empty Q() would vanish when OR-ed with another)
    return Q(department__in=user.departments.filter(active=True))


def timesheet_list(*, user, department):
    """Every report `user` may see in this scope, newest week first."""
    others = _others_in(user, department)
    rule = Q(user=user) if others is None else Q(user=user) | others
    return _base().filter(rule).order_by("-year", "-week", "user__last_name", "user__username", "id")


def timesheet_own(*, user):
    return _base().filter(user=user).annotate(entry_count=Count("entries")).order_by("-year", "-week")


def timesheet_inbox(*, user, department):
    """Submitted reports of others waiting for `user`'s decision, the longest waiting first."""
    others = _others_in(user, department)
    if others is None:
        return Timesheet.objects.none()
    return (
        _base()
        .filter(others, status=Timesheet.Status.SUBMITTED)
        .exclude(user=user)
        .order_by("submitted_at", "year", "week", "id")
    )


def timesheet_inbox_count(*, user, department) -> int:
    others = _others_in(user, department)
    if others is None:
        return 0
    return Timesheet.objects.filter(others, status=Timesheet.Status.SUBMITTED).exclude(user=user).count()


def timesheet_get(*, user, department, pk) -> Timesheet:
    try:
        pk = int(str(pk))
    except ValueError:
        pk = None
    timesheet = timesheet_list(user=user, department=department).filter(pk=pk).first() if pk and pk < 2**62 else None
    if timesheet is None:
        raise ApplicationError("NOT_FOUND", _("No such weekly report."))
    return timesheet


def timesheet_of_week(*, user, year: int, week: int) -> Timesheet | None:
    return _base().filter(user=user, year=year, week=week).first()


def timesheet_entries(*, timesheet):
    entries = TimesheetEntry.objects.filter(timesheet=timesheet).select_related("ticket")
    for entry in entries:
        entry.timesheet = timesheet  # the date derives from the report: no query per entry
        yield entry


def timesheet_history(*, timesheet, limit: int | None = None):
    qs = (
        ChangeEvent.objects.filter(content_type=ContentType.objects.get_for_model(Timesheet), object_id=timesheet.pk)
        .select_related("user")
        .order_by("-id")
    )
    return qs[:limit] if limit else qs


def department_members(*, department):
    """Active users who keep timesheets in `department` (members; administrators only when assigned)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, timesheet_enabled=True, departments=department)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


def timesheet_week_overview(*, user, department, year: int, week: int) -> list[tuple]:
    """Per department and week: (person, report or None) for everyone who keeps timesheets in the department,
    plus anyone else with a report of that week there. Approvers only; scoped like the list."""
    others = _others_in(user, department)
    if others is None or department is None:
        return []
    reports = {t.user_id: t for t in _base().filter(others, year=year, week=week)}
    people = {u.pk: u for u in department_members(department=department)}
    for report in reports.values():
        people.setdefault(report.user_id, report.user)
    ordered = sorted(people.values(), key=lambda u: ((u.last_name or u.username).lower(), u.username))
    return [(person, reports.get(person.pk)) for person in ordered]


def recent_activities(*, user, limit: int = 30) -> list[str]:
    """The user's latest distinct activities, for quick entry."""
    since = timezone.localdate() - datetime.timedelta(days=120)
    rows = (
        TimesheetEntry.objects.filter(timesheet__user=user, created_at__date__gte=since)
        .order_by("-id")
        .values_list("activity", flat=True)[:300]
    )
    return list(dict.fromkeys(rows))[:limit]


def users_without_submission(*, year: int, week: int):
    """Active users with timesheets enabled and an email whose report of that week is missing, a draft or
    rejected (the Monday reminder)."""
    handed_in = Timesheet.objects.filter(
        year=year, week=week, status__in=[Timesheet.Status.SUBMITTED, Timesheet.Status.APPROVED]
    ).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, timesheet_enabled=True)
        .exclude(email="")
        .exclude(pk__in=handed_in)
        .order_by("pk")
    )
