"""django-q2 tasks: take ids or names, call a service, return a one-line summary for the task log."""

import logging

from scandy_site.core.errors import ApplicationError

from . import services
from .models import Source, SyncRun
from .sources import source_configured

logger = logging.getLogger(__name__)


def run_sync(run_id: int) -> str:
    """A run queued by the API, a page or the admin."""
    run = services.sync_execute(run_id=run_id)
    return f"{run.source} #{run.pk} {run.status}: {run.message}"


def _scheduled(source: str, trigger: str) -> str:
    if not source_configured(source):
        # Nothing configured is a normal state of an instance, not an error worth a failed task.
        return f"{source}: not configured"
    try:
        run = services.sync_now(source=source, trigger=trigger)
    except ApplicationError as exc:
        logger.info("scheduled %s sync skipped: %s", source, exc.message)
        return f"{source}: skipped ({exc.message})"
    return f"{source} #{run.pk} {run.status}: {run.message}"


def sync_shop_scheduled() -> str:
    return _scheduled(Source.SHOP, SyncRun.Trigger.SCHEDULE)


def sync_shop_at_worker_start() -> str:
    return _scheduled(Source.SHOP, SyncRun.Trigger.WORKER_START)


def sync_thingsboard_scheduled() -> str:
    return _scheduled(Source.THINGSBOARD, SyncRun.Trigger.SCHEDULE)
