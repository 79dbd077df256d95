from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import get_resolver, get_urlconf
from django.utils.translation import gettext as _

from .api.exceptions import error_body
from .setup_state import setup_complete

# Paths that work before the first admin exists.
_SETUP_EXEMPT = ("/setup/", "/static/", "/health", "/i18n/", "/favicon.ico")

# URL prefix -> feature flag setting (CONTRACT section 2): a disabled module answers 404.
FEATURE_PREFIXES = {
    "ENABLE_TICKET_SYSTEM": ("/tickets/", "/api/tickets"),
    "ENABLE_JOB_BOARD": ("/jobs/", "/api/jobs"),
    "ENABLE_WEEKLY_REPORTS": ("/timesheets/", "/api/timesheets"),
}


class RejectNulMiddleware:
    """A NUL character in the path or the query string is a malformed request: 400, before any view.

    No stored value holds one, and PostgreSQL refuses it as a query parameter, so without this guard every
    view passing a URL value to the database would need its own check (or answer 500). The 400 comes from
    the site's handler400: the JSON envelope under /api/, the error page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            # Answered here rather than raised: a client's mistake is no server error with a traceback in the log.
            handler = get_resolver(get_urlconf()).resolve_error_handler(400)
            return handler(request, BadRequest("NUL character in the request URL"))
        return self.get_response(request)


def has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class SetupRequiredMiddleware:
    """While no admin exists, every page leads to the setup wizard."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_SETUP_EXEMPT) and not setup_complete():
            if request.path.startswith("/api/"):
                body = error_body("SETUP_REQUIRED", _("Scandy is not set up yet: open /setup/ first."))
                return JsonResponse(body, status=503)
            return redirect("setup")
        return self.get_response(request)


def feature_enabled(flag: str) -> bool:
    return bool(getattr(settings, flag))


class FeatureFlagMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for flag, prefixes in FEATURE_PREFIXES.items():
            if request.path.startswith(prefixes) and not feature_enabled(flag):
                if request.path.startswith("/api/"):
                    return JsonResponse(error_body("NOT_FOUND", _("Not found.")), status=404)
                raise Http404
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """A domain error that escapes a page view becomes the matching error page, not a 500.

    (API views answer with the JSON envelope through the DRF exception handler instead.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.template.response import TemplateResponse

        from .errors import ApplicationError

        if not isinstance(exception, ApplicationError) or request.path.startswith("/api/"):
            return None
        if exception.code in ("NOT_FOUND", "UNKNOWN_BARCODE"):
            raise Http404(exception.message)
        if exception.code in ("PERMISSION_DENIED", "NOT_AUTHENTICATED"):
            raise PermissionDenied(exception.message)
        return TemplateResponse(
            request, "error.html", {"message": exception.message, "code": exception.code}, status=exception.status
        )
