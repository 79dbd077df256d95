from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from scandy_site.accounts.models import Department
from scandy_site.accounts.roles import Role

from .errors import ApplicationError
from .models import SiteConfiguration
from .setup_state import forget_setup_state, setup_complete


@transaction.atomic
def setup_initial_instance(
    *,
    system_name: str,
    username: str,
    email: str,
    password: str,
    department_code: str,
    department_name: str,
    categories: list[str],
    locations: list[str],
):
    """The setup wizard's single action: first admin, name, first department, categories, locations."""
    from inventory.models import Category, Location

    if setup_complete():
        raise ApplicationError("PERMISSION_DENIED", _("Scandy is already set up."))
    config = SiteConfiguration.current()
    config.system_name = system_name.strip()
    config.save()
    department, _created = Department.objects.get_or_create(
        code=department_code, defaults={"name": department_name.strip()}
    )
    admin = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        role=Role.ADMIN,
        default_department=department,
        timesheet_enabled=True,
    )
    admin.departments.add(department)
    for name in dict.fromkeys(n.strip() for n in categories if n.strip()):
        Category.objects.get_or_create(department=department, name=name[:100])
    for name in dict.fromkeys(n.strip() for n in locations if n.strip()):
        Location.objects.get_or_create(department=department, name=name[:100])
    transaction.on_commit(forget_setup_state)
    return admin
