"""`manage.py import_sheet`: the summary line, one line per problem, exit code 1 and nothing written."""

import pytest
from django.core.management import CommandError, call_command

from inventory.models import Tool
from lending.models import Worker
from tests.sheets import xlsx_upload


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def test_a_good_file_prints_the_summary(tmp_path, department, capsys):
    path = write(tmp_path, "werkzeug.csv", "barcode;name\nT-1;Bohrer\nT-2;Säge\n")
    call_command("import_sheet", "tools", path)
    assert capsys.readouterr().out.strip() == "import_sheet: created=2 updated=0 unchanged=0"
    tool = Tool.objects.get(barcode="T-1")
    assert (tool.department, tool.created_by) == (department, None)
    call_command("import_sheet", "tools", path, "--department", "werkstatt")
    assert capsys.readouterr().out.strip() == "import_sheet: created=0 updated=0 unchanged=2"


def test_a_dry_run_writes_nothing(tmp_path, department, capsys):
    file = xlsx_upload([["Vorname", "Nachname", "Barcode"], ["Ada", "Lovelace", "S-1"]])
    call_command("import_sheet", "workers", write(tmp_path, "klasse.xlsx", file.read()), "--dry-run")
    assert capsys.readouterr().out.strip() == "import_sheet: created=1 updated=0 unchanged=0 (dry run, nothing written)"
    assert not Worker.objects.exists()


def test_refused_rows_give_one_line_each_and_exit_1(tmp_path, department, capsys, settings):
    settings.LANGUAGE_CODE = "en"
    path = write(tmp_path, "t.csv", "barcode;name;purchase_date\nT-1;Bohrer;2024-01-01\nT-2;;gestern\nT 3;Feile;\n")
    with pytest.raises(SystemExit) as caught:
        call_command("import_sheet", "tools", path)
    assert caught.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("row 3, column name: ")
    assert err[1] == "row 3, column purchase_date: “gestern” is not a date (YYYY-MM-DD or DD.MM.YYYY)."
    assert err[2].startswith("row 4, column barcode: ")
    assert err[3] == "import_sheet: 2 rows refused, nothing written"
    assert not Tool.objects.exists()


def test_several_departments_need_a_choice_or_a_department_column(tmp_path, department, other_department, capsys):
    path = write(tmp_path, "t.csv", "barcode;name\nT-1;Bohrer\n")
    with pytest.raises(CommandError, match="department"):
        call_command("import_sheet", "tools", path)
    with pytest.raises(CommandError, match="unknown department 'mars'"):
        call_command("import_sheet", "tools", path, "--department", "mars")
    by_row = write(tmp_path, "d.csv", "barcode;name;department\nT-1;Bohrer;buero\nT-1;Säge;werkstatt\n")
    call_command("import_sheet", "tools", by_row)
    assert Tool.objects.get(department=other_department).name == "Bohrer"
    assert Tool.objects.get(department=department).name == "Säge"


def test_file_problems_are_a_command_error(tmp_path, department):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_sheet", "tools", str(tmp_path / "fehlt.csv"))
    with pytest.raises(CommandError):
        call_command("import_sheet", "tools", write(tmp_path, "alt.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100))
