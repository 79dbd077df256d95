from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "scandy_site.events"
    label = "events"
    verbose_name = _("Events and webhooks")

    def ready(self):
        from . import builtin_kinds, signals  # noqa: F401

        builtin_kinds.register_builtin()
