"""`{% load live %}{% live "list" kinds="tool" %}`: the attributes that make a part of a page follow the
event stream (static/js/live.js), with the translated sentences the script shows."""

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from ..kinds import object_key
from ..selectors import latest_event_id

register = template.Library()

MODES = ("list", "detail", "page", "events")


@register.simple_tag(takes_context=True)
def live(context, mode: str, kinds: str = "", record=None):
    """`mode`: list | detail | page | events (see live.js). `kinds`: event kinds that refresh it
    ("tool lending"); `record`: the model instance a detail page shows. The stream starts after the
    newest event at render time, so nothing between the page and the stream's start is missed."""
    if mode not in MODES:
        raise template.TemplateSyntaxError(f"live: mode must be one of {', '.join(MODES)}")
    user = getattr(context.get("request"), "user", None)
    if not getattr(user, "is_authenticated", False):
        return ""
    changed = _("This list changed in the meantime.") if mode == "list" else _("Someone else changed this record.")
    attributes = {
        "data-live": mode,
        "data-live-kinds": kinds,
        "data-live-object": f"{record._meta.model_name}:{object_key(record)}" if record is not None else "",
        "data-live-stream": reverse("api-events-stream"),
        "data-live-since": latest_event_id(),
        "data-live-text-changed": changed,
        "data-live-text-deleted": _("Someone else deleted this record or moved it to the trash."),
        "data-live-text-renamed": _("Someone else gave this record a new barcode."),
        "data-live-text-reload": _("Reload"),
        "data-live-text-dismiss": _("Dismiss"),
    }
    return format_html_join(" ", '{}="{}"', ((name, value) for name, value in attributes.items() if value != ""))
