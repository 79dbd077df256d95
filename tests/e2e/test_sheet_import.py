"""A class list from Excel in a real browser: upload, preview with a problem, fix, confirm."""

import pytest
from playwright.sync_api import expect

from lending.models import Worker
from tests.sheets import xlsx_upload

pytestmark = pytest.mark.e2e


def test_a_class_list_is_previewed_then_imported(live_server, login, page, admin_user, department, tmp_path):
    base = live_server.url
    login(admin_user)
    bad = tmp_path / "klasse-7b.xlsx"
    bad.write_bytes(
        xlsx_upload([["Vorname", "Nachname", "Barcode"], ["Ada", "Lovelace", "S-1"], ["", "Hopper", "S-2"]]).read()
    )
    good = tmp_path / "klasse-7b-korrigiert.xlsx"
    good.write_bytes(
        xlsx_upload([["Vorname", "Nachname", "Barcode"], ["Ada", "Lovelace", "S-1"], ["Grace", "Hopper", "S-2"]]).read()
    )

    page.goto(f"{base}/workers/")
    page.get_by_test_id("import-link").click()
    form = page.get_by_test_id("sheet-import-form")
    form.locator('input[type="file"]').set_input_files(str(bad))
    form.get_by_role("button", name="Upload and check").click()
    errors = page.get_by_test_id("import-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("first_name")
    expect(errors.first.locator("td").first).to_have_text("3")

    form = page.get_by_test_id("sheet-import-form")
    form.locator('input[type="file"]').set_input_files(str(good))
    form.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("import-row")).to_have_count(2)
    assert not Worker.objects.exists()
    page.get_by_test_id("import-confirm").get_by_role("button", name="Import now").click()

    expect(page).to_have_url(f"{base}/workers/")
    expect(page.locator(".messages")).to_contain_text("2 created, 0 updated, 0 unchanged")
    expect(page.get_by_test_id("worker-table")).to_contain_text("Grace")
    assert sorted(Worker.objects.values_list("barcode", flat=True)) == ["S-1", "S-2"]
