import logging

from .services import lending_send_overdue_reminders

logger = logging.getLogger(__name__)


def send_overdue_reminders() -> str:
    result = lending_send_overdue_reminders()
    summary = (
        f"overdue lendings={result.lendings} worker mails={result.workers_mailed} digests={result.digests_mailed} "
        f"failed={result.failed}"
    )
    logger.info(summary)
    return summary
