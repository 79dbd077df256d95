from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupFile(models.Model):
    """A backup ZIP in the backup storage. No table: the files are the records (a database row would
    be overwritten by the very restore it describes). The model gives the admin its menu entry."""

    name = models.CharField(_("name"), max_length=255, primary_key=True)

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("backup")
        verbose_name_plural = _("backups")

    def __str__(self):
        return self.name
