from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from scandy_site.core.sheets import register

        from .sheets import ConsumableSheet, ToolSheet

        register(ToolSheet)
        register(ConsumableSheet)
