"""Mails about weekly reports (translated templates in templates/timesheets/mail/), written in the site's
language. They run in the django-q2 worker (tasks.py), after the change was committed."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from scandy_site.core.models import SiteConfiguration

from . import selectors
from .models import Timesheet, TimesheetReminder, week_monday
from .services import iso_week

logger = logging.getLogger(__name__)

KINDS = ("approved", "rejected", "reopened")


def _url(path: str) -> str:
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{path}" if base else ""


def _render(template: str, context: dict) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"system_name": SiteConfiguration.current().display_name, **context}
        subject = " ".join(render_to_string(f"timesheets/mail/{template}_subject.txt", context).split())
        body = render_to_string(f"timesheets/mail/{template}.txt", context)
    return subject, body


def send_timesheet_mail(kind: str, timesheet_id: int, *, actor_id=None) -> int:
    """Tell the owner their report was approved, rejected or reopened. Returns the number of mails sent."""
    if kind not in KINDS:
        raise ValueError(f"unknown timesheet mail {kind!r}")
    timesheet = (
        Timesheet.objects.select_related("user", "department", "approved_by", "rejected_by")
        .filter(pk=timesheet_id)
        .first()
    )
    if timesheet is None or not timesheet.user.email or not timesheet.user.is_active or timesheet.user_id == actor_id:
        return 0
    actor = type(timesheet.user).objects.filter(pk=actor_id).first() if actor_id else None
    context = {
        "timesheet": timesheet,
        "owner": timesheet.user,
        "actor": (actor.get_full_name() or actor.username) if actor else "",
        "url": _url(reverse("timesheets:week", args=[timesheet.year, timesheet.week])),
        "reason": timesheet.rejection_reason if kind == "rejected" else _reopen_reason(timesheet),
    }
    subject, body = _render(kind, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [timesheet.user.email])
    logger.info("timesheet mail %s for report %s sent", kind, timesheet.pk)
    return 1


def _reopen_reason(timesheet) -> str:
    latest = selectors.timesheet_history(timesheet=timesheet, limit=20)
    with translation.override(settings.LANGUAGE_CODE):  # the language of the mail (see _render)
        return next((event.shown_note for event in latest if "status" in event.changes), "")


def previous_week(today=None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return iso_week(today - datetime.timedelta(days=7))


def send_weekly_reminders(today=None) -> tuple[int, int, int]:
    """Monday morning: everyone who keeps timesheets and has not handed in last week's report gets one
    reminder (once per person and week, even when the schedule runs twice). Returns (year, week, mails)."""
    if not settings.ENABLE_WEEKLY_REPORTS:
        return 0, 0, 0
    year, week = previous_week(today)
    start = week_monday(year, week)
    sent = 0
    for user in selectors.users_without_submission(year=year, week=week):
        try:
            with transaction.atomic():
                _reminder, created = TimesheetReminder.objects.get_or_create(user=user, year=year, week=week)
        except IntegrityError:
            created = False
        if not created:
            continue
        report = selectors.timesheet_of_week(user=user, year=year, week=week)
        subject, body = _render("reminder", {
            "owner": user, "year": year, "week": week, "week_start": start,
            "week_end": start + datetime.timedelta(days=6), "timesheet": report,
            "url": _url(reverse("timesheets:week", args=[year, week])),
        })  # fmt: skip
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:
            # Not marked as sent: the next run tries again.
            TimesheetReminder.objects.filter(user=user, year=year, week=week).delete()
            logger.exception("timesheet reminder to user %s failed", user.pk)
            continue
        sent += 1
    logger.info("timesheet reminders for week %s/%s: %d sent", week, year, sent)
    return year, week, sent
