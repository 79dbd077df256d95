"""A ticket as a document: PDF (weasyprint, from an HTML template) and DOCX (python-docx), both with
the order details, the work and material lines and the totals."""

import io

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from scandy_site.core.models import SiteConfiguration

from .totals import totals_for


def _context(ticket) -> dict:
    order = getattr(ticket, "order", None)
    return {
        "ticket": ticket,
        "order": order,
        "work_lines": list(ticket.work_lines.all()),
        "material_lines": list(ticket.material_lines.all()),
        "totals": totals_for(ticket),
        "assignees": [a.user for a in ticket.assignments.select_related("user")],
        "tags": sorted(tag.name for tag in ticket.tags.all()),
        "system_name": SiteConfiguration.current().display_name,
        "printed_at": timezone.localtime(),
    }


def ticket_pdf(ticket) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string("tickets/export.html", _context(ticket))).write_pdf()


def _number(value) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "–"


def _table(document, header: list[str], rows: list[list[str]], *, numeric_from: int | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if numeric_from is not None and index >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def ticket_docx(ticket) -> bytes:
    from docx import Document

    context = _context(ticket)
    order, totals = context["order"], context["totals"]
    document = Document()
    document.core_properties.title = f"{ticket.ticket_number} {ticket.title}"
    document.core_properties.author = context["system_name"]
    document.add_heading(f"{ticket.ticket_number} · {ticket.title}", level=1)
    facts = [
        (_("Status"), capfirst(ticket.get_status_display())),
        (_("Category"), capfirst(ticket.get_category_display())),
        (_("Priority"), capfirst(ticket.get_priority_display())),
        (_("Department"), ticket.department.name),
        (_("Created"), formats.date_format(timezone.localtime(ticket.created_at), "SHORT_DATETIME_FORMAT")),
        (_("Due date"), _date(ticket.due_date)),
        (_("Assignees"), ", ".join(u.get_full_name() or u.username for u in context["assignees"]) or "–"),
        (_("Estimated hours"), _number(ticket.estimated_hours) if ticket.estimated_hours is not None else "–"),
        (_("Actual hours"), _number(ticket.actual_hours) if ticket.actual_hours is not None else "–"),
    ]
    if context["tags"]:
        facts.append((_("Tags"), ", ".join(context["tags"])))
    _table(document, [_("Field"), _("Value")], [[str(k), str(v)] for k, v in facts])
    if ticket.description:
        document.add_heading(_("Description"), level=2)
        document.add_paragraph(ticket.description)
    if order is not None:
        document.add_heading(_("Order"), level=2)
        client = [
            (_("Client"), f"{capfirst(order.get_client_type_display())}: {order.client_name or '–'}"),
            (_("Contact person"), order.contact_name or "–"),
            (_("Contact email"), order.contact_email or "–"),
            (_("Contact phone"), order.contact_phone or "–"),
            (_("Completion date"), _date(order.completion_date)),
        ]
        _table(document, [_("Field"), _("Value")], [[str(k), str(v)] for k, v in client])
        if order.order_description and order.order_description != ticket.description:
            document.add_paragraph(order.order_description)
        document.add_heading(_("Work performed"), level=3)
        _table(document, [_("Work"), _("Service category"), _("Hours")],
               [[line.work, line.service_category or "–", _number(line.hours)] for line in context["work_lines"]],
               numeric_from=2)  # fmt: skip
        document.add_heading(_("Material"), level=3)
        _table(
            document, [_("Material"), _("Quantity"), _("Unit price"), _("Total")],
            [[line.material, f"{_number(line.quantity)} {line.unit}", _number(line.unit_price), _number(line.total)]
             for line in context["material_lines"]],
            numeric_from=1,
        )  # fmt: skip
        document.add_heading(_("Totals"), level=3)
        _table(document, [_("Item"), _("Amount")], [[str(k), v] for k, v in totals_rows(totals)], numeric_from=1)
    document.add_paragraph(
        _("Printed %(at)s by %(system)s")
        % {"at": formats.date_format(context["printed_at"], "SHORT_DATETIME_FORMAT"), "system": context["system_name"]}
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def totals_rows(totals) -> list[tuple[str, str]]:
    return [
        (_("Hours"), _number(totals.hours)),
        (_("Labour (%(hours)s h × %(rate)s)") % {"hours": _number(totals.hours), "rate": _number(totals.hourly_rate)},
         _number(totals.labour)),
        (_("Material"), _number(totals.material)),
        (_("Net"), _number(totals.net)),
        (_("VAT %(rate)s %%") % {"rate": _number(totals.vat_rate)}, _number(totals.vat)),
        (_("Total"), _number(totals.gross)),
    ]  # fmt: skip
