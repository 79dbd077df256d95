"""Workers as a sheet (CSV or xlsx): a class list is a workers sheet.

At least first and last name; barcode, email, active and department are optional columns. A row whose
barcode exists in the department updates that worker, any other row creates one. The engine is
`scandy_site.core.sheets`.
"""

from inventory.barcodes import normalise_barcode
from scandy_site.core.sheets import Column, Sheet

from . import services
from .models import Worker

WORKER_COLUMNS = (
    Column("barcode"),
    Column("first_name"),
    Column("last_name"),
    Column("email"),
    Column("active", "bool", blank="omit"),
    Column("department", read_only=True),
    Column("created_at", read_only=True),
    Column("updated_at", read_only=True),
)


class WorkerSheet(Sheet):
    kind = "workers"
    model = Worker
    columns = WORKER_COLUMNS
    required = ("first_name", "last_name")

    def normalise_key(self, raw: str) -> str:
        return normalise_barcode(raw)

    def existing(self, department) -> dict:
        return {worker.barcode: worker for worker in Worker.objects.filter(department=department)}

    def create(self, *, department, user, key, fields, note):
        return services.worker_create(department=department, user=user, barcode=key or None, **fields)

    def update(self, *, record, user, fields, note) -> list[str]:
        changes = {name: value for name, value in fields.items() if getattr(record, name) != value}
        if changes:
            services.worker_update(worker=record, user=user, note=note, **changes)
        return list(changes)

    def label(self, record) -> str:
        return record.full_name

    def export_queryset(self, queryset):
        return queryset.select_related("department")
