"""Every django-q2 schedule, declared in one place. `setup_schedules`, `make run` and each
`migrate` call `ensure_schedules`, which creates or updates them by name (idempotent)."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    schedule_type: str
    minutes: int | None = None
    # For daily schedules: the local hour of the first run (later runs keep that time of day).
    hour: int | None = None
    # For weekly schedules: the weekday of the first run (0 = Monday), at `hour`.
    weekday: int | None = None
    # A task to run as soon as a worker starts, when the schedule is due by then (see run_due_at_worker_start).
    at_worker_start: str = ""


def declared_schedules() -> list[ScheduleSpec]:
    from django_q.models import Schedule

    return [
        # Every two minutes: proves a worker is alive; /health says "stale" after ten silent minutes.
        ScheduleSpec("worker-heartbeat", "scandy_site.core.tasks.worker_heartbeat", Schedule.MINUTES, minutes=2),
        # Daily at 07:00: reminder mails for overdue tools, and the staff digest.
        ScheduleSpec("overdue-reminders", "lending.tasks.send_overdue_reminders", Schedule.DAILY, hour=7),
        # Daily at BACKUP_HOUR (02:00): a full backup into the backup storage, then the rotation (prune).
        ScheduleSpec(
            "daily-backup", "scandy_site.backups.tasks.daily_backup", Schedule.DAILY, hour=settings.BACKUP_HOUR
        ),
        # Every SHOP_SYNC_MINUTES (default 5): orders and products from the shop; also at once when a
        # worker starts with the sync due (a fresh instance, or after the worker was down a while).
        ScheduleSpec(
            "shop-sync",
            "integrations.tasks.sync_shop_scheduled",
            Schedule.MINUTES,
            minutes=max(1, settings.SHOP_SYNC_MINUTES),
            at_worker_start="integrations.tasks.sync_shop_at_worker_start",
        ),
        # Every minute: webhook deliveries whose retry is due, and any event a missed trigger left behind
        # (each commit queues a run at once; this is the safety net and the retry clock).
        ScheduleSpec("webhook-deliveries", "scandy_site.events.tasks.deliver_webhooks", Schedule.MINUTES, minutes=1),
        # Daily at 03:00: ThingsBoard customers and devices.
        ScheduleSpec("thingsboard-sync", "integrations.tasks.sync_thingsboard_scheduled", Schedule.DAILY, hour=3),
        # Mondays at 07:00: a reminder to everyone who keeps timesheets and has not handed in last week's report.
        ScheduleSpec(
            "timesheet-reminders", "timesheets.tasks.send_weekly_reminders", Schedule.WEEKLY, hour=7, weekday=0
        ),
    ]


def _next_run(spec: ScheduleSpec) -> datetime.datetime:
    now = timezone.localtime()
    if spec.hour is None:
        return now
    first = now.replace(hour=spec.hour, minute=0, second=0, microsecond=0)
    if spec.weekday is not None:
        first += datetime.timedelta(days=(spec.weekday - first.weekday()) % 7)
        return first if first > now else first + datetime.timedelta(days=7)
    return first if first > now else first + datetime.timedelta(days=1)


def ensure_schedules(*, verbose: bool = True) -> list[tuple[str, bool]]:
    from django_q.models import Schedule

    results = []
    try:
        for spec in declared_schedules():
            _obj, created = Schedule.objects.update_or_create(
                name=spec.name,
                defaults={
                    "func": spec.func,
                    "schedule_type": spec.schedule_type,
                    "minutes": spec.minutes,
                    "repeats": -1,
                },
                # Only a new schedule gets a first run time; re-running keeps the existing rhythm.
                create_defaults={
                    "func": spec.func,
                    "schedule_type": spec.schedule_type,
                    "minutes": spec.minutes,
                    "repeats": -1,
                    "next_run": _next_run(spec),
                },
            )
            results.append((spec.name, created))
    except DatabaseError:
        if verbose:
            raise
    return results


def run_due_at_worker_start() -> list[str]:
    """Called in every django-q2 worker process as it starts (signal `post_spawn`).

    A schedule with `at_worker_start` that is due (a fresh schedule is due at once) runs now instead of
    at the scheduler's first pass: the conditional UPDATE moves its next run one interval ahead, so of
    several workers starting together exactly one enqueues the task, and the scheduler does not run
    it a second time. A worker restarted within the interval finds nothing due and starts nothing."""
    from django_q.models import Schedule
    from django_q.tasks import async_task

    started = []
    now = timezone.now()
    for spec in declared_schedules():
        if not spec.at_worker_start:
            continue
        interval = datetime.timedelta(minutes=spec.minutes) if spec.minutes else datetime.timedelta(days=1)
        try:
            claimed = Schedule.objects.filter(name=spec.name, next_run__lte=now).update(next_run=now + interval)
            if claimed:
                async_task(spec.at_worker_start, task_name=f"{spec.name}-at-worker-start")
                started.append(spec.name)
        except DatabaseError:
            # The worker must come up even when the database hiccups; the schedule then runs as usual.
            logger.exception("could not start %s at worker start", spec.name)
    return started
