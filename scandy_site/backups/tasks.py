import logging

from .services import backup_daily

logger = logging.getLogger(__name__)


def daily_backup() -> str:
    """Scheduled daily (core/schedules.py): a full backup, then the rotation."""
    created, pruned = backup_daily()
    logger.info("daily backup %s; pruned %d", created.name, len(pruned.deleted))
    return created.name
