from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from scandy_site.core.errors import ApplicationError

from .departments import remember_department


@require_POST
@login_required
def switch_department(request):
    """The header switcher: remember the chosen department and go back where the user was."""
    try:
        remember_department(request, request.POST.get("department", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
