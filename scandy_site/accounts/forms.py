"""Forms of the user admin: Django's own user forms (password validators included) plus the
Scandy fields: role, departments and the write-only ThingsBoard password."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import User
from .roles import Role

SCANDY_FIELDS = ("role", "departments", "default_department", "timesheet_enabled")


def other_active_admins_exist(user) -> bool:
    """Whether an active administrator other than `user` would remain (the setup wizard opens again
    to anyone as soon as none is left)."""
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(pk=user.pk)
    return admins.exists()


class _ScandyUserFormMixin:
    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role", getattr(self.instance, "role", None))
        default = cleaned.get("default_department")
        departments = cleaned.get("departments")
        if default is not None and departments is not None and role != Role.ADMIN and default not in departments:
            self.add_error("default_department", _("The default department must be one of the allowed departments."))
        return cleaned


class UserCreationForm(_ScandyUserFormMixin, auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", *SCANDY_FIELDS)


class UserChangeForm(_ScandyUserFormMixin, auth_forms.UserChangeForm):
    # Write-only: the stored value is never put into the page, not even masked.
    thingsboard_password = forms.CharField(
        label=_("ThingsBoard password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )
    thingsboard_password_clear = forms.BooleanField(label=_("Remove the stored ThingsBoard password"), required=False)

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("thingsboard_password") and cleaned.get("thingsboard_password_clear"):
            self.add_error(
                "thingsboard_password_clear", _("Either enter a new password or remove the stored one, not both.")
            )
        user = self.instance
        was_admin = user.pk and user.is_active and (user.role == Role.ADMIN or user.is_superuser)
        stays_admin = cleaned.get("is_active", user.is_active) and (
            cleaned.get("role", user.role) == Role.ADMIN or cleaned.get("is_superuser", user.is_superuser)
        )
        if was_admin and not stays_admin and not other_active_admins_exist(user):
            raise forms.ValidationError(_("At least one active administrator must remain."))
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("thingsboard_password_clear"):
            user.set_thingsboard_password(None)
        elif self.cleaned_data.get("thingsboard_password"):
            user.set_thingsboard_password(self.cleaned_data["thingsboard_password"])
        if commit:
            user.save()
            self.save_m2m()
        return user
