"""Writes to attachments. Every path that stores a file (API, pages, admin) goes through
`media_upload`, so the limits, the sniffing and the image cleaning hold for all of them."""

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.history import record_change

from . import files
from .models import Attachment

logger = logging.getLogger(__name__)


def file_too_large() -> ApplicationError:
    limit = settings.MEDIA_MAX_FILE_SIZE // (1024 * 1024)
    return ApplicationError(
        "FILE_TOO_LARGE",
        _("The file is larger than %(mb)s MB.") % {"mb": limit},
        errors={"file": [_("at most %(mb)s MB") % {"mb": limit}]},
    )


def safe_name(original: str, extension: str, taken: set[str]) -> str:
    """A name that is safe in a URL, a path and a download: ASCII letters, digits, dashes; the
    extension is the one of the sniffed type, never the one the uploader chose."""
    stem = original.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    stem = slugify(stem)[:80].strip("-_") or "file"
    candidate, number = f"{stem}.{extension}", 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}.{extension}"
    return candidate


def _storage_path(entity_type: str, entity_id: int, name: str) -> str:
    # A random part keeps stored paths unguessable and distinct even after a name is reused.
    return f"attachments/{entity_type}/{entity_id}/{secrets.token_hex(8)}-{name}"


def _delete_files(names) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:  # a missing file must not stop the rest
            logger.warning("could not delete stored file %s", name, exc_info=True)


def _read_limited(upload) -> bytes:
    limit = settings.MEDIA_MAX_FILE_SIZE
    if upload is None:
        raise ApplicationError("VALIDATION_ERROR", _("Choose a file."), errors={"file": [_("required")]})
    if getattr(upload, "size", 0) and upload.size > limit:
        raise file_too_large()
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise file_too_large()
    if not data:
        raise ApplicationError("VALIDATION_ERROR", _("The file is empty."), errors={"file": [_("empty")]})
    return data


@transaction.atomic
def media_upload(*, entity, user, upload, make_preview: bool | None = None) -> Attachment:
    """Store one file on `entity` (any registered kind). Limits: MEDIA_MAX_FILE_SIZE (413),
    MEDIA_MAX_FILES_PER_ENTITY (409), allowed types by content (415)."""
    from .entities import entity_type_of

    spec = entity_type_of(entity)
    data = _read_limited(upload)
    cleaned = files.clean(data)
    # The record's row lock makes the count check hold when two uploads arrive at once.
    spec.model._default_manager.select_for_update().filter(pk=entity.pk).first()
    existing = Attachment.objects.filter(entity_type=spec.name, entity_id=entity.pk)
    taken = set(existing.values_list("filename", flat=True))
    if len(taken) >= settings.MEDIA_MAX_FILES_PER_ENTITY:
        raise ApplicationError(
            "TOO_MANY_FILES",
            _("A record holds at most %(count)s files; remove one first.")
            % {"count": settings.MEDIA_MAX_FILES_PER_ENTITY},
            errors={"file": [_("too many files")]},
        )
    original = (getattr(upload, "name", "") or "")[:255]
    name = safe_name(original, cleaned.type.extension, taken)
    has_preview = existing.filter(is_preview=True).exists()
    preview = cleaned.type.is_image and (make_preview if make_preview is not None else not has_preview)
    stored = []
    try:
        stored.append(default_storage.save(_storage_path(spec.name, entity.pk, name), ContentFile(cleaned.data)))
        thumb_name = ""
        if cleaned.thumbnail:
            thumb_path = _storage_path(spec.name, entity.pk, f"thumb-{name.rsplit('.', 1)[0]}")
            thumb_name = default_storage.save(f"{thumb_path}.{cleaned.thumbnail_extension}",
                                              ContentFile(cleaned.thumbnail))  # fmt: skip
            stored.append(thumb_name)
        if preview and has_preview:
            existing.filter(is_preview=True).update(is_preview=False)
        attachment = Attachment.objects.create(
            entity_type=spec.name, entity_id=entity.pk, department_id=getattr(entity, "department_id", None),
            filename=name, original_name=original, file=stored[0], thumbnail=thumb_name,
            kind=Attachment.Kind.IMAGE if cleaned.type.is_image else Attachment.Kind.DOCUMENT,
            content_type=cleaned.type.mime, size=len(cleaned.data), width=cleaned.width, height=cleaned.height,
            is_preview=preview, uploaded_by=user if user is not None and user.is_authenticated else None,
        )  # fmt: skip
        record_change(entity, action="updated", user=user, changes={"attachments": [None, name]})
    except BaseException:
        _delete_files(stored)
        raise
    return attachment


@transaction.atomic
def media_delete(*, attachment: Attachment, user) -> None:
    from .entities import entity_type

    entity = entity_type(attachment.entity_type).model._default_manager.filter(pk=attachment.entity_id).first()
    names = [attachment.file.name, attachment.thumbnail.name]
    attachment.delete()
    if entity is not None:
        record_change(entity, action="updated", user=user, changes={"attachments": [attachment.filename, None]})
    transaction.on_commit(lambda: _delete_files(names))


@transaction.atomic
def media_set_preview(*, attachment: Attachment, user) -> Attachment:
    from .entities import entity_type

    if not attachment.is_image:
        raise ApplicationError(
            "VALIDATION_ERROR", _("Only an image can be the preview."), errors={"file": [_("not an image")]}
        )
    if attachment.is_preview:
        return attachment
    entity = entity_type(attachment.entity_type).model._default_manager.select_for_update().get(pk=attachment.entity_id)
    Attachment.objects.filter(
        entity_type=attachment.entity_type, entity_id=attachment.entity_id, is_preview=True
    ).update(is_preview=False)
    attachment.is_preview = True
    attachment.save(update_fields=["is_preview"])
    record_change(entity, action="updated", user=user, changes={"preview_image": [None, attachment.filename]})
    return attachment


def media_purge_for(*, entity_type: str, entity_id: int) -> int:
    """The record is gone for good: its files go with it (after the commit; the rows at once)."""
    rows = list(Attachment.objects.filter(entity_type=entity_type, entity_id=entity_id))
    if not rows:
        return 0
    names = [name for row in rows for name in (row.file.name, row.thumbnail.name)]
    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(lambda: _delete_files(names))
    return len(rows)
