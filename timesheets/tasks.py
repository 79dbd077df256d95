"""django-q2 tasks of the timesheets: queued by the services after their commit, or run by a schedule."""

from django.conf import settings

from . import notifications


def send_timesheet_mail(kind: str, timesheet_id: int, *, actor_id=None) -> int:
    return notifications.send_timesheet_mail(kind, timesheet_id, actor_id=actor_id)


def send_weekly_reminders() -> str:
    if not settings.ENABLE_WEEKLY_REPORTS:
        return "weekly reports are switched off"
    year, week, sent = notifications.send_weekly_reminders()
    return f"week={week}/{year} reminders={sent}"
