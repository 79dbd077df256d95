from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

HEARTBEAT_STALE_AFTER = timedelta(minutes=10)


@require_GET
def health(request):
    """`GET /health` (no auth): database ping and worker heartbeat; 503 when the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "error", "worker": "unknown"}, status=503)
    from .models import WorkerHeartbeat

    beat = WorkerHeartbeat.objects.filter(id=1).values_list("beat_at", flat=True).first()
    worker = "ok" if beat and timezone.now() - beat < HEARTBEAT_STALE_AFTER else "stale"
    return JsonResponse({"status": "ok", "database": "ok", "worker": worker})
