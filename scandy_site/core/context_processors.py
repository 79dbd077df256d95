from django.conf import settings

from .models import SiteConfiguration


def scandy(request):
    """What the base layout needs on every page: name, labels, feature flags, the department switcher."""
    scope = getattr(request, "department_scope", None)
    config = SiteConfiguration.current() if request.path != "/setup/" else None
    return {
        "system_name": config.display_name if config else settings.SYSTEM_NAME,
        "site_config": config,
        # What this site calls tools, consumables and workers (menu, headings, breadcrumbs).
        "labels": (config or SiteConfiguration()).labels(),
        "features": {
            "tickets": settings.ENABLE_TICKET_SYSTEM,
            "jobs": settings.ENABLE_JOB_BOARD,
            "timesheets": settings.ENABLE_WEEKLY_REPORTS,
            # Not a module flag: the CETEC menu entry shows once CETEC is configured.
            "cetec": bool(settings.CETEC_URL),
        },
        "department_scope": scope if scope else None,
    }
