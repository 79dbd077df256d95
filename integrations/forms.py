from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Order, Product
from .services import MAX_STOCK


class OrderForm(forms.ModelForm):
    """A local edit of an order: what is changed here stays when the shop is synced again."""

    total = forms.DecimalField(label=_("Total"), max_digits=12, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = Order
        fields = ["status", "total", "customer_name", "customer_phone", "notes"]
        widgets = {
            "status": forms.TextInput(attrs={"list": "order-statuses", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"notes": _("Known here only: the shop never sees or changes it.")}


class ProductForm(forms.ModelForm):
    price = forms.DecimalField(label=_("Price"), max_digits=12, decimal_places=2, min_value=0, required=False)
    cost = forms.DecimalField(
        label=_("Cost"), max_digits=12, decimal_places=2, min_value=0, required=False,
        help_text=_("Known here only: the shop never sees or changes it."),
    )  # fmt: skip
    stock = forms.IntegerField(label=_("Stock"), min_value=-MAX_STOCK, max_value=MAX_STOCK)

    class Meta:
        model = Product
        fields = ["name", "category", "price", "stock", "is_active", "cost", "hidden"]
        help_texts = {"hidden": _("Hidden products are left out of the product list unless asked for.")}


def changed_values(form: forms.ModelForm) -> dict:
    """The cleaned values of the fields the person changed (what a service should write)."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
