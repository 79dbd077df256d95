"""Workers as a sheet: a class list in, the worker list out (CSV and xlsx), upload → preview → confirm."""

import datetime

import pytest
from django.utils import translation

from lending.models import Worker
from lending.services import worker_soft_delete
from lending.sheets import WORKER_COLUMNS
from scandy_site.core.models import ChangeEvent
from tests.factories import WorkerFactory
from tests.sheets import csv_rows, run_import, upload, xlsx_cells, xlsx_upload

EXPORT = "/workers/export.csv"
XLSX = "/workers/export.xlsx"
IMPORT = "/workers/import/"


def import_workers(department, user, file, **kwargs):
    return run_import("workers", department, user, file, **kwargs)


def test_a_class_list_with_german_titles_creates_workers(admin_user, department):
    file = xlsx_upload(
        [
            ["Vorname", "Nachname", "Barcode", "E-Mail", "aktiv"],
            ["Ada", "Lovelace", "S-001", "ada@schule.example", "ja"],
            ["Grace", "Hopper", 1002, None, True],
            ["Alan", "Turing", "S-003", "", "nein"],
        ],
        name="klasse-7b.xlsx",
    )
    result = import_workers(department, admin_user, file)
    assert (result.created, result.errors) == (3, [])
    assert [(r.row, r.barcode, r.label) for r in result.rows] == [
        (2, "S-001", "Ada Lovelace"), (3, "1002", "Grace Hopper"), (4, "S-003", "Alan Turing"),
    ]  # fmt: skip
    ada = Worker.objects.get(barcode="S-001")
    assert (ada.first_name, ada.last_name, ada.email, ada.active, ada.department) == (
        "Ada", "Lovelace", "ada@schule.example", True, department,
    )  # fmt: skip
    assert Worker.objects.get(barcode="1002").active is True
    assert Worker.objects.get(barcode="S-003").active is False
    assert ChangeEvent.objects.filter(entity="worker", action="created").count() == 3


def test_a_known_barcode_updates_that_worker(admin_user, department):
    worker = WorkerFactory(department=department, barcode="S-001", first_name="Ada", last_name="Byron")
    result = import_workers(department, admin_user, "first_name;last_name;barcode\nAda;Lovelace;S-001\n")
    assert (result.updated, result.rows[0].changed) == (1, ["last_name"])
    worker.refresh_from_db()
    assert worker.last_name == "Lovelace"
    event = ChangeEvent.objects.get(entity="worker", object_id=worker.pk, action="updated")
    assert event.note_params == {"file": "import.csv"}


def test_rows_are_validated_like_the_form(admin_user, department):
    WorkerFactory(department=department, barcode="S-9")
    text = "\n".join(
        [
            "first_name;last_name;barcode;email;active",
            "Ada;Lovelace;S-1;ada@example.org;ja",  # row 2: fine
            ";Hopper;S-2;;",  # row 3: first name missing
            "Alan;Turing;S-3;keine-mail;",  # row 4
            "Karl;Zuse;S-9;;",  # row 5: updates S-9 (fine)
            "Konrad;Zuse;S 4;;",  # row 6: not a barcode
            "Emmy;Noether;S-5;;vielleicht",  # row 7
            "Lise;Meitner;;;",  # row 8: no barcode: the service asks for one
        ]
    )
    with translation.override("en"):
        result = import_workers(department, admin_user, text)
    found = {e.row: [p.column for p in e.problems] for e in result.errors}
    assert found == {3: ["first_name"], 4: ["email"], 6: ["barcode"], 7: ["active"], 8: ["barcode"]}
    lines = result.error_lines()
    assert "row 4, column email: Enter a valid email address." in lines
    assert "row 8, column barcode: This field is required." in lines
    assert not Worker.objects.filter(barcode="S-1").exists()
    assert Worker.objects.get(barcode="S-9").first_name != "Karl"


def test_a_trashed_worker_is_not_revived_by_an_import(admin_user, department):
    worker = WorkerFactory(department=department, barcode="S-1")
    worker_soft_delete(worker=worker, user=admin_user)
    result = import_workers(department, admin_user, "first_name;last_name;barcode\nAda;Lovelace;S-1\n")
    assert [(e.row, e.problems[0].column) for e in result.errors] == [(2, "barcode")]


@pytest.mark.parametrize(
    ("header", "fragment"), [("first_name;barcode", "last_name"), ("vorname;nachname;klasse", "klasse")]
)
def test_the_header_needs_both_names_and_known_columns(admin_user, department, header, fragment):
    from scandy_site.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught, translation.override("en"):
        import_workers(department, admin_user, f"{header}\nA;B;C\n")
    assert fragment in caught.value.message


def test_rows_may_name_their_department(admin_user, department, other_department):
    text = (
        "first_name;last_name;barcode;department\n"
        "Ada;Lovelace;S-1;werkstatt\nGrace;Hopper;S-1;buero\nAlan;Turing;S-2;mars\n"
    )
    with translation.override("en"):
        result = import_workers(None, admin_user, text, departments=[department, other_department])
    assert [(e.row, e.problems[0].column) for e in result.errors] == [(4, "department")]
    text = text.rsplit("Alan", 1)[0]
    result = import_workers(None, admin_user, text, departments=[department, other_department])
    assert result.created == 2
    assert Worker.objects.get(department=other_department, barcode="S-1").first_name == "Grace"


def test_export_in_both_formats_is_the_import_format(page_client_for, admin_user, department, other_department):
    WorkerFactory(department=department, barcode="S-1", first_name="Ada", last_name="=cmd|x")
    WorkerFactory(department=department, barcode="S-2", first_name="Alan", last_name="Turing", active=False)
    WorkerFactory(department=other_department, barcode="S-9")
    client = page_client_for(admin_user)
    rows = csv_rows(client.get(EXPORT))
    assert list(rows[0]) == [c.name for c in WORKER_COLUMNS]
    assert [(r["barcode"], r["active"], r["department"]) for r in rows] == [
        ("S-1", "yes", "werkstatt"),
        ("S-2", "no", "werkstatt"),
    ]
    assert rows[0]["last_name"] == "'=cmd|x"
    assert [r["barcode"] for r in csv_rows(client.get(EXPORT, {"active": "false"}))] == ["S-2"]

    header, cells = xlsx_cells(client.get(XLSX))
    first = dict(zip(header, cells[0], strict=True))
    assert first["active"].value is True and first["active"].data_type == "b"
    assert isinstance(first["created_at"].value, datetime.datetime)
    assert (first["last_name"].value, first["last_name"].data_type, first["last_name"].quotePrefix) == (
        "=cmd|x",
        "s",
        True,
    )

    # What the export wrote comes back unchanged.
    again = import_workers(department, admin_user, upload(b"".join(client.get(EXPORT).streaming_content).decode()))
    assert (again.unchanged, again.errors) == (2, [])


def test_the_page_previews_and_imports_a_class_list(page_client_for, admin_user, employee, department):
    WorkerFactory(department=department, barcode="S-0")
    client = page_client_for(admin_user)
    page = client.get("/workers/")
    assert 'href="/workers/import/"' in page.content.decode()
    assert 'href="/workers/export.xlsx"' in page.content.decode()
    file = xlsx_upload([["Vorname", "Nachname", "Barcode"], ["Ada", "Lovelace", "S-1"]], name="klasse.xlsx")
    preview = client.post(IMPORT, {"file": file})
    assert preview.context["result"].created == 1 and not Worker.objects.filter(barcode="S-1").exists()
    assert "create_missing" not in preview.context["form"].fields  # workers have no categories or locations
    done = client.post(IMPORT, {"token": preview.context["token"]})
    assert done["Location"] == "/workers/"
    assert Worker.objects.get(barcode="S-1").full_name == "Ada Lovelace"
    assert page_client_for(employee).get(IMPORT).status_code == 403
