from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role, role_can
from .secrets import decrypt, encrypt


class Department(models.Model):
    """An Abteilung: tools, consumables, workers, lendings, tickets and timesheets belong to one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.USER)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="members", verbose_name=_("allowed departments")
    )
    default_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default department"),
    )
    timesheet_enabled = models.BooleanField(_("timesheets enabled"), default=False)
    thingsboard_username = models.CharField(_("ThingsBoard user"), max_length=200, blank=True)
    # Encrypted with a key derived from SECRET_KEY; never rendered back to anyone.
    thingsboard_password_encrypted = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def effective_role(self) -> str:
        return Role.ADMIN if self.is_superuser else self.role

    def can(self, capability: str) -> bool:
        return self.is_active and role_can(self.effective_role, capability)

    def set_thingsboard_password(self, raw: str | None) -> None:
        self.thingsboard_password_encrypted = encrypt(raw) if raw else ""

    def get_thingsboard_password(self) -> str:
        return decrypt(self.thingsboard_password_encrypted) if self.thingsboard_password_encrypted else ""

    @property
    def has_thingsboard_credentials(self) -> bool:
        return bool(self.thingsboard_username and self.thingsboard_password_encrypted)

    def save(self, *args, **kwargs):
        # The Django admin and staff flags follow the role, so there is one source of truth.
        self.is_staff = self.is_superuser or self.role in (Role.ADMIN, Role.EMPLOYEE)
        super().save(*args, **kwargs)
