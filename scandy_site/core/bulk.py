"""Many rows into one table with one `executemany` per call.

The ORM's `bulk_create` builds every value of every row through its SQL compiler, which was most of the
time of a large first sync and of writing its history rows."""

from collections.abc import Callable

from django.db import connections, models, router


class RowInserter:
    """INSERTs rows given as `{attname: value}` into `model`'s table.

    A column a row does not set gets the field's default (auto_now/auto_now_add: the `now` of the call),
    prepared once per call. Values go through the field's own `get_db_prep_save` (skipped for text,
    integers and booleans, which every backend takes as they are), so each database gets what it expects.
    `convert` maps an attname to a function turning the row's value into the field's Python value first."""

    def __init__(self, model, *, convert: dict[str, Callable] | None = None):
        convert = convert or {}
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
        if meta.pk not in self.fields and not isinstance(meta.pk, models.AutoField):
            self.fields.append(meta.pk)
        self.connection = connections[router.db_for_write(model)]
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"
        self.prepare = [self._preparer(f, convert.get(f.attname)) for f in self.fields]

    def _preparer(self, model_field, converter):
        plain = isinstance(model_field, models.CharField | models.TextField | models.IntegerField | models.BooleanField)
        if isinstance(model_field, models.ForeignKey):
            plain = isinstance(model_field.target_field, models.CharField | models.IntegerField)
        converter = None if plain else converter

        def prepare(value):
            if converter is not None:
                value = converter(value)
            return value if plain or value is None else model_field.get_db_prep_save(value, self.connection)

        return prepare

    def _fill(self, model_field, now):
        """The value of a column the rows do not set."""
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value = now
        else:
            value = model_field.get_default()  # "" for text without a default, None for nullable columns
        return None if value is None else model_field.get_db_prep_save(value, self.connection)

    def insert(self, rows: list[dict], *, now) -> None:
        fills = {f.attname: self._fill(f, now) for f in self.fields}
        params = [
            [
                prepare(row[f.attname]) if f.attname in row else fills[f.attname]
                for f, prepare in zip(self.fields, self.prepare, strict=True)
            ]
            for row in rows
        ]
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
