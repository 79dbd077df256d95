"""Template helpers of the Scandy pages: `{% load scandy %}`."""

import datetime

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """`{% if user|can:"inventory.edit" %}`: the role matrix, never `user.role == ...`."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


@register.simple_tag
def optional_url(name: str, *args, **kwargs) -> str:
    """The URL of `name`, or "" while the view behind it does not exist (yet), so a link can be left out."""
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def _model_field(obj, name: str):
    """The model field `name` of `obj` (a model instance or class), or None. A dotted name follows
    relations: `order.client_name` is the field `client_name` of the record behind `order`."""
    model = obj if isinstance(obj, type) else type(obj)
    *path, last = name.split(".")
    try:
        for part in path:
            model = model._meta.get_field(part).related_model
        return model._meta.get_field(last)
    except (FieldDoesNotExist, AttributeError):
        return None


# History entries name a few pseudo fields that are no model field.
_PSEUDO_FIELDS = {
    "maintenance": lambda: _("Maintenance"),
    "worker": lambda: _("Worker"),
    # The files of a record (scandy_site.media): added, removed, chosen as the preview.
    "attachments": lambda: capfirst(_("files")),
    "preview_image": lambda: capfirst(_("preview image")),
    # A ticket's conversation: a message, and a note only staff see.
    "internal_notes": lambda: _("Internal note"),
}


@register.filter
def field_label(name: str, obj) -> str:
    """The translated label of a model field of `obj`, for history entries `{field: [old, new]}`."""
    field = _model_field(obj, name)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(field.verbose_name)
    if name in _PSEUDO_FIELDS:
        return _PSEUDO_FIELDS[name]()
    if field is not None and field.related_model is not None:
        # A reverse relation (a ticket's `work_lines`): the plural name of the records behind it.
        return capfirst(field.related_model._meta.verbose_name_plural)
    return capfirst(name.replace("_", " "))


@register.simple_tag
def change_value(obj, name: str, value) -> str:
    """One side of a history change as a person reads it: choice labels, yes/no, a dash for nothing."""
    if value is None or value == "" or value == {}:
        return "–"
    field = _model_field(obj, name)
    if field is not None and getattr(field, "choices", None):
        return str(capfirst(dict(field.flatchoices).get(value, value)))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField) and isinstance(value, str):
        # History keeps dates as ISO strings; show them as the page shows every other date.
        try:
            return str(localize(datetime.date.fromisoformat(value)))
        except ValueError:
            return value
    if isinstance(value, dict):
        return ", ".join(f"{key}: {val}" for key, val in value.items())
    return str(localize(value))


@register.inclusion_tag("includes/sort_link.html", takes_context=True)
def sort_link(context, field: str, label: str):
    """A column header that orders the list by `field`, and the other way round when clicked again."""
    request = context["request"]
    # The view passes the ordering it applied (the default when the query string has none or a bad one).
    current = context.get("ordering") or request.GET.get("ordering", "")
    descending = current == f"-{field}"
    active = current in (field, f"-{field}")
    query = request.GET.copy()
    query["ordering"] = f"-{field}" if current == field else field
    query.pop("page", None)
    return {
        "href": f"?{query.urlencode()}",
        "label": label,
        "active": active,
        "descending": descending,
    }
