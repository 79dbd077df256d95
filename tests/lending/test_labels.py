import io

import pytest
from pypdf import PdfReader

from scandy_site.core.models import SiteConfiguration
from tests.admin_helpers import form_data
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    "kind, factory", [("tool", ToolFactory), ("consumable", ConsumableFactory), ("worker", WorkerFactory)]
)
def test_label_sheet_pdf_for_each_kind(page_client_for, employee, department, kind, factory):
    factory(department=department, barcode="LBL-1")
    factory(department=department, barcode="LBL-2")
    client = page_client_for(employee)
    response = client.get("/labels/", {"kind": kind, "barcode": ["LBL-1", "LBL-2"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    assert "LBL-1" in text and "LBL-2" in text


def test_label_size_is_configurable(page_client_for, employee, department):
    for i in range(30):
        ToolFactory(department=department, barcode=f"L{i:02d}")
    client = page_client_for(employee)
    codes = [f"L{i:02d}" for i in range(30)]
    small = client.get("/labels/", {"kind": "tool", "barcode": codes, "width_mm": "50", "height_mm": "25"})
    large = client.get("/labels/", {"kind": "tool", "barcode": codes, "width_mm": "100", "height_mm": "70"})
    assert len(PdfReader(io.BytesIO(small.content)).pages) == 1
    assert len(PdfReader(io.BytesIO(large.content)).pages) == 4


@pytest.mark.parametrize(
    "params", [{"kind": "tool", "barcode": "X", "width_mm": "abc"}, {"kind": "tool", "barcode": "X", "width_mm": "2"},
               {"kind": "spaceship", "barcode": "X"}, {"kind": "tool"}],
)  # fmt: skip
def test_bad_label_requests_are_400(page_client_for, employee, department, params):
    ToolFactory(department=department, barcode="X")
    assert page_client_for(employee).get("/labels/", params).status_code == 400


def test_labels_only_from_own_department(page_client_for, employee, department, other_department):
    ToolFactory(department=other_department, barcode="FOREIGN")
    assert page_client_for(employee).get("/labels/", {"kind": "tool", "barcode": "FOREIGN"}).status_code == 400


def test_participant_gets_no_labels(page_client_for, participant, department):
    ToolFactory(department=department, barcode="X")
    assert page_client_for(participant).get("/labels/", {"kind": "tool", "barcode": "X"}).status_code == 403


def test_without_a_size_the_stored_default_is_used(page_client_for, employee, department):
    codes = [ToolFactory(department=department, barcode=f"D{i:02d}").barcode for i in range(30)]
    client = page_client_for(employee)
    assert len(PdfReader(io.BytesIO(client.get("/labels/", {"kind": "tool", "barcode": codes}).content)).pages) == 2
    config = SiteConfiguration.current()
    config.label_width_mm, config.label_height_mm = 100, 70  # 2 x 4 per page
    config.save()
    assert len(PdfReader(io.BytesIO(client.get("/labels/", {"kind": "tool", "barcode": codes}).content)).pages) == 4


@pytest.mark.parametrize("size", ["nan", "inf", "-5", "1e999", "70mm"])
def test_sizes_that_are_no_finite_number_are_refused(page_client_for, employee, department, size):
    ToolFactory(department=department, barcode="X")
    response = page_client_for(employee).get("/labels/", {"kind": "tool", "barcode": "X", "margin_top_mm": size})
    assert response.status_code == 400


def test_a_decimal_comma_is_understood(page_client_for, employee, department):
    ToolFactory(department=department, barcode="X")
    response = page_client_for(employee).get("/labels/", {"kind": "tool", "barcode": "X", "width_mm": "52,5"})
    assert response.status_code == 200


def test_the_default_size_is_set_in_the_admin(page_client_for, admin_user):
    config = SiteConfiguration.current()
    client = page_client_for(admin_user)
    url = f"/admin/core/siteconfiguration/{config.pk}/change/"
    page = client.get(url)
    assert client.post(url, form_data(page, label_width_mm="52.5", label_height_mm="29.7")).status_code == 302
    config.refresh_from_db()
    assert (float(config.label_width_mm), float(config.label_height_mm)) == (52.5, 29.7)
    # Smaller than a label can be printed: refused with the reason on the form.
    refused = client.post(url, form_data(client.get(url), label_width_mm="5"))
    assert refused.status_code == 200
    assert "label_width_mm" in refused.context["adminform"].form.errors
