"""The role matrix of CONTRACT section 4, the only place that says who may do what.

Pages use `capability_required`/`CapabilityRequiredMixin`, the API uses `HasCapability`, and
templates use `user|can:"..."`; all three read this table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EMPLOYEE = "employee", _("Mitarbeiter")
    USER = "user", _("Anwender")
    PARTICIPANT = "participant", _("Teilnehmer")


_A, _E, _U, _P = Role.ADMIN, Role.EMPLOYEE, Role.USER, Role.PARTICIPANT

CAPABILITIES: dict[str, frozenset[str]] = {
    # settings, users, backups, integrations config
    "system.manage": frozenset({_A}),
    # Moving data in (CONTRACT 7: spreadsheets, the original Scandy) is for admins only (CONTRACT 4).
    "data.import": frozenset({_A}),
    "workers.manage": frozenset({_A, _E}),
    "inventory.view": frozenset({_A, _E, _U}),
    "inventory.edit": frozenset({_A, _E, _U}),
    # Soft delete and restore from the trash: a step beyond editing, kept to staff.
    "inventory.delete": frozenset({_A, _E}),
    "lending.use": frozenset({_A, _E, _U}),
    "tickets.manage_all": frozenset({_A, _E}),
    "tickets.create": frozenset({_A, _E, _U, _P}),
    "tickets.see_open": frozenset({_A, _E, _U}),
    # Internal notes on tickets: never shown to (or written by) participants.
    "tickets.internal_notes": frozenset({_A, _E, _U}),
    # Job board (ENABLE_JOB_BOARD): everyone signed in sees the published offers of the department and applies;
    # staff post and manage offers and decide on applications.
    "jobs.view": frozenset({_A, _E, _U, _P}),
    "jobs.apply": frozenset({_A, _E, _U, _P}),
    "jobs.manage": frozenset({_A, _E}),
    "timesheets.own": frozenset({_A, _E, _U, _P}),
    "timesheets.approve": frozenset({_A, _E}),
    "media.upload": frozenset({_A, _E, _U}),
    "media.upload_own": frozenset({_A, _E, _U, _P}),
    "departments.all": frozenset({_A}),
    # Integrations: the local copies of ThingsBoard customers/devices and of the shop's orders/products.
    "customers.view": frozenset({_A, _E, _U}),
    "customers.edit": frozenset({_A, _E}),
    "shop.view": frozenset({_A, _E}),
    "shop.edit": frozenset({_A, _E}),
    # Start a sync now (schedules run them anyway); sources, conflicts and credentials are "system.manage".
    "integrations.sync": frozenset({_A, _E}),
    # CETEC ERP customers (a live proxy) and the state of their backup databases: billing and hosting
    # data of the company's own customers, for staff only, like the shop.
    "cetec.view": frozenset({_A, _E}),
}


def role_can(role: str | None, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return role in CAPABILITIES[capability]
