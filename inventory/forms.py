"""Forms of the tool and consumable pages. They only parse input; the rules live in services.py."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Category, Consumable, Location, MaintenanceRecord, Tool
from .services import MAX_STOCK

# Only lending a tool makes it "lent"; no form offers that status.
SETTABLE_STATUSES = [(value, label) for value, label in Tool.Status.choices if value != Tool.Status.LENT]


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def department_choices(model, department):
    """Categories or locations a record of `department` may use (None = every department, names shown once)."""
    queryset = model.objects.all() if department is None else model.objects.filter(department=department)
    return queryset.order_by("name")


def filter_names(model, department) -> list[str]:
    """Distinct category/location names for the list filters, which match by name across departments."""
    return list(dict.fromkeys(department_choices(model, department).values_list("name", flat=True)))


def parse_custom_fields(text: str) -> dict:
    fields = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise forms.ValidationError(
                _("Line %(number)s: write “name: value”."), code="invalid", params={"number": number}
            )
        fields[key.strip()] = value.strip()
    return fields


def format_custom_fields(values: dict) -> str:
    return "\n".join(f"{key}: {value}" for key, value in (values or {}).items())


class CustomFieldsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3, "placeholder": _("Voltage: 18 V")})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_custom_fields(super().clean(value) or "")


class _ItemForm(forms.Form):
    """Shared by tools and consumables: category and location come from the record's department."""

    model = None

    def __init__(self, *args, department, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", self.initial_from(instance))
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = department_choices(Category, department)
        self.fields["category"].empty_label = _("– no category –")
        self.fields["location"].queryset = department_choices(Location, department)
        self.fields["location"].empty_label = _("– no location –")

    def initial_from(self, instance) -> dict:
        return {name: getattr(instance, name) for name in self.fields_of_model()}

    def fields_of_model(self) -> list[str]:
        return [name for name in self.base_fields if name != "current_stock"]

    def service_fields(self) -> dict:
        """Everything for a new record, only what the user changed for an existing one."""
        names = self.fields_of_model() if self.instance is None else self.changed_data
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class ToolForm(_ItemForm):
    model = Tool

    barcode = forms.CharField(label=_label(Tool, "barcode"), max_length=64)
    name = forms.CharField(label=_label(Tool, "name"), max_length=200)
    description = forms.CharField(
        label=_label(Tool, "description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ModelChoiceField(label=_label(Tool, "category"), queryset=Category.objects.none(), required=False)
    location = forms.ModelChoiceField(label=_label(Tool, "location"), queryset=Location.objects.none(), required=False)
    status = forms.ChoiceField(label=_label(Tool, "status"), choices=SETTABLE_STATUSES, initial=Tool.Status.AVAILABLE)
    condition = forms.ChoiceField(
        label=_label(Tool, "condition"), choices=Tool.Condition.choices, initial=Tool.Condition.GOOD
    )
    serial_number = forms.CharField(label=_label(Tool, "serial_number"), max_length=100, required=False)
    purchase_date = forms.DateField(label=_label(Tool, "purchase_date"), required=False, widget=_date_input())
    purchase_price = forms.DecimalField(
        label=_label(Tool, "purchase_price"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    maintenance_due = forms.DateField(label=_label(Tool, "maintenance_due"), required=False, widget=_date_input())
    custom_fields = CustomFieldsField(
        label=_label(Tool, "custom_fields"), help_text=_("One “name: value” per line, e.g. Voltage: 18 V.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and self.instance.status == Tool.Status.LENT:
            # Shown, but a lent tool changes status only when it is taken back.
            status = self.fields["status"]
            status.choices = Tool.Status.choices
            status.disabled = True
            status.help_text = _("The tool is lent out; it becomes available again when it is returned.")

    def initial_from(self, instance) -> dict:
        initial = super().initial_from(instance)
        initial["custom_fields"] = format_custom_fields(instance.custom_fields)
        return initial

    def service_fields(self) -> dict:
        fields = super().service_fields()
        if self.instance is not None and fields.get("custom_fields") == self.instance.custom_fields:
            fields.pop("custom_fields")
        return fields


class ConsumableForm(_ItemForm):
    model = Consumable

    barcode = forms.CharField(label=_label(Consumable, "barcode"), max_length=64)
    name = forms.CharField(label=_label(Consumable, "name"), max_length=200)
    description = forms.CharField(
        label=_label(Consumable, "description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ModelChoiceField(
        label=_label(Consumable, "category"), queryset=Category.objects.none(), required=False
    )
    location = forms.ModelChoiceField(
        label=_label(Consumable, "location"), queryset=Location.objects.none(), required=False
    )
    current_stock = forms.IntegerField(
        label=_("Initial stock"), min_value=0, max_value=MAX_STOCK, initial=0,
        help_text=_("Later changes go through “Adjust stock”, so that each one has a reason."),
    )  # fmt: skip
    unit = forms.CharField(label=_label(Consumable, "unit"), max_length=20, initial="Stk")
    min_stock = forms.IntegerField(label=_label(Consumable, "min_stock"), min_value=0, max_value=MAX_STOCK, initial=0)
    max_stock = forms.IntegerField(
        label=_label(Consumable, "max_stock"), min_value=0, max_value=MAX_STOCK, required=False,
        help_text=_("Optional. Order suggestions fill up to this amount."),
    )  # fmt: skip
    cost_per_unit = forms.DecimalField(
        label=_label(Consumable, "cost_per_unit"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    supplier = forms.CharField(label=_label(Consumable, "supplier"), max_length=200, required=False)
    last_ordered_at = forms.DateField(label=_label(Consumable, "last_ordered_at"), required=False, widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            del self.fields["current_stock"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_stock"), cleaned.get("max_stock")
        if low is not None and high is not None and high < low:
            self.add_error("max_stock", _("The maximum must not be below the minimum."))
        return cleaned

    def create_kwargs(self) -> dict:
        return {**self.service_fields(), "current_stock": self.cleaned_data["current_stock"]}


class ToolStatusForm(forms.Form):
    status = forms.ChoiceField(choices=SETTABLE_STATUSES)
    note = forms.CharField(max_length=255, required=False)


class MaintenanceForm(forms.Form):
    date = forms.DateField(label=_label(MaintenanceRecord, "date"), widget=_date_input(), initial=timezone.localdate)
    description = forms.CharField(
        label=_label(MaintenanceRecord, "description"), widget=forms.Textarea(attrs={"rows": 2})
    )
    cost = forms.DecimalField(
        label=_label(MaintenanceRecord, "cost"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    performed_by = forms.CharField(label=_label(MaintenanceRecord, "performed_by"), max_length=200, required=False)
    next_due = forms.DateField(
        label=_("Next maintenance due"), required=False, widget=_date_input(),
        help_text=_("Optional: sets the tool's maintenance due date."),
    )  # fmt: skip


class StockAdjustForm(forms.Form):
    delta = forms.IntegerField(
        label=pgettext_lazy("stock", "Change"),
        min_value=-MAX_STOCK,
        max_value=MAX_STOCK,
        help_text=_("Positive for goods received, negative for goods taken out or written off."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("The change must not be zero."))
        return delta
