"""File pages behind the upload widget: download, thumbnail, upload, delete, choose the preview.

Each POST answers with a redirect back to the record's page and a message; the rules (limits, types,
rights) are the same as the API's because both call `entities.resolve` and the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from scandy_site.core.errors import ApplicationError

from . import selectors, services
from .entities import resolve
from .http import file_response, guard_upload


def _department(request):
    scope = request.department_scope
    if not scope:
        raise ApplicationError("PERMISSION_DENIED", _("You are not assigned to any department."))
    return scope.department


def _back(request, spec, obj):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(f"{spec.detail_url(obj)}#files")


@require_GET
@login_required
def media_file(request, entity_type, entity_id, filename):
    _spec, _obj, attachment = _attachment(request, entity_type, entity_id, filename)
    return file_response(attachment, download=request.GET.get("download") == "1")


@require_GET
@login_required
def media_thumbnail(request, entity_type, entity_id, filename):
    _spec, _obj, attachment = _attachment(request, entity_type, entity_id, filename)
    return file_response(attachment, thumbnail=True)


def _guarded(view):
    """The size guard goes in before CSRF and the form read the body."""

    def wrapped(request, *args, **kwargs):
        request.media_body_ok = guard_upload(request) if request.method == "POST" else True
        return view(request, *args, **kwargs)

    wrapped.csrf_exempt = True  # checked by csrf_protect below, after the guard is in place
    return wrapped


@_guarded
@require_POST
@login_required
@csrf_protect
def media_upload(request, entity_type, entity_id):
    spec, obj = resolve(user=request.user, department=_department(request), type_name=entity_type,
                        identifier=entity_id, edit=True)  # fmt: skip
    uploads = request.FILES.getlist("file")
    if not request.media_body_ok or getattr(request, "media_file_too_large", False):
        messages.error(request, services.file_too_large().message)
        return _back(request, spec, obj)
    if not uploads:
        messages.error(request, _("Choose a file."))
        return _back(request, spec, obj)
    stored = []
    for upload in uploads:
        try:
            stored.append(services.media_upload(entity=obj, user=request.user, upload=upload).filename)
        except ApplicationError as exc:
            messages.error(request, f"{upload.name}: {exc.message}")
    if stored:
        messages.success(request, _("Uploaded: %(names)s") % {"names": ", ".join(stored)})
    return _back(request, spec, obj)


def _attachment(request, entity_type, entity_id, filename, *, edit=False):
    spec, obj = resolve(user=request.user, department=_department(request), type_name=entity_type,
                        identifier=entity_id, edit=edit)  # fmt: skip
    return spec, obj, selectors.media_get(entity_type=spec.name, entity_id=obj.pk, filename=filename)


@require_POST
@login_required
def media_delete(request, entity_type, entity_id, filename):
    spec, obj, attachment = _attachment(request, entity_type, entity_id, filename, edit=True)
    services.media_delete(attachment=attachment, user=request.user)
    messages.success(request, _("“%(name)s” was deleted.") % {"name": attachment.filename})
    return _back(request, spec, obj)


@require_POST
@login_required
def media_preview(request, entity_type, entity_id, filename):
    spec, obj, attachment = _attachment(request, entity_type, entity_id, filename, edit=True)
    try:
        services.media_set_preview(attachment=attachment, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” is now the preview image.") % {"name": attachment.filename})
    return _back(request, spec, obj)
