"""Timesheet pages: my weeks, the week editor, a report for its approver, the approvals inbox, the PDF.
Thin: parse input, call a selector or service, render.

Which reports someone sees is the selectors' business (a report you may not see is a 404); what they may do
with it is checked by the services (PERMISSION_DENIED becomes a 403 page, anything else a message)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scandy_site.accounts.permissions import capability_required
from scandy_site.core.admin_mixins import add_application_error
from scandy_site.core.errors import ApplicationError

from . import exports, selectors, services, workflow
from .forms import EntryForm, NoteForm, ReasonForm
from .models import DAYS, Timesheet, TimesheetEntry, hours_minutes, week_monday

VIEW = "timesheets.own"  # every role keeps its own weeks; approving is checked per report
REVIEW = "timesheets.approve"
WINDOW = 8  # weeks per page of "my weeks"
HISTORY_LIMIT = 30
ACTIONS = ("submit", "approve", "reject", "reopen")


def _scope(request):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    return scope


def _week_or_404(year, week) -> tuple[int, int]:
    try:
        return services.check_week(year, week)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


def _neighbours(year: int, week: int) -> dict:
    monday = week_monday(year, week)
    previous = services.iso_week(monday - datetime.timedelta(days=7))
    following = services.iso_week(monday + datetime.timedelta(days=7))
    return {"previous": previous, "next": following, "current": services.iso_week(timezone.localdate())}


def _home_department(request):
    """Where a new report of the user goes: the current department, or (working across all) the default one."""
    scope = _scope(request)
    if scope.department is not None:
        return scope.department
    default = request.user.default_department
    if default is not None and default in scope.allowed:
        return default
    return scope.allowed[0] if scope.allowed else None


def _week_url(year: int, week: int, anchor: str = "") -> str:
    return reverse("timesheets:week", args=[year, week]) + (f"#{anchor}" if anchor else "")


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- my weeks ----------------------------------------------------------------------------------


@require_GET
@capability_required(VIEW)
def timesheet_list(request):
    user = request.user
    this_year, this_week = services.iso_week(timezone.localdate())
    anchor = _parse_week(request.GET.get("until", "")) or (this_year, this_week)
    until = week_monday(*anchor)
    mondays = [until - datetime.timedelta(weeks=n) for n in range(WINDOW)]
    weeks = [services.iso_week(monday) for monday in mondays]
    own = selectors.timesheet_own(user=user)
    in_window = Q()
    for y, w in weeks:
        in_window |= Q(year=y, week=w)
    reports = {(t.year, t.week): t for t in own.filter(in_window)}
    rows = [
        {"year": y, "week": w, "start": monday, "end": monday + datetime.timedelta(days=DAYS - 1),
         "report": reports.get((y, w)), "is_current": (y, w) == (this_year, this_week)}
        for (y, w), monday in zip(weeks, mondays, strict=True)
    ]  # fmt: skip
    shown = set(weeks)
    this_monday = week_monday(this_year, this_week)
    open_reports = [
        t
        for t in own.filter(status__in=[Timesheet.Status.DRAFT, Timesheet.Status.REJECTED])[:20]
        if (t.year, t.week) not in shown
    ]
    context = {
        "rows": rows,
        "enabled": workflow.may_keep_timesheets(user),
        "open_reports": open_reports,
        "current": (this_year, this_week),
        "earlier": services.iso_week(until - datetime.timedelta(weeks=WINDOW)),
        "later": services.iso_week(min(until + datetime.timedelta(weeks=WINDOW), this_monday))
        if until < this_monday
        else None,
        "inbox_count": selectors.timesheet_inbox_count(user=user, department=_scope(request).department)
        if user.can(REVIEW)
        else 0,
    }
    return render(request, "timesheets/list.html", context)


def _parse_week(value: str) -> tuple[int, int] | None:
    """`2025-W14` (what <input type="week"> sends) → (2025, 14)."""
    value = (value or "").strip().upper()
    if len(value) > 10 or "-W" not in value:
        return None
    year, _sep, week = value.partition("-W")
    try:
        return services.check_week(year, week)
    except ApplicationError:
        return None


@require_GET
@capability_required(VIEW)
def week_jump(request):
    chosen = _parse_week(request.GET.get("week", ""))
    if chosen is None:
        messages.error(request, _("Choose a calendar week."))
        return redirect("timesheets:list")
    return redirect("timesheets:week", *chosen)


@require_GET
@capability_required(VIEW)
def current_week(request):
    return redirect("timesheets:week", *services.iso_week(timezone.localdate()))


# --- the week editor (own) and a report (for its approver) ----------------------------------------


def _report_context(request, timesheet, *, year: int, week: int, **forms) -> dict:
    """What the week page shows: `timesheet` may be None (a week without a report yet)."""
    user = request.user
    monday = week_monday(year, week)
    shell = timesheet or Timesheet(user=user, year=year, week=week)
    entries = list(selectors.timesheet_entries(timesheet=timesheet)) if timesheet else []
    days = exports.week_days(shell, entries)
    for day in days:
        timed = [e for e in day["entries"] if e.end_time]
        day["last_end"] = max(e.end_time for e in timed).strftime("%H:%M") if timed else ""
    is_owner = timesheet is None or workflow.is_owner(user, timesheet)
    enabled = workflow.may_keep_timesheets(user)
    editable = is_owner and enabled and (timesheet is None or timesheet.status in workflow.EDITABLE)
    today = timezone.localdate()
    default_day = (today - monday).days if 0 <= (today - monday).days < DAYS else 0
    requested_day = request.GET.get("day", "")
    if requested_day.isdigit() and int(requested_day) < DAYS:
        default_day = int(requested_day)
    tickets_enabled = settings.ENABLE_TICKET_SYSTEM
    previous = None
    if editable and not entries:
        previous_year, previous_week = _neighbours(year, week)["previous"]
        previous = selectors.timesheet_of_week(user=user, year=previous_year, week=previous_week)
    return {
        "timesheet": timesheet,
        "year": year,
        "week": week,
        "week_start": monday,
        "week_end": monday + datetime.timedelta(days=DAYS - 1),
        "days": days,
        "entries": entries,
        "total": hours_minutes(shell.total_minutes),
        "total_minutes": shell.total_minutes,
        "is_owner": is_owner,
        "enabled": enabled,
        "editable": editable,
        "transitions": workflow.transitions_for(user, timesheet) if timesheet else [],
        "entry_form": forms.get("entry_form") or EntryForm(
            week_start=monday, tickets_enabled=tickets_enabled, initial={"day": default_day, "break_minutes": 0}),
        "note_form": forms.get("note_form") or NoteForm(initial={"note": timesheet.note if timesheet else ""}),
        "reject_form": forms.get("reject_form") or ReasonForm(required=True, prefix="reject"),
        "reopen_form": forms.get("reopen_form") or ReasonForm(
            required=bool(timesheet and timesheet.status == Timesheet.Status.APPROVED), prefix="reopen"),
        "copy_from": previous if previous is not None and previous.total_minutes else None,
        "activities": selectors.recent_activities(user=user) if editable else [],
        "tickets_enabled": tickets_enabled,
        "history": list(selectors.timesheet_history(timesheet=timesheet, limit=HISTORY_LIMIT)) if timesheet else [],
        "neighbours": _neighbours(year, week) if is_owner else None,
        "today": today,
    }  # fmt: skip


@require_GET
@capability_required(VIEW)
def week_view(request, year, week):
    year, week = _week_or_404(year, week)
    timesheet = selectors.timesheet_of_week(user=request.user, year=year, week=week)
    return render(request, "timesheets/week.html", _report_context(request, timesheet, year=year, week=week))


@require_GET
@capability_required(VIEW)
def report_detail(request, pk):
    timesheet = selectors.timesheet_get(user=request.user, department=_scope(request).department, pk=pk)
    if workflow.is_owner(request.user, timesheet):
        return redirect("timesheets:week", timesheet.year, timesheet.week)
    context = _report_context(request, timesheet, year=timesheet.year, week=timesheet.week)
    return render(request, "timesheets/week.html", context)


def _week_error(request, year, week, timesheet, exc, **forms):
    if exc.code in ("PERMISSION_DENIED", "NOT_FOUND"):
        raise exc
    if exc.code == "VALIDATION_ERROR":
        for form in forms.values():
            add_application_error(form, exc)
    else:
        # A report that is read-only now: its forms are not shown, so the message goes on top of the page.
        messages.error(request, exc.message)
    context = _report_context(request, timesheet, year=year, week=week, **forms)
    return render(request, "timesheets/week.html", context, status=exc.status if exc.status < 500 else 400)


@require_POST
@capability_required(VIEW)
def entry_add(request, year, week):
    year, week = _week_or_404(year, week)
    form = EntryForm(request.POST, week_start=week_monday(year, week), tickets_enabled=settings.ENABLE_TICKET_SYSTEM)
    timesheet = selectors.timesheet_of_week(user=request.user, year=year, week=week)
    if not form.is_valid():
        context = _report_context(request, timesheet, year=year, week=week, entry_form=form)
        return render(request, "timesheets/week.html", context, status=400)
    try:
        if timesheet is None:
            timesheet, _created = services.timesheet_get_or_create(
                user=request.user, department=_home_department(request), year=year, week=week
            )
        entry = services.timesheet_entry_create(timesheet=timesheet, user=request.user, **form.service_fields())
    except ApplicationError as exc:
        return _week_error(request, year, week, timesheet, exc, entry_form=form)
    messages.success(request, _("Entry added: %(entry)s") % {"entry": f"{entry.activity} ({entry.duration_display} h)"})
    return redirect(_week_url(year, week, f"day-{entry.day}"))


def _own_entry(request, pk):
    entry = (
        TimesheetEntry.objects.select_related("timesheet", "timesheet__user", "ticket")
        .filter(pk=pk, timesheet__user=request.user)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


@require_http_methods(["GET", "POST"])
@capability_required(VIEW)
def entry_edit(request, pk):
    entry = _own_entry(request, pk)
    timesheet = entry.timesheet
    form = EntryForm(request.POST or None, week_start=timesheet.week_start,
                     tickets_enabled=settings.ENABLE_TICKET_SYSTEM, initial=EntryForm.initial_for(entry))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.timesheet_entry_update(entry=entry, user=request.user, **form.service_fields())
        except ApplicationError as exc:
            if exc.code in ("PERMISSION_DENIED", "NOT_FOUND"):
                raise
            add_application_error(form, exc)
        else:
            messages.success(request, _("Entry saved."))
            return redirect(_week_url(timesheet.year, timesheet.week, f"day-{form.cleaned_data['day']}"))
    context = {"form": form, "entry": entry, "timesheet": timesheet, "editable": workflow.can_edit(request.user,
               timesheet), "activities": selectors.recent_activities(user=request.user)}  # fmt: skip
    return render(request, "timesheets/entry_form.html", context, status=400 if form.errors else 200)


@require_POST
@capability_required(VIEW)
def entry_delete(request, pk):
    entry = _own_entry(request, pk)
    timesheet = entry.timesheet
    try:
        services.timesheet_entry_delete(entry=entry, user=request.user)
    except ApplicationError as exc:
        if exc.code in ("PERMISSION_DENIED", "NOT_FOUND"):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Entry removed."))
    return redirect(_week_url(timesheet.year, timesheet.week, f"day-{entry.day}"))


@require_POST
@capability_required(VIEW)
def note_save(request, year, week):
    year, week = _week_or_404(year, week)
    timesheet = selectors.timesheet_of_week(user=request.user, year=year, week=week)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            if timesheet is None:
                timesheet, _created = services.timesheet_get_or_create(
                    user=request.user, department=_home_department(request), year=year, week=week
                )
            services.timesheet_update(timesheet=timesheet, user=request.user, note=form.cleaned_data["note"])
        except ApplicationError as exc:
            return _week_error(request, year, week, timesheet, exc, note_form=form)
        messages.success(request, _("Note saved."))
    return redirect(_week_url(year, week, "note"))


@require_POST
@capability_required(VIEW)
def copy_previous(request, year, week):
    year, week = _week_or_404(year, week)
    try:
        timesheet, _created = services.timesheet_get_or_create(
            user=request.user, department=_home_department(request), year=year, week=week
        )
        count = services.timesheet_copy_previous_week(timesheet=timesheet, user=request.user)
    except ApplicationError as exc:
        if exc.code in ("PERMISSION_DENIED", "NOT_FOUND"):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s entries copied from the week before.") % {"count": count})
    return redirect(_week_url(year, week))


@require_POST
@capability_required(VIEW)
def report_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    scope = _scope(request)
    timesheet = selectors.timesheet_get(user=request.user, department=scope.department, pk=pk)
    form = ReasonForm(request.POST, prefix=action, required=action == "reject" or (
        action == "reopen" and timesheet.status == Timesheet.Status.APPROVED))  # fmt: skip
    owner = workflow.is_owner(request.user, timesheet)
    fallback = _week_url(timesheet.year, timesheet.week) if owner else reverse("timesheets:detail", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Say why."))
        return redirect(_safe_next(request, fallback))
    try:
        services.timesheet_act(timesheet=timesheet, user=request.user, action=action,
                               reason=form.cleaned_data.get("reason", ""))  # fmt: skip
    except ApplicationError as exc:
        if exc.code in ("PERMISSION_DENIED", "NOT_FOUND"):
            raise
        messages.error(request, exc.message)
        return redirect(_safe_next(request, fallback))
    done = {
        "submit": _("Week %(week)s/%(year)s submitted."),
        "approve": _("Week %(week)s/%(year)s of %(name)s approved."),
        "reject": _("Week %(week)s/%(year)s of %(name)s rejected."),
        "reopen": _("Week %(week)s/%(year)s is a draft again."),
    }[action]
    messages.success(request, done % {"week": timesheet.week, "year": timesheet.year, "name": timesheet.owner_name})
    return redirect(_safe_next(request, fallback))


@require_GET
@capability_required(VIEW)
def report_pdf(request, pk):
    timesheet = selectors.timesheet_get(user=request.user, department=_scope(request).department, pk=pk)
    response = HttpResponse(exports.timesheet_pdf(timesheet), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{exports.filename(timesheet)}"'
    return response


# --- approvals ---------------------------------------------------------------------------------


@require_GET
@capability_required(REVIEW)
def approvals(request):
    scope = _scope(request)
    user = request.user
    inbox = Paginator(selectors.timesheet_inbox(user=user, department=scope.department), 50).get_page(
        request.GET.get("page"))  # fmt: skip
    year, week = _parse_week(request.GET.get("week", "")) or services.iso_week(
        timezone.localdate() - datetime.timedelta(days=7))  # fmt: skip
    overview = selectors.timesheet_week_overview(user=user, department=scope.department, year=year, week=week)
    monday = week_monday(year, week)
    context = {
        "scope": scope,
        "page": inbox,
        "overview": overview,
        "overview_year": year,
        "overview_week": week,
        "overview_start": monday,
        "overview_end": monday + datetime.timedelta(days=DAYS - 1),
        "neighbours": _neighbours(year, week),
        "reject_form": ReasonForm(required=True, prefix="reject"),
        "statuses": Timesheet.Status,
    }
    return render(request, "timesheets/approvals.html", context)
