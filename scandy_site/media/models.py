from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file on a tool, consumable, worker, ticket or job, keyed by entity type and primary key.

    The bytes live in Django's storage (the data dir, or S3); `filename` is the safe name the URLs use,
    unique per entity. Images are stored re-encoded (no EXIF, at most 1920 px) with a thumbnail."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        DOCUMENT = "document", _("document")

    entity_type = models.CharField(_("entity type"), max_length=30)
    entity_id = models.PositiveBigIntegerField(_("entity id"))
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=120)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    file = models.FileField(_("file"), max_length=255)
    thumbnail = models.FileField(_("thumbnail"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    is_preview = models.BooleanField(_("preview image"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-is_preview", "created_at", "id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")
        constraints = [
            models.UniqueConstraint(fields=["entity_type", "entity_id", "filename"], name="attachment_name_unique"),
            models.UniqueConstraint(
                fields=["entity_type", "entity_id"],
                condition=models.Q(is_preview=True),
                name="attachment_one_preview_per_entity",
            ),
            models.CheckConstraint(
                condition=models.Q(is_preview=False) | models.Q(kind="image"), name="attachment_preview_is_image"
            ),
        ]
        indexes = [models.Index(fields=["entity_type", "entity_id"])]

    def __str__(self):
        return f"{self.entity_type}/{self.entity_id}/{self.filename}"

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE
