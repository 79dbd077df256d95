"""Role checks for pages and the API, both read from roles.CAPABILITIES."""

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


def capability_required(capability: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class CapabilityRequiredMixin(AccessMixin):
    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.can(self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HasCapability(BasePermission):
    """`permission_classes = [HasCapability.of("inventory.view", write="inventory.edit")]`."""

    read_capability = ""
    write_capability = ""

    @classmethod
    def of(cls, read: str, *, write: str | None = None, delete: str | None = None):
        return type(
            f"Has_{read.replace('.', '_')}",
            (cls,),
            {"read_capability": read, "write_capability": write or read, "delete_capability": delete},
        )

    delete_capability = None

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return user.can(self.read_capability)
        if request.method == "DELETE" and self.delete_capability:
            return user.can(self.delete_capability)
        return user.can(self.write_capability)
