from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _


# Suggestions in the language the wizard is shown in; callables, so each request translates them anew.
def _default_department() -> str:
    return pgettext("department name", "Workshop")


def _default_categories() -> str:
    return "\n".join([gettext("Power tools"), gettext("Hand tools"), gettext("Measuring instruments")])


def _default_locations() -> str:
    return "\n".join([gettext("Store room"), pgettext("location", "Workshop")])


def split_lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]


class SetupForm(forms.Form):
    system_name = forms.CharField(
        label=_("System name"), max_length=100, initial="Scandy",
        help_text=_("Shown in the header, in mails and on labels."),
    )  # fmt: skip
    username = forms.CharField(
        label=_("Admin user name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    email = forms.EmailField(
        label=_("Admin email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common and not only digits."),
    )  # fmt: skip
    password2 = forms.CharField(
        label=_("Repeat password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    department_name = forms.CharField(label=_("First department"), max_length=100, initial=_default_department)
    department_code = forms.SlugField(
        label=_("Department code"), max_length=32, initial=lambda: slugify(_default_department()),
        help_text=_("Short, lower-case, no spaces; scanner stations send it to choose the department."),
    )  # fmt: skip
    categories = forms.CharField(
        label=_("Categories"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("One per line."), initial=_default_categories,
    )  # fmt: skip
    locations = forms.CharField(
        label=_("Locations"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        help_text=_("One per line."), initial=_default_locations,
    )  # fmt: skip

    def clean_username(self):
        username = self.cleaned_data["username"]
        username_field = get_user_model()._meta.get_field("username")
        for validator in username_field.validators:
            validator(username)
        return username

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = get_user_model()(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "system_name": data["system_name"],
            "username": data["username"],
            "email": data.get("email", ""),
            "password": data["password1"],
            "department_code": data["department_code"],
            "department_name": data["department_name"],
            "categories": split_lines(data.get("categories", "")),
            "locations": split_lines(data.get("locations", "")),
        }
