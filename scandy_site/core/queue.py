"""Handing work to the django-q2 worker from a service."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def queue_after_commit(func: str, *args, **kwargs) -> None:
    """Queue the task `func` (a dotted path) once the current transaction commits; never run it in the request.

    A broker that cannot take it is logged: the change is committed, and a hiccup must not turn it into an
    error page."""

    def enqueue():
        from django_q.tasks import async_task  # looked up when called, so tests can stand in for it

        try:
            async_task(func, *args, **kwargs)
        except Exception:
            logger.exception("could not queue %s %s", func, args)

    transaction.on_commit(enqueue)
