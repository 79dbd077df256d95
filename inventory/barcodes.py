"""The per-department barcode registry shared by tools, consumables and workers."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.validation import clean_or_raise

from .models import BarcodeRegistration

# Scanners send printable ASCII; a slash or space would break URLs and labels.
BARCODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+#-]{0,63}$")


def normalise_barcode(raw) -> str:
    barcode = str(raw or "").strip()
    if not barcode:
        raise ApplicationError(
            "VALIDATION_ERROR", _("A barcode is required."), errors={"barcode": [_("This field is required.")]}
        )
    if not BARCODE_PATTERN.match(barcode):
        raise ApplicationError(
            "VALIDATION_ERROR",
            _("A barcode is 1 to 64 characters: letters, digits and . _ : + # -"),
            errors={"barcode": [_("Invalid barcode.")]},
        )
    return barcode


def _in_use(barcode: str) -> ApplicationError:
    return ApplicationError(
        "BARCODE_IN_USE",
        _("Barcode %(barcode)s is already used in this department.") % {"barcode": barcode},
        errors={"barcode": [_("already in use")]},
    )


def clean_barcoded(instance) -> None:
    """Validate a tool, consumable or worker, leaving barcode uniqueness to the registry.

    Django's constraint check would see a row another request committed a moment ago and call it a plain
    validation error; the registry's unique index answers that race with BARCODE_IN_USE instead."""
    clean_or_raise(instance, exclude=["barcode"])


def barcode_register(*, department, barcode: str, kind: str, object_id: int) -> None:
    try:
        with transaction.atomic():
            BarcodeRegistration.objects.create(department=department, barcode=barcode, kind=kind, object_id=object_id)
    except IntegrityError as exc:
        raise _in_use(barcode) from exc


def barcode_save_new(instance, *, kind: str) -> None:
    """Insert a new tool, consumable or worker and register its barcode in one savepoint.

    `barcode_ensure_free` is only a friendly early check: two requests can pass it at the same moment.
    The loser of that race fails on a unique index here and gets BARCODE_IN_USE, not an IntegrityError."""
    try:
        with transaction.atomic():
            instance.save()
            BarcodeRegistration.objects.create(
                department=instance.department, barcode=instance.barcode, kind=kind, object_id=instance.pk
            )
    except IntegrityError as exc:
        instance.pk = None
        if BarcodeRegistration.objects.filter(department=instance.department, barcode=instance.barcode).exists():
            raise _in_use(instance.barcode) from exc
        raise


def barcode_ensure_free(*, department, barcode: str, kind: str | None = None, object_id: int | None = None) -> None:
    taken = BarcodeRegistration.objects.filter(department=department, barcode=barcode)
    if kind and object_id:
        taken = taken.exclude(kind=kind, object_id=object_id)
    if taken.exists():
        raise _in_use(barcode)


def barcode_move(*, department, kind: str, object_id: int, barcode: str) -> None:
    """Point an object's registration at a new barcode (or department)."""
    try:
        with transaction.atomic():
            updated = BarcodeRegistration.objects.filter(kind=kind, object_id=object_id).update(
                department=department, barcode=barcode
            )
            if not updated:
                BarcodeRegistration.objects.create(
                    department=department, barcode=barcode, kind=kind, object_id=object_id
                )
    except IntegrityError as exc:
        raise _in_use(barcode) from exc


def barcode_release(*, kind: str, object_id: int) -> None:
    BarcodeRegistration.objects.filter(kind=kind, object_id=object_id).delete()
