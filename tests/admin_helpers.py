"""Driving the Django admin from tests as a browser would: the form it posts back, actions, messages."""

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages


def _value(value):
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def _form_fields(form, data):
    for name in form.fields:
        value = form[name].value()
        if isinstance(form.fields[name], forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
        else:
            data[form.add_prefix(name)] = _value(value)


def form_data(response, **overrides) -> dict:
    """What the browser would post back from an admin add/change page, with `overrides` applied."""
    data = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name].value())
        for form in formset.initial_forms:
            _form_fields(form, data)
    data.update(overrides)
    return data


def post_action(client, url, action, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects], "index": "0", **extra}
    return client.post(url, data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
