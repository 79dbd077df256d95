"""Printable A4 label sheets with Code128 barcodes (python-barcode SVG, rendered by weasyprint)."""

import base64
import io
import math
from dataclasses import dataclass

import barcode
from barcode.writer import SVGWriter
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from scandy_site.core.errors import ApplicationError
from scandy_site.core.models import (
    A4_HEIGHT_MM,
    A4_WIDTH_MM,
    LABEL_MIN_HEIGHT_MM,
    LABEL_MIN_WIDTH_MM,
    SiteConfiguration,
)

# The query parameters of /labels/ that set the layout (millimetres).
LAYOUT_PARAMETERS = ("width_mm", "height_mm", "margin_top_mm", "margin_left_mm", "gap_mm")


@dataclass(frozen=True)
class LabelLayout:
    """Label size and sheet margins in millimetres (defaults: the common 3 x 8 sheet of 70 x 37 mm)."""

    width_mm: float = 70.0
    height_mm: float = 37.0
    margin_top_mm: float = 0.5
    margin_left_mm: float = 0.0
    gap_mm: float = 0.0

    def __post_init__(self):
        if not all(math.isfinite(getattr(self, name)) for name in LAYOUT_PARAMETERS):
            raise ApplicationError("VALIDATION_ERROR", _("Label sizes must be numbers."))
        width_ok = LABEL_MIN_WIDTH_MM <= self.width_mm <= A4_WIDTH_MM
        if not (width_ok and LABEL_MIN_HEIGHT_MM <= self.height_mm <= A4_HEIGHT_MM):
            raise ApplicationError(
                "VALIDATION_ERROR",
                _("Labels must be between 15 x 10 mm and the size of an A4 page."),
                errors={"width_mm": [_("out of range")]},
            )
        if min(self.margin_top_mm, self.margin_left_mm, self.gap_mm) < 0:
            raise ApplicationError("VALIDATION_ERROR", _("Margins and gaps cannot be negative."))

    @classmethod
    def from_values(cls, values) -> "LabelLayout":
        """From `/labels/` parameters (strings); a missing width or height is the stored default size.
        Anything that is not a finite number is a VALIDATION_ERROR."""
        sizes = {}
        for name in LAYOUT_PARAMETERS:
            raw = (values.get(name) or "").strip().replace(",", ".")
            if raw:
                try:
                    sizes[name] = float(raw)
                except ValueError:
                    raise ApplicationError("VALIDATION_ERROR", _("Label sizes must be numbers.")) from None
        if "width_mm" not in sizes or "height_mm" not in sizes:
            default = default_layout()
            sizes.setdefault("width_mm", default.width_mm)
            sizes.setdefault("height_mm", default.height_mm)
        return cls(**sizes)

    @property
    def barcode_height_mm(self) -> float:
        # Room left after the title, subtitle and the printed value.
        return max(5.0, self.height_mm - 17.0)

    @property
    def columns(self) -> int:
        usable = A4_WIDTH_MM - 2 * self.margin_left_mm + self.gap_mm
        return max(1, int(usable // (self.width_mm + self.gap_mm)))

    @property
    def rows(self) -> int:
        usable = A4_HEIGHT_MM - 2 * self.margin_top_mm + self.gap_mm
        return max(1, int(usable // (self.height_mm + self.gap_mm)))


@dataclass(frozen=True)
class Label:
    title: str
    subtitle: str
    barcode: str


def barcode_svg_data_uri(value: str) -> str:
    code = barcode.get("code128", value, writer=SVGWriter())
    buffer = io.BytesIO()
    code.write(buffer, options={"write_text": False, "module_height": 12.0, "quiet_zone": 2.0})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def default_layout() -> LabelLayout:
    """The label size an administrator stored (site configuration), with the standard margins."""
    config = SiteConfiguration.current()
    return LabelLayout(width_mm=float(config.label_width_mm), height_mm=float(config.label_height_mm))


def labels_for(objects) -> list[Label]:
    """Tools, consumables and workers alike: a title, a small line under it and the barcode."""
    labels = []
    for obj in objects:
        if hasattr(obj, "full_name"):
            labels.append(Label(obj.full_name, str(obj.department), obj.barcode))
        else:
            location = getattr(obj, "location", None)
            labels.append(Label(obj.name, str(location or obj.department), obj.barcode))
    return labels


def label_sheet_pdf(labels: list[Label], layout: LabelLayout | None = None) -> bytes:
    from weasyprint import HTML

    layout = layout or LabelLayout()
    if not labels:
        raise ApplicationError("VALIDATION_ERROR", _("Select at least one item to print labels for."))
    per_page = layout.columns * layout.rows
    pages = [labels[i : i + per_page] for i in range(0, len(labels), per_page)]
    html = render_to_string(
        "labels/sheet.html",
        {
            "layout": layout,
            "pages": [[(label, barcode_svg_data_uri(label.barcode)) for label in page] for page in pages],
        },
    )
    return HTML(string=html).write_pdf()


def label_sheet_response(objects, *, kind: str, layout: LabelLayout | None = None) -> HttpResponse:
    """The PDF sheet as a response to open in the browser (list pages and admin actions alike)."""
    pdf = label_sheet_pdf(labels_for(objects), layout or default_layout())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{kind}.pdf"'
    return response
