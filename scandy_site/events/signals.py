"""After every commit that wrote history rows: wake this process's live streams and queue a webhook run."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from scandy_site.core.history import events_committed

from . import services, stream
from .models import WebhookEndpoint


@receiver(events_committed, dispatch_uid="scandy-events-committed")
def _events_committed(**kwargs):
    stream.wake_up()
    if services.webhooks_active():
        services.queue_delivery_run()


@receiver(post_save, sender=WebhookEndpoint, dispatch_uid="scandy-webhook-endpoint-saved")
@receiver(post_delete, sender=WebhookEndpoint, dispatch_uid="scandy-webhook-endpoint-deleted")
def _endpoint_changed(**kwargs):
    services.forget_active_state()
