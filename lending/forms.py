"""Forms of the worker pages. They only parse input; the rules live in services.py."""

from django import forms
from django.utils.text import capfirst

from .models import Worker
from .services import WORKER_FIELDS


def _label(name: str):
    return capfirst(Worker._meta.get_field(name).verbose_name)


class WorkerForm(forms.Form):
    barcode = forms.CharField(
        label=_label("barcode"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )  # fmt: skip
    first_name = forms.CharField(label=_label("first_name"), max_length=100)
    last_name = forms.CharField(label=_label("last_name"), max_length=100)
    email = forms.EmailField(label=_label("email"), required=False)
    active = forms.BooleanField(label=_label("active"), required=False, initial=True)

    def __init__(self, *args, instance: Worker | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {name: getattr(instance, name) for name in WORKER_FIELDS})
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in WORKER_FIELDS}
