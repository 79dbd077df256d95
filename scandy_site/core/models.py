from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

# What the site calls its tools, consumables and workers. The defaults are German (the default
# language) and marked for translation: while an admin keeps a default, each reader sees it in
# their language; a label the admin changed is shown as written.
DEFAULT_LABELS = {
    "tools": gettext_noop("Werkzeuge"),
    "consumables": gettext_noop("Verbrauchsmaterial"),
    "workers": gettext_noop("Mitarbeitende"),
}

# Printable label sizes in millimetres: at least this small, at most an A4 page (see inventory/labels.py).
A4_WIDTH_MM, A4_HEIGHT_MM = 210, 297
LABEL_MIN_WIDTH_MM, LABEL_MIN_HEIGHT_MM = 15, 10


class SiteConfiguration(models.Model):
    """Settings an admin changes at run time (set first by the setup wizard). One row."""

    system_name = models.CharField(_("system name"), max_length=100, blank=True)
    label_tools = models.CharField(_("label for tools"), max_length=50, default=DEFAULT_LABELS["tools"])
    label_consumables = models.CharField(
        _("label for consumables"), max_length=50, default=DEFAULT_LABELS["consumables"]
    )
    label_workers = models.CharField(_("label for workers"), max_length=50, default=DEFAULT_LABELS["workers"])
    # Default size of printed barcode labels (the list pages and the admin action start from it).
    label_width_mm = models.DecimalField(
        _("label width (mm)"), max_digits=4, decimal_places=1, default=Decimal("70.0"),
        validators=[MinValueValidator(LABEL_MIN_WIDTH_MM), MaxValueValidator(A4_WIDTH_MM)],
        help_text=_("Default width of a printed barcode label; 70 × 37 mm fits the common 3 × 8 A4 sheet."),
    )  # fmt: skip
    label_height_mm = models.DecimalField(
        _("label height (mm)"), max_digits=4, decimal_places=1, default=Decimal("37.0"),
        validators=[MinValueValidator(LABEL_MIN_HEIGHT_MM), MaxValueValidator(A4_HEIGHT_MM)],
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("site configuration")
        verbose_name_plural = _("site configuration")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="site_configuration_singleton")]

    def __str__(self):
        return str(self.system_name or settings.SYSTEM_NAME)

    @classmethod
    def current(cls) -> "SiteConfiguration":
        obj, _created = cls.objects.get_or_create(id=1)
        return obj

    @property
    def display_name(self) -> str:
        return self.system_name or settings.SYSTEM_NAME

    def labels(self) -> dict[str, str]:
        """{"tools", "consumables", "workers"} -> the label to show, in the active language."""
        shown = {}
        for kind, default in DEFAULT_LABELS.items():
            value = getattr(self, f"label_{kind}").strip()
            shown[kind] = gettext(default) if value in ("", default) else value
        return shown


class ChangeEvent(models.Model):
    """One row per committed change to a domain object: the history shown in the admin and pages,
    and the event feed (`<entity>.<action>` with the changed fields)."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        DELETED = "deleted", _("deleted")
        RESTORED = "restored", _("restored")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("content type"))
    # The integer primary key (history lookups); empty for records keyed otherwise (ThingsBoard UUIDs).
    object_id = models.PositiveBigIntegerField(_("object ID"), null=True, blank=True)
    # What identifies the record in the API at the time of the change: a barcode for tools, consumables and
    # workers, the UUID of a customer or device, the number of everything else. The event feed's `object_id`.
    object_key = models.CharField(_("object key"), max_length=64, default="", blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    entity = models.CharField(_("entity"), max_length=50)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # {field: [old, new]} as JSON-safe strings/numbers.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # A person's words, or, with `note_params` set, a sentence Scandy wrote itself: then `note` holds its
    # untranslated source and `shown_note` puts it into each reader's language.
    note = models.CharField(_("note"), max_length=255, blank=True)
    note_params = models.JSONField(_("note parameters"), null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("department"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )  # fmt: skip
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["content_type", "object_key"], name="change_event_object_key"),
        ]

    def __str__(self):
        return f"{self.type} {self.object_key or self.object_id}"

    @property
    def type(self) -> str:
        return f"{self.entity}.{self.action}"

    @property
    def shown_note(self) -> str:
        """The note in the active language."""
        if self.note_params is None:
            return self.note
        try:
            return gettext(self.note) % self.note_params
        except (KeyError, TypeError, ValueError):  # a catalogue entry that no longer fits its parameters
            return self.note

    @property
    def changed_fields(self) -> list[str]:
        return sorted(self.changes)


class WorkerHeartbeat(models.Model):
    """Touched by a django-q2 schedule; /health reports the worker stale when it gets old."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    beat_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="worker_heartbeat_singleton")]

    def __str__(self):
        return self.beat_at.isoformat()
