"""One exception handler turns every failure into the contract's error envelope."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from scandy_site.core.errors import ERROR_STATUS, ApplicationError

logger = logging.getLogger(__name__)

_DRF_CODES = [
    (drf.NotAuthenticated, "NOT_AUTHENTICATED"),
    (drf.AuthenticationFailed, "NOT_AUTHENTICATED"),
    (drf.PermissionDenied, "PERMISSION_DENIED"),
    (drf.NotFound, "NOT_FOUND"),
    (drf.MethodNotAllowed, "METHOD_NOT_ALLOWED"),
    (drf.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"),
    (drf.NotAcceptable, "NOT_ACCEPTABLE"),
    (drf.Throttled, "RATE_LIMITED"),
    (drf.ParseError, "VALIDATION_ERROR"),
    (drf.ValidationError, "VALIDATION_ERROR"),
]


def error_body(code: str, message: str, errors: dict | None = None) -> dict:
    return {"status": "error", "message": str(message), "code": code, "errors": errors or {}}


def _normalise_errors(detail) -> dict:
    if isinstance(detail, dict):
        # Django's model validation says "__all__" where DRF says "non_field_errors"; clients see one name.
        return {"non_field_errors" if key == "__all__" else str(key): _as_list(value) for key, value in detail.items()}
    return {"non_field_errors": _as_list(detail)}


def _as_list(value):
    if isinstance(value, dict):
        return _normalise_errors(value)
    if isinstance(value, list | tuple):
        return [_as_list(v) if isinstance(v, dict | list) else str(v) for v in value]
    return [str(value)]


def _first_message(errors: dict) -> str:
    for field, messages in errors.items():
        while isinstance(messages, dict):
            field, messages = next(iter(messages.items()), (field, ["invalid"]))
        text = messages[0] if messages else "invalid"
        while isinstance(text, list | dict):
            text = text[0] if isinstance(text, list) and text else str(text)
        return str(text) if field == "non_field_errors" else f"{field}: {text}"
    return str(_("Invalid input."))


def envelope_exception_handler(exc, context):
    headers = {}
    if isinstance(exc, ApplicationError):
        set_rollback()
        if exc.code == "NOT_AUTHENTICATED":
            headers["WWW-Authenticate"] = "Token"
        errors = _normalise_errors(exc.errors) if exc.errors else {}
        return Response(error_body(exc.code, exc.message, errors), status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = drf.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        # Services check rules first; this is the database's last word on a race we lost.
        set_rollback()
        logger.warning("integrity error answered as conflict: %s", exc)
        return Response(error_body("CONFLICT", _("The change conflicts with existing data.")), status=409)
    elif isinstance(exc, DataError):
        # Input the serializers let through but the database refuses (a value out of its range).
        set_rollback()
        logger.warning("database refused a value: %s", exc)
        message = _("A value is out of the range the database accepts.")
        return Response(error_body("VALIDATION_ERROR", message), status=400)
    elif isinstance(exc, SuspiciousOperation):
        # Too many form fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE and the like: Django's own answer is 400.
        exc = drf.ParseError(_("Malformed request."))

    if isinstance(exc, drf.APIException):
        set_rollback()
        code = next((c for cls, c in _DRF_CODES if isinstance(exc, cls)), "VALIDATION_ERROR")
        if isinstance(exc, drf.ValidationError):
            errors = _normalise_errors(exc.detail)
            message = _first_message(errors)
        else:
            errors = {}
            message = str(exc.detail)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        status = exc.status_code
        if code == "NOT_AUTHENTICATED":
            status = ERROR_STATUS[code]
        return Response(error_body(code, message, errors), status=status, headers=headers)

    logger.exception("unhandled error in API view", exc_info=exc)
    set_rollback()
    return Response(error_body("INTERNAL_ERROR", _("Internal server error.")), status=500)
