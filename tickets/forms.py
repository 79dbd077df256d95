"""Forms of the ticket pages and the public order form. They parse input; rules live in services.py."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import OrderDetails, Ticket


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _hours(label):
    return forms.DecimalField(label=label, required=False, min_value=0, max_value=99999, decimal_places=2,
                              widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}))  # fmt: skip


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class TicketForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 5}))  # fmt: skip
    category = forms.ChoiceField(label=_("Category"), choices=Ticket.Category.choices, initial=Ticket.Category.GENERAL)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_input())
    estimated_hours = _hours(_("Estimated hours"))
    actual_hours = _hours(_("Actual hours"))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500,
                           help_text=_("Separate with commas, e.g. “electrics, urgent part”."))  # fmt: skip
    assignees = UserChoiceField(label=_("Assignees"), queryset=None, required=False,
                                widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, department, user, instance: Ticket | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {
                **{name: getattr(instance, name) for name in ("title", "description", "category", "priority",
                                                              "due_date", "estimated_hours", "actual_hours")},
                "tags": ", ".join(sorted(tag.name for tag in instance.tags.all())),
            })  # fmt: skip
        super().__init__(*args, **kwargs)
        # Assignees are chosen on creation by staff; later, the ticket page's assign form does it.
        if instance is None and user.can("tickets.manage_all"):
            self.fields["assignees"].queryset = selectors.assignable_users(department=department)
        else:
            del self.fields["assignees"]
        if not user.can("tickets.manage_all") and not user.can("tickets.see_open"):
            # Participants describe what they need; hours are the workshop's business.
            del self.fields["estimated_hours"], self.fields["actual_hours"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("assignees", None)
        return data


class OrderDetailsForm(forms.ModelForm):
    class Meta:
        model = OrderDetails
        fields = ["client_type", "client_name", "contact_name", "contact_email", "contact_phone",
                  "order_description", "completion_date", "vat_rate", "hourly_rate"]  # fmt: skip
        widgets = {
            "completion_date": _date_input(),
            "order_description": forms.Textarea(attrs={"rows": 3}),
            "vat_rate": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "hourly_rate": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("vat_rate", settings.TICKET_VAT_RATE)
            self.initial.setdefault("hourly_rate", settings.TICKET_HOURLY_RATE)
        self.fields["vat_rate"].required = False
        self.fields["hourly_rate"].required = False

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("vat_rate", "hourly_rate"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (not shown to participants)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.can("tickets.internal_notes"):
            del self.fields["internal"]


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, department, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.assignable_users(department=department).exclude(pk__in=exclude)
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["user"].empty_label = _("Choose someone …")


class WorkLineForm(forms.Form):
    work = forms.CharField(label=_("Work performed"), max_length=300)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=99999, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}))  # fmt: skip
    service_category = forms.CharField(label=_("Service category"), max_length=100, required=False)


class MaterialLineForm(forms.Form):
    material = forms.CharField(label=_("Material"), max_length=300)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_value=99999999, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )  # fmt: skip
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False, initial="Stk")
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=0, max_value=99999999, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip


class ExternalOrderForm(forms.Form):
    """The public order form. Every field is bounded; `website` is a trap only robots fill in."""

    client_name = forms.CharField(label=_("Company or name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_email = forms.EmailField(label=_("Email"), max_length=254)
    contact_phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    title = forms.CharField(label=_("What should we do?"), max_length=200,
                            help_text=_("A short subject, e.g. “Repair a hydraulic press”."))  # fmt: skip
    description = forms.CharField(label=_("Details"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    completion_date = forms.DateField(label=_("Desired completion date"), required=False, widget=_date_input())
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))  # fmt: skip

    def clean_completion_date(self):
        value = self.cleaned_data.get("completion_date")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The date lies in the past."))
        return value

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("website", None)
        return data
