"""The lending history as CSV: the same format as the inventory exports (inventory.csv_io)."""

from collections.abc import Iterator

from django.utils import timezone

from inventory.csv_io import csv_lines, guard_cell

COLUMNS = [
    "tool_barcode", "tool_name", "worker_barcode", "worker_name", "lent_at", "due_date", "returned_at", "overdue",
    "lent_by", "returned_by", "notes", "department",
]  # fmt: skip


def _stamp(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _username(user) -> str:
    return guard_cell(user.username) if user is not None else ""


def lendings_export_csv(queryset) -> Iterator[str]:
    """The CSV lines (header first) of the given lendings, in the queryset's order."""
    today = timezone.localdate()

    def rows():
        for lending in queryset.select_related("tool", "worker", "department", "lent_by", "returned_by").iterator(
            chunk_size=2000
        ):
            overdue = lending.returned_at is None and lending.due_date < today
            yield [
                lending.tool.barcode, guard_cell(lending.tool.name), lending.worker.barcode,
                guard_cell(lending.worker.full_name), _stamp(lending.lent_at), lending.due_date.isoformat(),
                _stamp(lending.returned_at), "yes" if overdue else "no", _username(lending.lent_by),
                _username(lending.returned_by), guard_cell(lending.notes), lending.department.code,
            ]  # fmt: skip

    return csv_lines(COLUMNS, rows())
