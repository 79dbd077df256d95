"""A URLconf for layout tests: the site plus stand-in pages for the modules other branches build
(jobs, timesheets; tickets exist already), under the URL names the navigation looks for."""

from django.http import HttpResponse
from django.urls import include, path

from scandy_site.urls import urlpatterns as site_urlpatterns


def _stand_in(request):
    return HttpResponse("module page")


def _module(name: str):
    return [path("", _stand_in, name="list")], name


urlpatterns = [
    path("jobs/", include(_module("jobs"))),
    path("timesheets/", include(_module("timesheets"))),
    *site_urlpatterns,
]
