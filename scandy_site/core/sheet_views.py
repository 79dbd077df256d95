"""The pages of a sheet import (upload → preview → confirm) and list exports, for any registered sheet.

The upload is checked by a dry run first: the page shows every problem by row and column, or what the
import will create and change, before anything is written. The file waits in the private "uploads"
storage (shared by every web process, local or S3) until it is confirmed; the confirmation runs the
import again for real, so a change made in the meantime is seen.
"""

import contextlib
import datetime
import secrets
import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import tabular
from .errors import ApplicationError
from .sheets import get_sheet, import_sheet

SESSION_KEY = "scandy_sheet_import"
PREFIX = "sheets"
# A preview not confirmed within this time is thrown away with its file.
PENDING_LIFETIME = datetime.timedelta(hours=24)
# Rows listed on the preview page; the counts cover all of them.
PREVIEW_ROWS = 500


class SheetImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "Excel workbook (.xlsx) or CSV (UTF-8, separated by ; or ,) with a header row; "
            "at most 5 MB and 10 000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create categories and locations that do not exist yet"),
        required=False,
        help_text=gettext_lazy("Without this, an unknown category or location name is an error in that row."),
    )

    def __init__(self, *args, refs: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not refs:
            del self.fields["create_missing"]


@dataclass
class ImportPage:
    kind: str
    title: str
    list_url: str
    export_urls: dict  # format -> URL of the list's export (a good file to start from)


def _storage():
    return storages["uploads"]


def _discard(pending: dict | None) -> None:
    if pending:
        with contextlib.suppress(OSError):
            _storage().delete(pending["name"])


def _sweep() -> None:
    """Remove files of previews nobody confirmed (their sessions may be long gone)."""
    storage = _storage()
    try:
        _dirs, files = storage.listdir(PREFIX)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - PENDING_LIFETIME
    for name in files:
        path = f"{PREFIX}/{name}"
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
        except (OSError, NotImplementedError):
            continue


def _department_code(scope) -> str:
    return "" if scope.is_all else scope.department.code


def _target(scope, code: str):
    """(department, departments) for the import: one department, or rows by their department column."""
    if not code:
        return None, scope.allowed
    for department in scope.allowed:
        if department.code == code:
            return department, ()
    raise PermissionDenied(_("Department '%(code)s' is not allowed for you.") % {"code": code})


def sheet_import_page(request, page: ImportPage):
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    sheet = get_sheet(page.kind)
    refs = any(column.kind == "ref" for column in sheet.columns)
    confirming = request.method == "POST" and "token" in request.POST
    form = SheetImportForm(
        None if confirming else (request.POST or None), None if confirming else (request.FILES or None), refs=refs
    )
    context = {
        "page": page,
        "form": form,
        "scope": scope,
        "result": None,
        "columns": sheet.importable_columns(),
        "required": sheet.required,
        "refs": refs,
        "kind": page.kind,
    }
    if confirming:
        outcome = _confirm(request, page, sheet, scope)
        if not isinstance(outcome, dict):
            return outcome
        context.update(outcome)
    elif request.method == "POST" and form.is_valid():
        context.update(_preview(request, sheet, scope, form))
    return render(request, "core/sheet_import.html", context)


def _preview(request, sheet, scope, form) -> dict:
    _discard(request.session.pop(SESSION_KEY, None))
    upload = form.cleaned_data["file"]
    create_missing = form.cleaned_data.get("create_missing", False)
    department, departments = _target(scope, _department_code(scope))
    try:
        result = import_sheet(
            sheet, file=upload, user=request.user, department=department, departments=departments,
            create_missing=create_missing, dry_run=True, filename=upload.name,
        )  # fmt: skip
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return {}
    context = {"result": result, "preview_rows": result.rows[:PREVIEW_ROWS]}
    if result.ok:
        _sweep()
        upload.seek(0)
        name = _storage().save(f"{PREFIX}/{uuid.uuid4().hex}", upload)
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "token": token, "kind": sheet.kind, "name": name, "filename": upload.name,
            "department": _department_code(scope), "create_missing": create_missing,
        }  # fmt: skip
        context["token"] = token
    return context


def _confirm(request, page, sheet, scope):
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token") or pending.get("kind") != sheet.kind:
        messages.warning(
            request,
            _("This preview is no longer valid (already imported, or replaced by another upload). Upload it again."),
        )
        return redirect(request.path)
    # Taken before the import runs: a second click on "Import" finds nothing to import twice.
    del request.session[SESSION_KEY]
    request.session.save()
    department, departments = _target(scope, pending["department"])
    try:
        with _storage().open(pending["name"], "rb") as file:
            result = import_sheet(
                sheet, file=file, user=request.user, department=department, departments=departments,
                create_missing=pending["create_missing"], filename=pending["filename"],
            )  # fmt: skip
    except FileNotFoundError:
        messages.warning(request, _("The uploaded file is no longer there. Upload it again."))
        return redirect(request.path)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(request.path)
    finally:
        _discard(pending)
    if not result.committed:
        return {"result": result}
    messages.success(
        request,
        _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {"file": pending["filename"], "created": result.created, "updated": result.updated,
           "unchanged": result.unchanged},
    )  # fmt: skip
    return redirect(page.list_url)


def sheet_export(kind: str, queryset, *, basename: str, fmt: str):
    """A list as a CSV or xlsx download, with the columns its import takes."""
    sheet = get_sheet(kind)
    return tabular.download(sheet.header(), sheet.export_rows(queryset), basename=basename, fmt=fmt)


def list_export(request, *, kind: str, filterset, rows, fmt: str):
    """A list page's export: the rows of `rows(department=…)` (a selector) through the page's `filterset`,
    in the request's department, named `<kind>-<department or all>-<date>`."""
    scope = request.department_scope
    if not scope:
        raise PermissionDenied(_("You are not assigned to any department."))
    queryset = filterset(request.GET, queryset=rows(department=scope.department)).qs
    label = "all" if scope.is_all else scope.department.code
    return sheet_export(kind, queryset, basename=f"{kind}-{label}", fmt=fmt)


def export_urls(name: str) -> dict:
    """format -> URL of a list's export, by the URL names `<name>-export` (CSV) and `<name>-export-xlsx`."""
    return {"csv": reverse(f"{name}-export"), "xlsx": reverse(f"{name}-export-xlsx")}
