from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "scandy_site.core"
    label = "core"
    verbose_name = _("System")

    def ready(self):
        from . import signals  # noqa: F401
