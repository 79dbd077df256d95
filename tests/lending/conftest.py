import pytest


@pytest.fixture(autouse=True)
def _instance_set_up(admin_user):
    """Lending runs on a set-up instance: an administrator exists (else every page leads to /setup/)."""
    return admin_user
