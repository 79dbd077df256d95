import pytest
from django_q.conf import Conf


@pytest.fixture(autouse=True)
def _instance_set_up(admin_user):
    """Tickets live on a set-up instance: an administrator exists (else every page leads to /setup/)."""
    return admin_user


@pytest.fixture
def q_sync(monkeypatch):
    """django-q2 runs queued tasks at once, in this process (as the worker would, after the commit)."""
    monkeypatch.setattr(Conf, "SYNC", True)
