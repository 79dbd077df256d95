"""List pages: ordering from `?ordering=`, pagination, and the result block alone for live filtering (htmx)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 50


def ordered(queryset, requested: str, orderings: dict, default: str = "") -> tuple:
    """`orderings` maps an `?ordering=` key to order_by fields; `-key` turns them round. Anything else
    falls back to `default` (or the first key), so a bad parameter never fails the page."""
    key = (requested or "").lstrip("-")
    if key not in orderings:
        requested = default or next(iter(orderings))
        key = requested.lstrip("-")
    fields = orderings[key]
    if requested.startswith("-"):
        fields = tuple(field[1:] if field.startswith("-") else f"-{field}" for field in fields)
    return queryset.order_by(*fields), requested


def has_filters(request) -> bool:
    return any(value for key, value in request.GET.items() if key not in ("page", "ordering"))


def list_page(request, *, items, orderings: dict, template: str, partial: str, context: dict, default: str = ""):
    """Render one page of `items`. A live-filter request (htmx) gets only `partial`, the result block;
    a history restore needs the whole page."""
    items, ordering = ordered(items, request.GET.get("ordering", ""), orderings, default)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        {"page": page, "ordering": ordering, "filtered": has_filters(request), "today": timezone.localdate()}
    )
    htmx = getattr(request, "htmx", None)
    only_results = bool(htmx) and not htmx.history_restore_request
    response = render(request, partial if only_results else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
