"""django-q2 tasks of the event feed (queued after commits and by the `webhook-deliveries` schedule)."""

from . import services


def deliver_webhooks() -> str:
    result = services.webhooks_deliver()
    return f"queued={result.queued} sent={result.sent} failed_attempts={result.failed_attempts}"
