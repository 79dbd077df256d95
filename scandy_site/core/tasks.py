from django.utils import timezone

from .models import WorkerHeartbeat


def worker_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(id=1, defaults={"beat_at": timezone.now()})
