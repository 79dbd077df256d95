from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django_q.signals import post_spawn

from .setup_state import forget_setup_state


@receiver(post_save, sender=get_user_model())
@receiver(post_delete, sender=get_user_model())
def _user_changed(**kwargs):
    forget_setup_state()


@receiver(post_migrate)
def _ensure_schedules(sender, app_config=None, **kwargs):
    # Runs once per migrate, after the last app: schedules exist as soon as the schema does.
    if app_config is None or app_config.label != "core":
        return
    from .schedules import ensure_schedules

    ensure_schedules(verbose=False)


@receiver(post_spawn)
def _worker_started(sender, proc_name=None, **kwargs):
    from django_q.conf import Conf

    from .schedules import run_due_at_worker_start

    if Conf.SYNC:
        return  # tasks run inline (tests): no worker is starting
    run_due_at_worker_start()
