from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "scandy_site.media"
    label = "media"
    verbose_name = _("Files")

    def ready(self):
        from . import builtin_entities

        builtin_entities.register_builtin()
