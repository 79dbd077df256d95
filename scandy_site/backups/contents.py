"""What a backup holds, found in the app registry rather than listed by hand.

Every concrete model of every installed app is in a backup (many-to-many tables included), so a
model added later is covered without touching this module. Left out are the few kinds of rows that
are running state or credentials (`EXCLUDED_MODELS`), and secret fields are blanked (`secret_fields`).
"""

import base64
import datetime
import decimal
import re
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils.duration import duration_iso_string

# label_lower -> why it is not in a backup. Restore leaves these tables alone, except for the
# credentials noted (sessions and tokens refer to user ids that a restore may give to other people).
EXCLUDED_MODELS = {
    "sessions.session": "sign-ins; a session stays valid after a restore only for the same user and password",
    "authtoken.token": "API tokens are credentials stored in plain text; a restore keeps the current tokens of "
    "users that exist afterwards with the same username",
    "django_q.task": "results of background tasks (running state)",
    "django_q.success": "results of background tasks (running state)",
    "django_q.failure": "results of background tasks (running state)",
    "django_q.ormq": "the queue of background tasks (running state)",
    "core.workerheartbeat": "liveness of the running worker",
}

# In a backup, but not replaced on restore: rows are matched by natural key to the rows of the
# instance restored into, and references to them are translated. Their ids are cached by every
# running process, so they must never change under it.
NATURAL_KEY_MODELS = {
    "contenttypes.contenttype": ("app_label", "model"),
    "auth.permission": ("content_type_id", "codename"),
}

# Text fields whose name says they hold a credential. Declare others on the model as
# `backup_secret_fields = ("field", ...)`.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|secret|token|api_?key|(?:private|signing|hmac|secret|access|encryption)_key"
    r"|credentials?)(?:_|$)|_encrypted$"
)
_SECRET_CAPABLE = (models.CharField, models.TextField, models.BinaryField, models.JSONField)
# Fields whose JSON form is a string that `to_python` turns back into the Python value.
_PARSED_FIELDS = (
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.UUIDField,
    models.DurationField,
    models.BinaryField,
)


def _is_password_hash(model, model_field) -> bool:
    # A user's password hash is what lets them sign in after a restore; it is a hash, not a secret.
    return issubclass(model, AbstractBaseUser) and model_field.name == "password"


def secret_fields(model) -> list[models.Field]:
    declared = set(getattr(model, "backup_secret_fields", ()))
    found = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in declared or (
            isinstance(model_field, _SECRET_CAPABLE)
            and not model_field.primary_key
            and not _is_password_hash(model, model_field)
            and _SECRET_NAME.search(model_field.name)
        ):
            found.append(model_field)
    return found


def blank_value(model_field):
    """What a secret field holds in a backup (and so after a restore)."""
    if model_field.null:
        return None
    if model_field.has_default():
        return encode_value(model_field.get_default())
    if isinstance(model_field, models.JSONField):
        return {}
    return ""


def included_models() -> list[type[models.Model]]:
    """Every model whose rows a backup holds, in the order of INSTALLED_APPS."""
    found = []
    for app_config in apps.get_app_configs():
        for model in app_config.get_models(include_auto_created=True):
            opts = model._meta
            if opts.proxy or not opts.managed or opts.swapped or opts.label_lower in EXCLUDED_MODELS:
                continue
            found.append(model)
    return found


def replaced_models() -> list[type[models.Model]]:
    """The models whose tables a restore empties and fills from the backup."""
    return [model for model in included_models() if model._meta.label_lower not in NATURAL_KEY_MODELS]


def model_for_label(label: str) -> type[models.Model] | None:
    return next((model for model in included_models() if model._meta.label_lower == label), None)


def encode_value(value):
    """A database value as JSON: text for dates, times, decimals, UUIDs, durations; base64 for bytes."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


@dataclass
class ModelCodec:
    """Turns rows of one model into JSON objects and back into database parameters."""

    model: type[models.Model]
    fields: list[models.Field] = field(init=False)
    blanked: dict[str, object] = field(init=False)

    def __post_init__(self):
        self.fields = list(self.model._meta.concrete_fields)
        self.blanked = {f.attname: blank_value(f) for f in secret_fields(self.model)}

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def member(self) -> str:
        return f"data/{self.label}.jsonl"

    @property
    def attnames(self) -> list[str]:
        return [f.attname for f in self.fields]

    def queryset(self, using: str):
        return self.model._base_manager.using(using).order_by("pk").values_list(*self.attnames)

    def encode_row(self, values: tuple) -> dict:
        row = {name: encode_value(value) for name, value in zip(self.attnames, values, strict=True)}
        row.update(self.blanked)
        return row

    def decoder(self, columns: list[str], connection, remap: dict[str, dict]):
        """A function turning one JSON object of the backup into the parameter tuple for `columns`.

        `remap` translates references to natural-key models (old id -> id in this database)."""
        by_attname = {f.attname: f for f in self.fields}
        converters = []
        for column in columns:
            model_field = by_attname[column]
            parse = model_field.to_python if isinstance(model_field, _PARSED_FIELDS) else None
            target = model_field.related_model._meta.label_lower if model_field.is_relation else None
            mapping = remap.get(target) if target else None
            if isinstance(model_field, models.ForeignKey):
                target_field = model_field.target_field
                parse = target_field.to_python if isinstance(target_field, _PARSED_FIELDS) else None
            converters.append((column, model_field, parse, mapping))

        def decode(row: dict) -> tuple:
            params = []
            for column, model_field, parse, mapping in converters:
                value = row[column] if column in row else model_field.get_default()
                if value is not None:
                    if mapping is not None:
                        value = mapping[value]
                    elif parse is not None:
                        value = parse(value)
                params.append(model_field.get_db_prep_save(value, connection))
            return tuple(params)

        return decode
