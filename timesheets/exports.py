"""A weekly report as an A4 PDF (weasyprint, from templates/timesheets/export.html): the entries day by day,
the day and week totals, the approval, and lines for both signatures."""

from django.template.loader import render_to_string
from django.utils import timezone

from scandy_site.core.models import SiteConfiguration

from . import selectors
from .models import hours_minutes


def week_days(timesheet, entries) -> list[dict]:
    """The seven days of the report with their entries and totals (pages and PDF show the same)."""
    by_day = {day: [] for day in range(7)}
    for entry in entries:
        by_day[entry.day].append(entry)
    return [
        {"index": day, "date": date, "entries": by_day[day], "minutes": minutes, "total": hours_minutes(minutes)}
        for day, (date, minutes) in enumerate(zip(timesheet.dates(), timesheet.day_minutes(), strict=True))
    ]


def filename(timesheet) -> str:
    return f"wochenbericht-{timesheet.year}-KW{timesheet.week:02d}-{timesheet.user.username}.pdf"


def timesheet_pdf(timesheet) -> bytes:
    from weasyprint import HTML

    context = {
        "timesheet": timesheet,
        "days": week_days(timesheet, selectors.timesheet_entries(timesheet=timesheet)),
        "system_name": SiteConfiguration.current().display_name,
        "printed_at": timezone.localtime(),
    }
    return HTML(string=render_to_string("timesheets/export.html", context)).write_pdf()
