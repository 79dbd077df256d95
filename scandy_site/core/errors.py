"""The one domain error type. Services raise it; the API handler and page views translate it."""

from django.utils.translation import gettext_lazy as _

# Error code -> HTTP status (CONTRACT section 3).
ERROR_STATUS = {
    "VALIDATION_ERROR": 400,
    "NOT_AUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "UNKNOWN_BARCODE": 404,
    "METHOD_NOT_ALLOWED": 405,
    "NOT_ACCEPTABLE": 406,
    "BARCODE_IN_USE": 409,
    "TOOL_NOT_AVAILABLE": 409,
    "TOOL_NOT_LENT": 409,
    "INSUFFICIENT_STOCK": 409,
    "INVALID_TRANSITION": 409,
    "TOO_MANY_FILES": 409,
    "CONFLICT": 409,
    "PRECONDITION_FAILED": 412,
    "FILE_TOO_LARGE": 413,
    "UNSUPPORTED_FILE_TYPE": 415,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    # A backup file that fails verification or cannot be loaded into this Scandy.
    "BACKUP_INVALID": 422,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
    "UPSTREAM_UNAVAILABLE": 502,
    "SETUP_REQUIRED": 503,
}


class ApplicationError(Exception):
    """A rule of the domain was broken; `code` is one of ERROR_STATUS."""

    def __init__(self, code: str, message=None, *, errors: dict | None = None):
        if code not in ERROR_STATUS:
            raise ValueError(f"unknown error code {code}")
        self.code = code
        self.message = str(message or _("The request could not be completed."))
        self.errors = errors or {}
        super().__init__(self.message)

    @property
    def status(self) -> int:
        return ERROR_STATUS[self.code]
