"""PDF and DOCX exports open and carry the order details and totals (parsed back)."""

import io
from decimal import Decimal

import pytest
from docx import Document
from pypdf import PdfReader

from tests.factories.tickets import TicketFactory
from tickets import services
from tickets.totals import order_totals

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_ticket(department, employee):
    ticket = TicketFactory(
        department=department, created_by=employee, category="order", title="Pumpe überholen",
        order={"client_type": "external", "client_name": "Stadtwerke Nord", "contact_name": "Frau Berg",
               "contact_email": "berg@example.org", "vat_rate": Decimal("19"), "hourly_rate": Decimal("60")},
    )  # fmt: skip
    services.ticket_work_line_add(
        ticket=ticket, user=employee, work="Demontage", hours="1.5", service_category="Mechanik"
    )
    services.ticket_work_line_add(ticket=ticket, user=employee, work="Dichtungen tauschen", hours="2")
    services.ticket_material_line_add(
        ticket=ticket, user=employee, material="Dichtungssatz", quantity=1, unit_price="48.90"
    )
    services.ticket_material_line_add(
        ticket=ticket, user=employee, material="Schrauben M8", quantity=12, unit_price="0.35"
    )
    return ticket


def test_totals_arithmetic(order_ticket):
    from tickets.totals import totals_for

    totals = totals_for(order_ticket)
    # 3.5 h × 60 = 210.00; material 48.90 + 4.20 = 53.10; net 263.10; VAT 19 % = 49.99 (49.989); gross 313.09
    assert (totals.hours, totals.labour, totals.material) == (Decimal("3.50"), Decimal("210.00"), Decimal("53.10"))
    assert (totals.net, totals.vat, totals.gross) == (Decimal("263.10"), Decimal("49.99"), Decimal("313.09"))


def test_vat_rounds_half_up():
    class Line:
        def __init__(self, quantity, price):
            self.quantity, self.unit_price = Decimal(quantity), Decimal(price)

    totals = order_totals(work_lines=[], material_lines=[Line("1", "0.50")], vat_rate=Decimal("19"), hourly_rate=0)
    assert totals.vat == Decimal("0.10")  # 0.095 → 0.10


def test_pdf_export_contains_order_and_totals(order_ticket, page_client_for, employee):
    response = page_client_for(employee).get(f"/tickets/{order_ticket.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert order_ticket.ticket_number in text
    assert "Stadtwerke Nord" in text and "Dichtungssatz" in text and "Demontage" in text
    # German number format by default (LANGUAGE_CODE de).
    for amount in ("210,00", "53,10", "263,10", "49,99", "313,09"):
        assert amount in text, amount


def test_docx_export_contains_order_and_totals(order_ticket, page_client_for, employee):
    response = page_client_for(employee).get(f"/tickets/{order_ticket.pk}/export.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = " ".join(cells + [p.text for p in document.paragraphs])
    assert order_ticket.ticket_number in document.paragraphs[0].text
    assert "Stadtwerke Nord" in text and "Schrauben M8" in text and "Dichtungen tauschen" in text
    totals_table = document.tables[-1]
    last_row = [cell.text for cell in totals_table.rows[-1].cells]
    assert last_row[1].replace(".", ",").endswith("313,09")
    amounts = {cell.replace(".", ",") for cell in cells}
    for amount in ("210,00", "53,10", "263,10", "49,99", "313,09"):
        assert amount in amounts, amount


def test_exports_of_a_plain_ticket(department, employee, page_client_for):
    ticket = TicketFactory(department=department, created_by=employee, title="Licht kaputt")
    client = page_client_for(employee)
    pdf = client.get(f"/tickets/{ticket.pk}/export.pdf")
    assert "Licht kaputt" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    docx = Document(io.BytesIO(client.get(f"/tickets/{ticket.pk}/export.docx").content))
    assert "Licht kaputt" in docx.paragraphs[0].text
    assert client.get(f"/tickets/{ticket.pk}/export.txt").status_code == 404
