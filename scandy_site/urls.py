from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from integrations import views as integrations_views
from lending import views as lending_views
from scandy_site.accounts.api import MeView, TokenView
from scandy_site.core import views as core_views
from scandy_site.core.api.exceptions import error_body
from scandy_site.core.health import health


@csrf_exempt  # a POST to an unknown path gets the JSON 404, not the HTML CSRF failure page
def api_not_found(request):
    return JsonResponse(error_body("NOT_FOUND", _("Not found.")), status=404)


api_patterns = [
    path("auth/token", TokenView.as_view(), name="api-token"),
    path("auth/me", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("inventory.api_urls")),
    path("", include("lending.api_urls")),
    path("", include("tickets.api_urls")),
    path("", include("timesheets.api_urls")),
    path("", include("jobs.api_urls")),
    path("", include("scandy_site.media.api_urls")),
    path("", include("scandy_site.backups.api_urls")),
    path("", include("integrations.api_urls")),
    path("", include("scandy_site.events.api_urls")),
    # Anything else under /api/ gets the JSON envelope, also with DEBUG on.
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("health", health, name="health"),
    path("setup/", core_views.setup_wizard, name="setup"),
    path("accounts/", include("scandy_site.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Devices and customers live under /inventory/ too; their exact paths come first.
    path("", include("integrations.urls")),
    path("inventory/", include("inventory.urls")),
    path("quickscan/", lending_views.quickscan, name="quickscan"),
    path("", include("lending.urls")),
    path("tickets/", include("tickets.urls")),
    path("timesheets/", include("timesheets.urls")),
    path("jobs/", include("jobs.urls")),
    path("files/", include("scandy_site.media.urls")),
    path("admin/customer-sync/", integrations_views.customer_sync, name="admin-customer-sync"),
    path("admin/customer-sync/status/", integrations_views.customer_sync_status, name="admin-customer-sync-status"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]


def handler400(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("VALIDATION_ERROR", _("Bad request.")), status=400)
    return bad_request(request, exception)


def handler403(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("PERMISSION_DENIED", _("Permission denied.")), status=403)
    return permission_denied(request, exception)


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("NOT_FOUND", _("Not found.")), status=404)
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("INTERNAL_ERROR", _("Internal server error.")), status=500)
    return server_error(request)
