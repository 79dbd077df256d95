"""Totals of a work order: hours, labour, material, net, VAT, gross (two decimals, half up)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OrderTotals:
    hours: Decimal
    hourly_rate: Decimal
    labour: Decimal
    material: Decimal
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    gross: Decimal

    def as_dict(self) -> dict:
        return {name: str(getattr(self, name)) for name in self.__dataclass_fields__}


def order_totals(*, work_lines, material_lines, vat_rate, hourly_rate) -> OrderTotals:
    hours = sum((line.hours for line in work_lines), Decimal("0"))
    labour = money(hours * Decimal(hourly_rate))
    material = money(sum((line.quantity * line.unit_price for line in material_lines), Decimal("0")))
    net = labour + material
    vat = money(net * Decimal(vat_rate) / 100)
    return OrderTotals(
        hours=hours.quantize(CENT), hourly_rate=money(hourly_rate), labour=labour, material=material, net=net,
        vat_rate=Decimal(vat_rate).quantize(CENT), vat=vat, gross=net + vat,
    )  # fmt: skip


def totals_for(ticket) -> OrderTotals | None:
    order = getattr(ticket, "order", None)
    if order is None:
        return None
    return order_totals(
        work_lines=list(ticket.work_lines.all()), material_lines=list(ticket.material_lines.all()),
        vat_rate=order.vat_rate, hourly_rate=order.hourly_rate,
    )  # fmt: skip
