"""Reads of attachments."""

from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError

from .models import Attachment


def media_list(*, entity_type: str, entity_id: int):
    return Attachment.objects.filter(entity_type=entity_type, entity_id=entity_id).select_related("uploaded_by")


def media_get(*, entity_type: str, entity_id: int, filename: str) -> Attachment:
    # No stored name holds a NUL (PostgreSQL refuses one as a parameter) or is longer than the column.
    found = None
    if "\x00" not in filename and len(filename) <= 120:
        found = media_list(entity_type=entity_type, entity_id=entity_id).filter(filename=filename).first()
    if found is None:
        raise ApplicationError("NOT_FOUND", _("No file named %(name)s.") % {"name": filename[:120]})
    return found
