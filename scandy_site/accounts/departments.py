"""Which department a request works in (CONTRACT section 4).

Pages keep the choice in the session (header switcher); API calls may send
`X-Scandy-Department: <code>`; admins may ask for `all` (header or `?department=all`).
Every selector receives the result: a Department, or None meaning "all departments".
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError

from .models import Department

ALL = "all"
SESSION_KEY = "scandy_department"
HEADER = "HTTP_X_SCANDY_DEPARTMENT"


@dataclass(frozen=True)
class DepartmentScope:
    department: Department | None
    allowed: tuple[Department, ...]

    @property
    def is_all(self) -> bool:
        return self.department is None


def allowed_departments(user) -> list[Department]:
    if not user.is_authenticated:
        return []
    if user.can("departments.all"):
        return list(Department.objects.filter(active=True))
    return list(user.departments.filter(active=True))


def resolve_scope(request, user) -> DepartmentScope:
    if not user.is_authenticated:
        # Anonymous visitors (login page, API docs) work in no department at all.
        raise ApplicationError("NOT_AUTHENTICATED", _("Log in first."))
    allowed = tuple(allowed_departments(user))
    by_code = {d.code: d for d in allowed}
    requested = request.META.get(HEADER) or request.GET.get("department") or ""
    requested = requested.strip()
    if requested == ALL:
        if not user.can("departments.all"):
            raise ApplicationError("PERMISSION_DENIED", _("Only administrators may see all departments."))
        return DepartmentScope(None, allowed)
    if requested:
        if requested not in by_code:
            raise ApplicationError(
                "PERMISSION_DENIED", _("Department '%(code)s' is not allowed for you.") % {"code": requested}
            )
        return DepartmentScope(by_code[requested], allowed)
    session = getattr(request, "session", None)
    remembered = session.get(SESSION_KEY) if session is not None else None
    if remembered == ALL and user.can("departments.all"):
        return DepartmentScope(None, allowed)
    if remembered in by_code:
        return DepartmentScope(by_code[remembered], allowed)
    # By id: the allowed list is loaded already, so the default costs no extra query.
    default = next((d for d in allowed if d.pk == user.default_department_id), None)
    if default is not None:
        return DepartmentScope(default, allowed)
    if allowed:
        return DepartmentScope(allowed[0], allowed)
    raise ApplicationError("PERMISSION_DENIED", _("You are not assigned to any department."))


def remember_department(request, code: str) -> DepartmentScope:
    """Store the header switcher's choice after checking it is allowed."""
    request.META[HEADER] = code
    scope = resolve_scope(request, request.user)
    request.session[SESSION_KEY] = ALL if scope.is_all else scope.department.code
    return scope
