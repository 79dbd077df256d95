from .notifications import send_ticket_mail as _send


def send_ticket_mail(kind: str, ticket_id: int, **extra) -> int:
    """django-q2 task, queued by the ticket services after their transaction committed."""
    return _send(kind, ticket_id, **extra)
