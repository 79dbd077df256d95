"""Writes to weekly reports. Each public function is one user action in one transaction: it locks the
report row (owner and approver may act at the same moment), checks the caller's right and the report's
status (see workflow.py), writes a history row, recomputes the day totals, and queues the mails it causes
for after the commit (django-q2 task).

`user=None` is the system (demo data, management commands): no rights are checked, the workflow still is."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import SystemNote, record_change
from scandy_site.core.queue import queue_after_commit
from scandy_site.core.validation import reject_unknown_fields

from . import workflow
from .models import DAY_FIELDS, DAYS, MINUTES_PER_DAY, Timesheet, TimesheetEntry, hours_minutes, week_monday

ENTRY_FIELDS = ("date", "start_time", "end_time", "break_minutes", "hours", "minutes", "activity", "description",
                "ticket")  # fmt: skip
MAX_REASON_LENGTH = 2000
MAX_NOTE_LENGTH = 5000
MAX_DESCRIPTION_LENGTH = 5000
MAX_ENTRIES_PER_WEEK = 200


# --- helpers -----------------------------------------------------------------------------------


def _invalid(field: str, message) -> ApplicationError:
    return ApplicationError("VALIDATION_ERROR", message, errors={field: [message]})


def _lock(timesheet) -> Timesheet:
    # Only the report row is locked (no joins: an outer join cannot be locked, and the user row stays free).
    return Timesheet.objects.select_for_update().get(pk=timesheet.pk)


def iso_week(date: datetime.date) -> tuple[int, int]:
    year, week, _day = date.isocalendar()
    return year, week


def check_week(year, week) -> tuple[int, int]:
    try:
        year, week = int(year), int(week)
        week_monday(year, week)
    except (TypeError, ValueError, OverflowError) as exc:
        message = _("There is no calendar week %(week)s in %(year)s.") % {"week": week, "year": year}
        raise _invalid("week", message) from exc
    if not 2000 <= year <= 2999:
        raise _invalid("year", _("Choose a year between 2000 and 2999."))
    return year, week


def _queue_mail(kind: str, timesheet_id: int, *, actor) -> None:
    queue_after_commit("timesheets.tasks.send_timesheet_mail", kind, timesheet_id, actor_id=getattr(actor, "pk", None))


def _refresh_totals(timesheet: Timesheet) -> None:
    """The seven day totals and the week total, recomputed from the entries (the database checks each day
    is at most 24 hours and that the total is their sum)."""
    per_day = dict(TimesheetEntry.objects.filter(timesheet=timesheet).values_list("day").annotate(total=Sum("minutes")))
    for day, name in enumerate(DAY_FIELDS):
        setattr(timesheet, name, per_day.get(day) or 0)
    timesheet.total_minutes = sum(timesheet.day_minutes())
    timesheet.save(update_fields=[*DAY_FIELDS, "total_minutes", "updated_at"])


def _move(timesheet: Timesheet, target: str, *, user, note: str = "", extra_changes: dict | None = None) -> None:
    source = timesheet.status
    now = timezone.now()
    timesheet.status = target
    update = ["status", "updated_at"]
    if target == Timesheet.Status.SUBMITTED:
        timesheet.submitted_at = now
        update.append("submitted_at")
    elif target == Timesheet.Status.APPROVED:
        timesheet.approved_at, timesheet.approved_by = now, user
        timesheet.rejected_at, timesheet.rejected_by, timesheet.rejection_reason = None, None, ""
        update += ["approved_at", "approved_by", "rejected_at", "rejected_by", "rejection_reason"]
    elif target == Timesheet.Status.REJECTED:
        timesheet.rejected_at, timesheet.rejected_by = now, user
        update += ["rejected_at", "rejected_by", "rejection_reason"]
    elif target == Timesheet.Status.DRAFT:
        # Back to the owner: the submission and any approval no longer hold (the history keeps them).
        timesheet.submitted_at, timesheet.approved_at, timesheet.approved_by = None, None, None
        update += ["submitted_at", "approved_at", "approved_by"]
    timesheet.save(update_fields=update)
    changes = {"status": [source, target], **(extra_changes or {})}
    record_change(timesheet, action="updated", user=user, changes=changes, note=note)


def _clean_reason(reason, *, required: bool) -> str:
    reason = str(reason or "").strip()
    if required and not reason:
        raise _invalid("reason", _("Say why."))
    if len(reason) > MAX_REASON_LENGTH:
        raise _invalid("reason", _("The reason is too long."))
    return reason


# --- entries: input to stored values --------------------------------------------------------------


@dataclass
class EntryValues:
    day: int
    start_time: datetime.time | None
    end_time: datetime.time | None
    break_minutes: int
    minutes: int
    activity: str
    description: str
    ticket: object

    def apply(self, entry: TimesheetEntry) -> None:
        for name, value in self.__dict__.items():
            setattr(entry, name, value)


def _minutes_of(value, field: str) -> int:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise _invalid(field, _("%(field)s must be a number.") % {"field": field}) from exc
    if not number.is_finite() or number < 0:
        raise _invalid(field, _("%(field)s must not be negative.") % {"field": field})
    if field == "hours":
        number *= 60
    if number > MINUTES_PER_DAY:
        raise _invalid(field, _("An entry is at most 24 hours."))
    return int(number.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _span(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def resolve_ticket(*, timesheet, ticket):
    """A ticket reference: a Ticket, its id or its number, visible to the report's owner in its department."""
    if ticket in (None, ""):
        return None
    from django.conf import settings

    if not settings.ENABLE_TICKET_SYSTEM:
        raise _invalid("ticket", _("The ticket system is switched off."))
    from tickets import selectors as ticket_selectors

    identifier = ticket.pk if hasattr(ticket, "pk") else ticket
    try:
        return ticket_selectors.ticket_get(user=timesheet.user, department=timesheet.department, identifier=identifier)
    except ApplicationError as exc:
        message = _("No ticket %(ticket)s in this department.") % {"ticket": str(identifier)[:20]}
        raise _invalid("ticket", message) from exc


def _entry_values(timesheet, *, user, current: TimesheetEntry | None = None, **fields) -> EntryValues:
    """Validated values of a new entry, or of `current` with `fields` changed (only the fields sent)."""
    reject_unknown_fields(fields, ENTRY_FIELDS)
    start = timesheet.week_start
    # The day: a date inside the report's week.
    if "date" in fields or current is None:
        date = fields.get("date")
        if not isinstance(date, datetime.date):
            raise _invalid("date", _("Give the date of the entry."))
        if isinstance(date, datetime.datetime):
            date = date.date()
        day = (date - start).days
        if not 0 <= day < DAYS:
            raise _invalid(
                "date",
                _("%(date)s is not in week %(week)s/%(year)s (%(start)s – %(end)s).")
                % {"date": date.isoformat(), "week": timesheet.week, "year": timesheet.year,
                   "start": start.isoformat(), "end": timesheet.week_end.isoformat()}
            )  # fmt: skip
    else:
        day = current.day

    # The time: from–to (minus the break) or hours. Sending one switches an existing entry to that kind.
    timed = "start_time" in fields or "end_time" in fields
    counted = fields.get("hours") is not None or fields.get("minutes") is not None
    if timed and counted and (fields.get("start_time") or fields.get("end_time")):
        raise _invalid("hours", _("Give either from–to or hours, not both."))
    break_minutes = current.break_minutes if current is not None else 0
    if "break_minutes" in fields:
        break_minutes = _minutes_of(fields["break_minutes"] or 0, "break_minutes")
    if counted:
        start_time = end_time = None
        key = "hours" if fields.get("hours") is not None else "minutes"
        minutes = _minutes_of(fields[key], key)
    else:
        start_time = fields["start_time"] if "start_time" in fields else getattr(current, "start_time", None)
        end_time = fields["end_time"] if "end_time" in fields else getattr(current, "end_time", None)
        if start_time is None and end_time is None:
            if current is None or current.start_time is not None or timed:
                raise _invalid("hours", _("Give the time: from and to, or the hours."))
            minutes = current.minutes
        elif start_time is None or end_time is None:
            field = "start_time" if start_time is None else "end_time"
            raise _invalid(field, _("Give both from and to."))
        else:
            span = _span(start_time, end_time)
            if span <= 0:
                message = _("The end must be after the start (split work past midnight in two entries).")
                raise _invalid("end_time", message)
            if break_minutes >= span:
                raise _invalid("break_minutes", _("The break is as long as the time worked or longer."))
            minutes = span - break_minutes
    if minutes <= 0:
        raise _invalid("hours", _("An entry needs some time worked."))

    activity = fields["activity"] if "activity" in fields else getattr(current, "activity", "")
    activity = (activity or "").strip()
    if not activity:
        raise _invalid("activity", _("Say what you did."))
    if len(activity) > 200:
        raise _invalid("activity", _("The activity is at most 200 characters."))
    description = fields["description"] if "description" in fields else getattr(current, "description", "")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise _invalid("description", _("The description is too long."))
    if "ticket" in fields:
        ticket = resolve_ticket(timesheet=timesheet, ticket=fields["ticket"])
    else:
        ticket = getattr(current, "ticket", None)
    return EntryValues(day=day, start_time=start_time, end_time=end_time, break_minutes=break_minutes,
                       minutes=minutes, activity=activity, description=description, ticket=ticket)  # fmt: skip


def _check_day(timesheet, values: EntryValues, *, exclude_id=None) -> None:
    """At most 24 hours on one day, and no two from–to entries of a day overlapping."""
    others = [e for e in TimesheetEntry.objects.filter(timesheet=timesheet, day=values.day) if e.pk != exclude_id]
    date = timesheet.week_start + datetime.timedelta(days=values.day)
    total = sum(e.minutes for e in others) + values.minutes
    if total > MINUTES_PER_DAY:
        raise _invalid(
            "hours",
            _("%(date)s would have %(total)s hours; a day has at most 24.")
            % {"date": date.isoformat(), "total": hours_minutes(total)},
        )
    if values.start_time is None:
        return
    for other in others:
        if other.start_time is not None and values.start_time < other.end_time and other.start_time < values.end_time:
            raise _invalid(
                "start_time",
                _("%(date)s: overlaps %(start)s–%(end)s (%(activity)s).")
                % {"date": date.isoformat(), "start": f"{other.start_time:%H:%M}", "end": f"{other.end_time:%H:%M}",
                   "activity": other.activity}
            )  # fmt: skip


def _prepare_for_change(timesheet, user) -> None:
    """Entries change only in a draft; a change to a rejected report takes it back to draft first."""
    workflow.check_editable(user, timesheet)
    if timesheet.status == Timesheet.Status.REJECTED:
        back = SystemNote(gettext_noop("Back to draft for correction"))
        _move(timesheet, Timesheet.Status.DRAFT, user=user, note=back)


def _too_many(field: str) -> ApplicationError:
    return _invalid(field, _("A week holds at most %(count)s entries.") % {"count": MAX_ENTRIES_PER_WEEK})


def _add_entry(timesheet, *, user, fields: dict) -> TimesheetEntry:
    if TimesheetEntry.objects.filter(timesheet=timesheet).count() >= MAX_ENTRIES_PER_WEEK:
        raise _too_many("date")
    values = _entry_values(timesheet, user=user, **fields)
    _check_day(timesheet, values)
    entry = TimesheetEntry(timesheet=timesheet)
    values.apply(entry)
    entry.save()
    return entry


# --- reports -----------------------------------------------------------------------------------


def _check_department(user, department) -> None:
    if department is None:
        raise _invalid("department", _("Choose a department for the report."))
    if user is not None and not workflow.works_in(user, department.pk):
        message = _("You do not work in %(department)s.") % {"department": department}
        raise ApplicationError("PERMISSION_DENIED", message)


def _clean_note(note) -> str:
    note = str(note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise _invalid("note", _("The note is too long."))
    return note


def _new_report(*, owner, department, year: int, week: int, user, note: str = "") -> Timesheet | None:
    """A new draft, or None when the owner already has one for that week (also when another request just made it)."""
    try:
        with transaction.atomic():
            timesheet = Timesheet.objects.create(user=owner, department=department, year=year, week=week, note=note)
    except IntegrityError:
        if Timesheet.objects.filter(user=owner, year=year, week=week).exists():
            return None
        raise
    changes = {"year": [None, year], "week": [None, week], "status": [None, timesheet.status]}
    if note:
        changes["note"] = [None, note]
    record_change(timesheet, action="created", user=user, changes=changes)
    return timesheet


@transaction.atomic
def timesheet_get_or_create(*, user, department, year, week) -> tuple[Timesheet, bool]:
    """The user's own report of that week; a new draft in `department` when there is none yet."""
    workflow.check_may_keep(user)
    year, week = check_week(year, week)
    existing = Timesheet.objects.filter(user=user, year=year, week=week).first()
    if existing is not None:
        return existing, False
    _check_department(user, department)
    made = _new_report(owner=user, department=department, year=year, week=week, user=user)
    if made is None:
        return Timesheet.objects.get(user=user, year=year, week=week), False
    return made, True


@transaction.atomic
def timesheet_create(*, user, department, year, week, note: str = "", entries=(), owner=None) -> Timesheet:
    """A new report (the API's POST). `owner` defaults to `user`; only the system makes reports for others."""
    owner = owner or user
    if user is not None and owner.pk != user.pk:
        raise ApplicationError("PERMISSION_DENIED", _("Everyone makes their own reports."))
    workflow.check_may_keep(user)
    year, week = check_week(year, week)
    _check_department(user, department)
    timesheet = _new_report(owner=owner, department=department, year=year, week=week, user=user,
                            note=_clean_note(note))  # fmt: skip
    if timesheet is None:
        existing = Timesheet.objects.get(user=owner, year=year, week=week)
        raise ApplicationError(
            "CONFLICT",
            _("There is a report for week %(week)s/%(year)s already (#%(id)s).")
            % {"week": week, "year": year, "id": existing.pk},
            errors={"week": [_("report exists")], "id": [str(existing.pk)]},
        )
    for fields in entries:
        _add_entry(timesheet, user=user, fields=dict(fields))
    if entries:
        _refresh_totals(timesheet)
        record_change(timesheet, action="updated", user=user,
                      changes={"entries": [None, "; ".join(str(e) for e in timesheet.entries.all())]})  # fmt: skip
    return timesheet


@transaction.atomic
def timesheet_update(*, timesheet: Timesheet, user, note=None, entries=None) -> Timesheet:
    """Change the note and/or replace all entries (the API's PATCH/PUT)."""
    timesheet = _lock(timesheet)
    _prepare_for_change(timesheet, user)
    changes = {}
    if note is not None:
        note = _clean_note(note)
        if note != timesheet.note:
            changes["note"] = [timesheet.note or None, note or None]
            timesheet.note = note
            timesheet.save(update_fields=["note", "updated_at"])
    if entries is not None:
        if len(entries) > MAX_ENTRIES_PER_WEEK:
            raise _too_many("entries")
        old = [str(e) for e in timesheet.entries.all()]
        timesheet.entries.all().delete()
        for fields in entries:
            _add_entry(timesheet, user=user, fields=dict(fields))
        new = [str(e) for e in timesheet.entries.all()]
        _refresh_totals(timesheet)
        if old != new:
            changes["entries"] = ["; ".join(old) or None, "; ".join(new) or None]
    if changes:
        record_change(timesheet, action="updated", user=user, changes=changes)
    return timesheet


@transaction.atomic
def timesheet_entry_create(*, timesheet: Timesheet, user, **fields) -> TimesheetEntry:
    timesheet = _lock(timesheet)
    _prepare_for_change(timesheet, user)
    entry = _add_entry(timesheet, user=user, fields=fields)
    _refresh_totals(timesheet)
    record_change(timesheet, action="updated", user=user, changes={"entries": [None, str(entry)]})
    return entry


def _entry_of(timesheet, entry) -> TimesheetEntry:
    found = TimesheetEntry.objects.filter(timesheet=timesheet, pk=getattr(entry, "pk", entry)).first()
    if found is None:
        raise ApplicationError("NOT_FOUND", _("No such entry in this report."))
    found.timesheet = timesheet
    return found


@transaction.atomic
def timesheet_entry_update(*, entry: TimesheetEntry, user, **fields) -> TimesheetEntry:
    timesheet = _lock(entry.timesheet)
    entry = _entry_of(timesheet, entry)
    _prepare_for_change(timesheet, user)
    before = str(entry)
    values = _entry_values(timesheet, user=user, current=entry, **fields)
    _check_day(timesheet, values, exclude_id=entry.pk)
    values.apply(entry)
    entry.save()
    _refresh_totals(timesheet)
    if str(entry) != before:
        record_change(timesheet, action="updated", user=user, changes={"entries": [before, str(entry)]})
    return entry


@transaction.atomic
def timesheet_entry_delete(*, entry: TimesheetEntry, user) -> None:
    timesheet = _lock(entry.timesheet)
    entry = _entry_of(timesheet, entry)
    _prepare_for_change(timesheet, user)
    text = str(entry)
    entry.delete()
    _refresh_totals(timesheet)
    record_change(timesheet, action="updated", user=user, changes={"entries": [text, None]})


@transaction.atomic
def timesheet_copy_previous_week(*, timesheet: Timesheet, user) -> int:
    """Fill an empty week with the entries of the owner's week before (same weekdays); returns how many."""
    timesheet = _lock(timesheet)
    _prepare_for_change(timesheet, user)
    if TimesheetEntry.objects.filter(timesheet=timesheet).exists():
        raise _invalid("entries", _("This week has entries already."))
    year, week = iso_week(timesheet.week_start - datetime.timedelta(days=7))
    source = Timesheet.objects.filter(user=timesheet.user_id, year=year, week=week).first()
    copied = list(source.entries.all()) if source is not None else []
    if not copied:
        raise _invalid("entries", _("The week before has no entries to copy."))
    TimesheetEntry.objects.bulk_create(
        TimesheetEntry(timesheet=timesheet, day=e.day, start_time=e.start_time, end_time=e.end_time,
                       break_minutes=e.break_minutes, minutes=e.minutes, activity=e.activity,
                       description=e.description, ticket_id=e.ticket_id)
        for e in copied
    )  # fmt: skip
    _refresh_totals(timesheet)
    record_change(
        timesheet, action="updated", user=user,
        changes={"entries": [None, "; ".join(str(e) for e in timesheet.entries.all())]},
        note=SystemNote(gettext_noop("Copied from week %(week)s/%(year)s"), {"week": week, "year": year}),
    )  # fmt: skip
    return len(copied)


# --- workflow ----------------------------------------------------------------------------------


@transaction.atomic
def timesheet_submit(*, timesheet: Timesheet, user) -> Timesheet:
    timesheet = _lock(timesheet)
    workflow.check_transition(timesheet, "submit", user)
    if not TimesheetEntry.objects.filter(timesheet=timesheet).exists():
        raise _invalid("entries", _("Add at least one entry before submitting."))
    if timesheet.week_start > timezone.localdate():
        raise _invalid("week", _("This week has not started yet; submit it when it has."))
    _move(timesheet, Timesheet.Status.SUBMITTED, user=user)
    return timesheet


@transaction.atomic
def timesheet_approve(*, timesheet: Timesheet, user) -> Timesheet:
    timesheet = _lock(timesheet)
    workflow.check_transition(timesheet, "approve", user)
    _move(timesheet, Timesheet.Status.APPROVED, user=user)
    _queue_mail("approved", timesheet.pk, actor=user)
    return timesheet


@transaction.atomic
def timesheet_reject(*, timesheet: Timesheet, user, reason: str) -> Timesheet:
    timesheet = _lock(timesheet)
    workflow.check_transition(timesheet, "reject", user)
    reason = _clean_reason(reason, required=True)
    timesheet.rejection_reason = reason
    _move(timesheet, Timesheet.Status.REJECTED, user=user, note=reason,
          extra_changes={"rejection_reason": [None, reason]})  # fmt: skip
    _queue_mail("rejected", timesheet.pk, actor=user)
    return timesheet


@transaction.atomic
def timesheet_reopen(*, timesheet: Timesheet, user, reason: str = "") -> Timesheet:
    """Back to draft: the owner withdraws a submitted report or corrects a rejected one; staff of the department
    reopen an approved one (a reason is required and recorded, and the owner is told)."""
    timesheet = _lock(timesheet)
    transition = workflow.check_transition(timesheet, "reopen", user)
    reopening_approved = transition.source == Timesheet.Status.APPROVED
    reason = _clean_reason(reason, required=reopening_approved)
    if reopening_approved:
        note = _("Reopened: %(reason)s") % {"reason": reason}
    elif transition.source == Timesheet.Status.SUBMITTED:
        note = _("Withdrawn") + (f": {reason}" if reason else "")
    else:
        note = _("Back to draft for correction") + (f": {reason}" if reason else "")
    _move(timesheet, Timesheet.Status.DRAFT, user=user, note=note)
    if reopening_approved:
        _queue_mail("reopened", timesheet.pk, actor=user)
    return timesheet


def timesheet_act(*, timesheet: Timesheet, user, action: str, reason: str = "") -> Timesheet:
    """One of submit, approve, reject, reopen by name (pages, API and admin share the dispatch)."""
    if action == "submit":
        return timesheet_submit(timesheet=timesheet, user=user)
    if action == "approve":
        return timesheet_approve(timesheet=timesheet, user=user)
    if action == "reject":
        return timesheet_reject(timesheet=timesheet, user=user, reason=reason)
    if action == "reopen":
        return timesheet_reopen(timesheet=timesheet, user=user, reason=reason)
    raise ApplicationError("NOT_FOUND", _("Not found."))
