"""Which backups `backup prune` keeps: the newest of each of the last 7 days, 4 ISO weeks and 12
months that have a backup (grandfather-father-son). Buckets are counted over the backups that exist,
not over the calendar, so a pause in backups never makes prune delete the last good ones."""

import datetime
from collections.abc import Iterable
from typing import TypeVar

from django.utils import timezone

T = TypeVar("T")


def _newest_per_bucket(items: list[tuple[datetime.datetime, T]], bucket, keep: int) -> set:
    kept, seen = set(), []
    for at, item in items:  # newest first
        key = bucket(at)
        if key in seen:
            continue
        if len(seen) >= keep:
            break
        seen.append(key)
        kept.add(item)
    return kept


def to_keep(backups: Iterable[tuple[datetime.datetime, T]], *, daily: int, weekly: int, monthly: int) -> set:
    """The items (second element of each pair) to keep, judged by their timestamps (local time)."""
    items = sorted(((timezone.localtime(at), item) for at, item in backups), key=lambda pair: pair[0], reverse=True)
    return (
        _newest_per_bucket(items, lambda at: at.date(), daily)
        | _newest_per_bucket(items, lambda at: at.isocalendar()[:2], weekly)
        | _newest_per_bucket(items, lambda at: (at.year, at.month), monthly)
    )
