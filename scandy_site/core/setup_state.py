"""Whether the first admin exists yet (the setup wizard runs until one does)."""

from django.core.cache import cache

_KEY = "scandy:setup-complete"


def setup_complete() -> bool:
    if cache.get(_KEY):
        return True
    from scandy_site.accounts.models import User
    from scandy_site.accounts.roles import Role

    done = (
        User.objects.filter(is_active=True).filter(role=Role.ADMIN).exists()
        or User.objects.filter(is_active=True, is_superuser=True).exists()
    )
    if done:
        cache.set(_KEY, True, timeout=300)
    return done


def forget_setup_state() -> None:
    cache.delete(_KEY)
