"""The lending history as CSV or xlsx, in the same format as every list export (scandy_site.core.tabular)."""

from collections.abc import Iterator

from django.utils import timezone

COLUMNS = [
    "tool_barcode", "tool_name", "worker_barcode", "worker_name", "lent_at", "due_date", "returned_at", "overdue",
    "lent_by", "returned_by", "notes", "department",
]  # fmt: skip


def _username(user) -> str:
    return user.username if user is not None else ""


def lending_rows(queryset) -> Iterator[list]:
    """The rows (typed values) of the given lendings, in the queryset's order."""
    today = timezone.localdate()
    for lending in queryset.select_related("tool", "worker", "department", "lent_by", "returned_by").iterator(
        chunk_size=2000
    ):
        overdue = lending.returned_at is None and lending.due_date < today
        yield [
            lending.tool.barcode, lending.tool.name, lending.worker.barcode, lending.worker.full_name,
            lending.lent_at, lending.due_date, lending.returned_at, overdue, _username(lending.lent_by),
            _username(lending.returned_by), lending.notes, lending.department.code,
        ]  # fmt: skip
