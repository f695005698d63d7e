# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The owner's side of a self-consumption community (RULES.md §2.1): the
owner statement of a period, the reconciliation of the grid connection meter
with the shared figures, and the self-sufficiency and self-consumption ratios.

- **Owner statement.** The solar energy sold internally (kWh and amounts of
  the participants' posted solar invoice lines), the exported energy and its
  remuneration ``round_money(export kWh x feed-in price)``, the DSO bill paid
  and the fees: ``net = solar + remuneration - DSO bill - fees``.
- **Grid meter.** Per month, ``difference = meter - computed`` (import: the
  participants' grid parts; export: the surplus); flagged when ``|difference|
  > tolerance % x max(|meter|, |computed|)``.
- **Ratios** (percent, 2 places half-up): self-sufficiency ``solar /
  consumption``, self-consumption ``self-consumed / production``; a
  participant's share of the production is ``its solar / production``.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .allocation import round_money

__all__ = ["OwnerStatement", "grid_difference", "owner_statement", "ratio"]

_PERCENT = Decimal("0.01")


@dataclass(frozen=True)
class OwnerStatement:
    """Amounts (Decimal, currency) and energies (Decimal kWh) of a period."""

    solar_kwh: Decimal
    solar_amount: Decimal
    export_kwh: Decimal
    export_amount: Decimal
    dso_amount: Decimal
    fee_amount: Decimal
    net_amount: Decimal


def owner_statement(solar_lines, export_kwh, export_price, dso_amount, fee_amount=0):
    """The owner statement of a period.

    :param solar_lines: ``(kWh, amount)`` of each posted solar invoice line.
    :param export_kwh: the energy exported in the period.
    :param export_price: the feed-in remuneration per kWh.
    :param dso_amount: the DSO bill of the period; ``fee_amount`` the fees.
    :return: :class:`OwnerStatement`.
    """
    solar_kwh = solar_amount = Decimal(0)
    for kwh, amount in solar_lines:
        solar_kwh += Decimal(kwh)
        solar_amount += Decimal(amount)
    export_kwh = Decimal(export_kwh)
    export_amount = round_money(export_kwh * Decimal(export_price))
    dso_amount = Decimal(dso_amount)
    fee_amount = Decimal(fee_amount)
    return OwnerStatement(
        solar_kwh,
        solar_amount,
        export_kwh,
        export_amount,
        dso_amount,
        fee_amount,
        solar_amount + export_amount - dso_amount - fee_amount,
    )


def grid_difference(meter, computed, tolerance_percent):
    """``(meter - computed, flagged)``: flagged when the difference exceeds
    ``tolerance_percent`` of the larger of the two magnitudes."""
    meter, computed = Decimal(meter), Decimal(computed)
    difference = meter - computed
    limit = Decimal(tolerance_percent) / 100 * max(abs(meter), abs(computed))
    return difference, abs(difference) > limit


def ratio(part, whole):
    """``100 x part / whole`` rounded half-up to 0.01 (``None`` if ``whole``
    is 0)."""
    whole = Decimal(whole)
    if not whole:
        return None
    return (100 * Decimal(part) / whole).quantize(_PERCENT, ROUND_HALF_UP)
