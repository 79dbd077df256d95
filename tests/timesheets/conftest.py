import pytest
from django_q.conf import Conf

from scandy_site.accounts.roles import Role


@pytest.fixture(autouse=True)
def _instance_set_up(admin_user):
    """Timesheets live on a set-up instance: an administrator exists (else every page leads to /setup/)."""
    return admin_user


@pytest.fixture
def keepers(admin_user, employee, plain_user, participant):
    """The four role users, each with timesheets enabled: {role: user}."""
    users = {Role.ADMIN: admin_user, Role.EMPLOYEE: employee, Role.USER: plain_user, Role.PARTICIPANT: participant}
    for user in users.values():
        user.timesheet_enabled = True
        user.save(update_fields=["timesheet_enabled"])
    return users


@pytest.fixture
def owner(plain_user):
    """The plain user ("anwender"), named Max Muster, with timesheets enabled."""
    plain_user.timesheet_enabled = True
    plain_user.first_name, plain_user.last_name = "Max", "Muster"
    plain_user.save()
    return plain_user


@pytest.fixture
def q_sync(monkeypatch):
    """django-q2 runs queued tasks at once, in this process (as the worker would, after the commit)."""
    monkeypatch.setattr(Conf, "SYNC", True)
