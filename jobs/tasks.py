from .notifications import send_job_mail as _send


def send_job_mail(kind: str, application_id: int) -> int:
    """django-q2 task, queued by the job services after their transaction committed."""
    return _send(kind, application_id)
