from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .errors import ApplicationError


def clean_or_raise(instance, *, exclude=None) -> None:
    """full_clean() with Django's errors turned into our VALIDATION_ERROR."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        first_field, messages = next(iter(errors.items()))
        raise ApplicationError("VALIDATION_ERROR", f"{first_field}: {messages[0]}", errors=errors) from exc


def reject_unknown_fields(fields: dict, allowed) -> None:
    """A service called with a field it does not know says so (never ignores it silently)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            errors={name: [_("unknown field")] for name in sorted(unknown)},
        )
