"""A URLconf for layout tests: the site without the pages of the optional modules (tickets, jobs,
timesheets), as in an installation where they are not built."""

from scandy_site.urls import urlpatterns as site_urlpatterns

MODULE_PREFIXES = ("tickets/", "jobs/", "timesheets/")

urlpatterns = [pattern for pattern in site_urlpatterns if not str(pattern.pattern).startswith(MODULE_PREFIXES)]
