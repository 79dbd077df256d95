"""What a backup holds: every model but the documented exclusions, secret fields blanked."""

import pytest
from django.db import models

from scandy_site.backups import contents
from tests.factories.backups import EXPECTED_EXCLUDED, backed_up_models


def test_every_model_is_in_a_backup_except_the_documented_ones():
    labels = {model._meta.label_lower for model in contents.included_models()}
    assert labels == {model._meta.label_lower for model in backed_up_models()}
    assert set(contents.EXCLUDED_MODELS) == EXPECTED_EXCLUDED
    assert "accounts.user_departments" in labels  # many-to-many tables too
    assert "backups.backupfile" not in labels  # no table behind it


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("thingsboard_password_encrypted", True),
        ("password", True),
        ("api_token", True),
        ("preshared_token", True),
        ("webhook_secret", True),
        ("signing_key", True),
        ("apikey", True),
        ("credentials", True),
        ("external_key", False),
        ("tokens_left", False),
        ("passwordless", False),
        ("name", False),
    ],
)
def test_secret_field_names(name, secret):
    field = models.CharField(max_length=10)
    field.set_attributes_from_name(name)
    model = type("Probe", (), {"_meta": type("Meta", (), {"concrete_fields": [field]})})
    assert bool(contents.secret_fields(model)) is secret
