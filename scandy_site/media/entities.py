"""Which kinds of records carry files, and who may see or change their files.

Each app registers its kind once (`register(EntityType(...))`, from its AppConfig.ready); the media
API, pages and widget only talk to this registry. A job board, say, adds files to jobs by
registering "job" with its own lookup and permission rules.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models.signals import post_delete
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError


@dataclass(frozen=True)
class EntityType:
    name: str
    model: type
    # (user, department or None, identifier from the URL) -> the record, or ApplicationError NOT_FOUND.
    lookup: Callable
    # (user) -> may this user look at records of this kind at all (403 before any lookup).
    can_access: Callable
    # (user, record) -> may this user see the record's files.
    can_view: Callable
    # (user, record) -> may this user add, remove and choose the preview of the record's files.
    can_edit: Callable
    # record -> the identifier its URLs use (a barcode or the primary key).
    identifier: Callable
    # record -> the page the widget's forms return to.
    detail_url: Callable
    # A feature flag setting (ENABLE_…): while it is off, the kind's files answer 404 like its pages.
    feature: str = ""


_REGISTRY: dict[str, EntityType] = {}


def register(spec: EntityType) -> None:
    _REGISTRY[spec.name] = spec
    # Files of a record live as long as the record; a soft delete keeps them, a purge removes them.
    from .services import media_purge_for

    def _purge(sender, instance, **kwargs):
        media_purge_for(entity_type=spec.name, entity_id=instance.pk)

    post_delete.connect(_purge, sender=spec.model, weak=False, dispatch_uid=f"media-purge-{spec.name}")


def registered() -> dict[str, EntityType]:
    return dict(_REGISTRY)


def entity_type(name: str) -> EntityType:
    spec = _REGISTRY.get(name)
    if spec is not None and spec.feature and not getattr(settings, spec.feature):
        spec = None
    if spec is None:
        raise ApplicationError("NOT_FOUND", _("Files cannot be attached to “%(type)s”.") % {"type": name[:40]})
    return spec


def entity_type_of(obj) -> EntityType:
    for spec in _REGISTRY.values():
        if isinstance(obj, spec.model):
            return spec
    raise LookupError(f"{type(obj).__name__} carries no files")


def resolve(*, user, department, type_name: str, identifier: str, edit: bool = False):
    """The record behind a media URL, checked against the user's rights: 403 when the role has no
    access to this kind at all, 404 when the record is not there (or not visible), 403 when the user
    may see it but not change its files."""
    spec = entity_type(type_name)
    if not spec.can_access(user):
        raise ApplicationError("PERMISSION_DENIED", _("You may not open these files."))
    obj = spec.lookup(user, department, identifier)
    if not spec.can_view(user, obj):
        raise ApplicationError("NOT_FOUND", _("Not found."))
    if edit and not spec.can_edit(user, obj):
        raise ApplicationError("PERMISSION_DENIED", _("You may not change the files of this record."))
    return spec, obj
