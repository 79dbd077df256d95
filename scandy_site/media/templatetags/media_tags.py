"""`{% load media_tags %}{% media_widget object %}`: the files card of a record's page."""

from django import template
from django.conf import settings
from django.utils import formats

from ..entities import entity_type_of
from ..files import ACCEPT
from ..selectors import media_list

register = template.Library()


@register.inclusion_tag("media/_widget.html", takes_context=True)
def media_widget(context, obj, title=None):
    request = context["request"]
    spec = entity_type_of(obj)
    attachments = list(media_list(entity_type=spec.name, entity_id=obj.pk))
    can_edit = spec.can_edit(request.user, obj) and getattr(obj, "deleted_at", None) is None
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "entity_type": spec.name,
        "identifier": spec.identifier(obj),
        "attachments": attachments,
        "images": [a for a in attachments if a.is_image],
        "documents": [a for a in attachments if not a.is_image],
        "can_edit": can_edit,
        "room": max(0, settings.MEDIA_MAX_FILES_PER_ENTITY - len(attachments)),
        "max_files": settings.MEDIA_MAX_FILES_PER_ENTITY,
        "max_mb": settings.MEDIA_MAX_FILE_SIZE // (1024 * 1024),
        "accept": ACCEPT,
        "title": title,
        "next": f"{request.path}#files",
    }


@register.filter
def filesize(value) -> str:
    """Bytes as B, KB or MB, with the decimal separator of the current language (1,5 MB in German)."""
    value = int(value or 0)
    if value < 1024:
        return f"{value} B"
    if value < 1024 * 1024:
        return f"{formats.number_format(value / 1024, decimal_pos=0)} KB"
    return f"{formats.number_format(value / (1024 * 1024), decimal_pos=1)} MB"
