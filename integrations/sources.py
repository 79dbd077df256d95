"""The outside systems Scandy syncs from, and what a run of each reads."""

from django.conf import settings
from django.utils.translation import gettext as _

from .engine import Connector
from .models import Source
from .shop import ENTITIES as SHOP_ENTITIES
from .shop import shop_connectors, shop_settings
from .thingsboard import ENTITIES as THINGSBOARD_ENTITIES
from .thingsboard import NotConfiguredError, thingsboard_account, thingsboard_connectors

ENTITIES: dict[str, tuple[str, ...]] = {
    Source.THINGSBOARD: tuple(THINGSBOARD_ENTITIES),
    Source.SHOP: tuple(SHOP_ENTITIES),
}


def source_account(source: str, *, user=None) -> str:
    """Which account a run started by `user` would use; raises NotConfiguredError when it cannot run."""
    if source == Source.THINGSBOARD:
        return thingsboard_account(user).label
    shop_settings()
    return _("API token")


def source_configured(source: str) -> bool:
    if source == Source.THINGSBOARD:
        return bool(settings.THINGSBOARD_URL)
    return bool(settings.SHOP_API_URL and settings.SHOP_API_TOKEN)


def source_connectors(source: str, *, user=None, entities=None) -> tuple[list[Connector], str]:
    """The connectors of one run (sharing one client, so one login) and the account label."""
    entities = tuple(entities or ENTITIES[source])
    timeout = settings.SYNC_HTTP_TIMEOUT
    if source == Source.THINGSBOARD:
        account = thingsboard_account(user)
        return thingsboard_connectors(account=account, entities=entities, timeout=timeout), account.label
    return shop_connectors(entities=entities, timeout=timeout), _("API token")


__all__ = ["ENTITIES", "NotConfiguredError", "source_account", "source_configured", "source_connectors"]
