import pytest


@pytest.fixture(autouse=True)
def _job_board_on(settings, admin_user):
    """The job board is off by default; these tests switch it on (and have a set-up instance: an administrator
    exists, else every page leads to /setup/)."""
    settings.ENABLE_JOB_BOARD = True
    return admin_user


@pytest.fixture
def english(api_for):
    """`english(user)`: the user's API client asking for English answers (the tests read the messages)."""

    def make(user, department=None):
        client = api_for(user, department)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def q_sync(monkeypatch):
    """django-q2 runs queued tasks at once, in this process (as the worker would, after the commit)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
