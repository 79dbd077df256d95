from django.utils.functional import SimpleLazyObject

from scandy_site.core.errors import ApplicationError

from .departments import resolve_scope


def _page_scope(request):
    try:
        return resolve_scope(request, request.user)
    except ApplicationError:
        return None


class CurrentDepartmentMiddleware:
    """Gives page views `request.department_scope` (lazy: only resolved when a view asks).

    DRF views resolve it themselves after token authentication (see core.api.views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.department_scope = SimpleLazyObject(lambda: _page_scope(request))
        return self.get_response(request)
