from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from scandy_site.core.admin_mixins import CapabilityAdminMixin

from .forms import UserChangeForm, UserCreationForm, other_active_admins_exist
from .models import Department, User

# Roles (accounts.roles) replace Django's groups and model permissions.
admin.site.unregister(Group)


@admin.register(Department)
class DepartmentAdmin(CapabilityAdminMixin, admin.ModelAdmin):
    capability = "system.manage"
    list_display = ("code", "name", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(CapabilityAdminMixin, DjangoUserAdmin):
    capability = "system.manage"
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("username", "first_name", "last_name", "email", "role", "default_department", "is_active")
    list_filter = ("role", "is_active", "departments")
    list_select_related = ("default_department",)
    filter_horizontal = ("departments",)
    readonly_fields = ("last_login", "date_joined", "thingsboard_password_status")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and departments"), {"fields": ("role", "departments", "default_department", "timesheet_enabled")}),
        (
            _("ThingsBoard"),
            {
                "fields": (
                    "thingsboard_username",
                    "thingsboard_password_status",
                    "thingsboard_password",
                    "thingsboard_password_clear",
                )
            },
        ),
        (_("Status"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and departments"), {"fields": ("role", "departments", "default_department", "timesheet_enabled")}),
    )

    # Error reports must not carry the ThingsBoard password (CONTRACT section 2: secrets stay secret).
    @method_decorator(sensitive_post_parameters("thingsboard_password"))
    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("ThingsBoard password"))
    def thingsboard_password_status(self, user):
        return gettext("stored") if user.thingsboard_password_encrypted else gettext("not set")

    def get_actions(self, request):
        # Bulk delete could remove the last administrator; users are deactivated or deleted one by one.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.pk == request.user.pk or not other_active_admins_exist(obj)):
            return False
        return super().has_delete_permission(request, obj)
