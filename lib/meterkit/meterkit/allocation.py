# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Money rounding and allocations that sum exactly (RULES.md §5.1, §5.2, §3.4, §4.5).

- :func:`round_money` is the line rounding of tariff invoices (R1, half-up).
- :func:`allocate` is the largest-remainder (Hamilton) split of a cost pool (R2):
  every share is floored to the quantum, the missing quanta go to the largest
  remainders, ties to the earlier weight. The parts always sum to the total.
- :func:`cash_round` is the Swiss 5-Rappen rounding of a final amount.
- :func:`invoice_line` gives an invoice line's quantity and unit price whose
  rounded product is exactly a line's amount (invoice = billing line, to the cent).
- :func:`prorate` pro-rates a per-period amount by days (days inclusive, counted by
  the caller), unrounded.
- :func:`apportion_common` shares a common meter's consumption (lifts, pumps,
  corridors) to units equally, by area or by usage; :func:`main_meter_residual` is the
  part of a main meter that its sub-meters do not explain, and
  :func:`apportion_residual` bills it to the units by area (RU ОДН, §3.4).

Shares are computed with :class:`fractions.Fraction`, so no intermediate rounding
happens before the final quantum.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from . import codes
from .errors import AllocationError

__all__ = [
    "APPORTION_METHODS",
    "allocate",
    "allocate_equal",
    "apportion_common",
    "apportion_residual",
    "cash_round",
    "invoice_line",
    "main_meter_residual",
    "prorate",
    "round_money",
]

CENT = Decimal("0.01")
RAPPEN_5 = Decimal("0.05")
APPORTION_METHODS = ("equal", "area", "usage")
_QUOTIENT = Context(prec=34)


def _decimal(value, field):
    """``value`` as a finite Decimal (int and Decimal accepted, float refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise AllocationError(
            codes.INVALID_ARGUMENT,
            f"{field} must be a Decimal or an int, not {value!r}",
            field=field,
        )
    value = Decimal(value)
    if not value.is_finite():
        raise AllocationError(
            codes.INVALID_ARGUMENT, f"{field} must be finite, not {value}", field=field
        )
    return value


def _quantum(quantum, field="quantum"):
    quantum = _decimal(quantum, field)
    if quantum <= 0:
        raise AllocationError(
            codes.INVALID_ARGUMENT,
            f"{field} must be greater than 0, not {quantum}",
            field=field,
        )
    return quantum


def _to_quantum(amount, quantum, rounding):
    """``amount`` rounded to a multiple of ``quantum`` (which need not be a power of
    ten: 0.05 works), with the exponent of ``quantum``."""
    units = (amount / quantum).quantize(Decimal(1), rounding=rounding)
    return (units * quantum).quantize(quantum) + 0  # + 0: no negative zero


def round_money(amount, quantum=CENT):
    """``amount`` rounded half-up (away from zero on a tie) to ``quantum``.

    This is the line rounding of tariff invoices (RULES.md §5.1, R1):
    ``round_money(Decimal("2.675")) == Decimal("2.68")``,
    ``round_money(Decimal("-2.675")) == Decimal("-2.68")``.
    """
    amount = _decimal(amount, "amount")
    return _to_quantum(amount, _quantum(quantum), ROUND_HALF_UP)


def cash_round(amount, step=RAPPEN_5):
    """``amount`` rounded half-up to a multiple of ``step`` (Swiss 5 Rappen).

    ``round_half_up(x / 0.05) x 0.05`` (RULES.md §5.1): 1.024 -> 1.00,
    1.025 -> 1.05, 1.074 -> 1.05, 1.075 -> 1.10, 19.32 -> 19.30.
    """
    amount = _decimal(amount, "amount")
    return _to_quantum(amount, _quantum(step, "step"), ROUND_HALF_UP)


#: decimals of a unit price derived from an amount (:func:`invoice_line`)
PRICE_QUANTUM = Decimal("1e-10")


def invoice_line(quantity, unit_price, amount, quantity_quantum, quantum=CENT):
    """``(quantity, unit_price)`` of an invoice line that bills exactly ``amount``.

    An invoice keeps its quantity to ``quantity_quantum`` (the unit of measure's
    precision) and rounds ``quantity x unit_price`` to ``quantum``: a quantity
    with more decimals, or an amount rounded by the tariff (pro-rated, minimum
    charge), would bill another amount. In order:

    1. the quantity rounded half-up to ``quantity_quantum`` and ``unit_price``,
       when their product rounds to ``amount``;
    2. that quantity and the price ``amount / quantity`` (to 10 decimals);
    3. ``(1, amount)``.

    :raises AllocationError: ``invalid_argument`` for a non-Decimal argument or
        an ``amount`` that is not a multiple of ``quantum``.
    """
    quantity = _decimal(quantity, "quantity")
    unit_price = _decimal(unit_price, "unit_price")
    amount = _decimal(amount, "amount")
    quantum = _quantum(quantum)
    if round_money(amount, quantum) != amount:
        raise AllocationError(
            codes.INVALID_ARGUMENT,
            f"amount {amount} is not rounded to {quantum}",
            field="amount",
        )
    shown = _to_quantum(
        quantity, _quantum(quantity_quantum, "quantity_quantum"), ROUND_HALF_UP
    )
    if round_money(shown * unit_price, quantum) == amount:
        return shown, unit_price
    if shown:
        price = _QUOTIENT.divide(amount, shown).quantize(PRICE_QUANTUM) + 0
        if round_money(shown * price, quantum) == amount:
            return shown, price
    return Decimal(1), amount


def prorate(amount, days, period_days):
    """``amount x days / period_days``, unrounded (34 significant digits).

    ``days`` are counted by the caller, inclusive of the first and last day
    (RULES.md §5.2); ``period_days`` is the basis: the days of the month for a monthly
    fee, 365 or 366 for an annual one. ``days`` may exceed ``period_days``.
    """
    amount = _decimal(amount, "amount")
    days = _decimal(days, "days")
    period_days = _decimal(period_days, "period_days")
    if days < 0:
        raise AllocationError(
            codes.INVALID_ARGUMENT, f"days must be >= 0, not {days}", field="days"
        )
    if period_days <= 0:
        raise AllocationError(
            codes.INVALID_ARGUMENT,
            f"period_days must be greater than 0, not {period_days}",
            field="period_days",
        )
    return _QUOTIENT.divide(amount * days, period_days)


def allocate(total, weights, quantum=CENT):
    """Split ``total`` in proportion to ``weights`` by largest remainder.

    ``total`` is first rounded half-up to ``quantum``. Each exact share
    ``total x w / sum(weights)`` is rounded towards zero to the quantum; the quanta
    still missing go one each to the shares with the largest remainders, ties to the
    earlier weight (order the weights by a stable key such as the unit code). The
    result has one part per weight, each a multiple of ``quantum``, and
    ``sum(parts) == round_money(total, quantum)`` always. A negative total (a credit)
    is split like its absolute value and negated.

    :param weights: Decimals or ints >= 0, at least one of them > 0.
    :raises AllocationError: ``zero_weights`` when there is no weight or all are 0;
        ``invalid_argument`` for a negative or non-numeric weight.
    """
    quantum = _quantum(quantum)
    total = round_money(total, quantum)
    weights = [_decimal(w, f"weights[{i}]") for i, w in enumerate(weights)]
    for i, weight in enumerate(weights):
        if weight < 0:
            raise AllocationError(
                codes.INVALID_ARGUMENT,
                f"weight {i + 1} is negative ({weight}); weights must be >= 0",
                field="weights",
                row=i + 1,
            )
    weight_sum = sum(weights, Decimal(0))
    if not weight_sum:
        raise AllocationError(
            codes.ZERO_WEIGHTS,
            f"cannot allocate {total}: the {len(weights)} weights sum to 0",
            field="weights",
        )
    sign = -1 if total < 0 else 1
    units = int(Fraction(abs(total)) / Fraction(quantum))
    exact = [Fraction(units) * Fraction(w) / Fraction(weight_sum) for w in weights]
    floors = [int(share) for share in exact]
    missing = units - sum(floors)
    by_remainder = sorted(
        range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i)
    )
    for i in by_remainder[:missing]:
        floors[i] += 1
    return tuple((sign * n * quantum).quantize(quantum) + 0 for n in floors)


def allocate_equal(total, n, quantum=CENT):
    """Split ``total`` into ``n`` parts that differ by at most one quantum and sum
    exactly to ``round_money(total, quantum)``; the earlier parts get the extra quanta.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise AllocationError(
            codes.ZERO_WEIGHTS,
            f"cannot split {total} into {n!r} parts: give at least one part",
            field="n",
        )
    return allocate(total, [1] * n, quantum)


def apportion_common(common_consumption, unit_keys, method="equal", quantum=CENT):
    """Share a common meter's consumption (or cost) among units (RULES.md §4.5, §3.4).

    :param common_consumption: quantity or amount to share (kWh, m3 or money).
    :param unit_keys: mapping unit key -> key value: the unit's area for ``"area"``,
        its own metered consumption for ``"usage"``; ignored (only the keys count)
        for ``"equal"``. The mapping order is the tie order of the largest remainder.
    :param method: ``"equal"``, ``"area"`` or ``"usage"``.
    :param quantum: the unit of the shares (0.01 for money, 0.001 for kWh...).
    :return: dict unit key -> share, in the mapping's order, summing exactly to
        ``common_consumption`` rounded to ``quantum``.
    :raises AllocationError: unknown method, no unit, or all keys 0 (e.g. no unit
        consumed anything with ``"usage"``).
    """
    if method not in APPORTION_METHODS:
        raise AllocationError(
            codes.INVALID_ARGUMENT,
            f"unknown apportionment method {method!r}; use one of "
            f"{', '.join(APPORTION_METHODS)}",
            field="method",
        )
    if not isinstance(unit_keys, Mapping):
        raise AllocationError(
            codes.INVALID_ARGUMENT,
            "unit_keys must be a mapping unit -> key value",
            field="unit_keys",
        )
    keys = list(unit_keys)
    if not keys:
        raise AllocationError(
            codes.ZERO_WEIGHTS,
            f"cannot apportion {common_consumption}: there is no unit",
            field="unit_keys",
        )
    if method == "equal":
        parts = allocate_equal(common_consumption, len(keys), quantum)
    else:
        try:
            parts = allocate(common_consumption, [unit_keys[k] for k in keys], quantum)
        except AllocationError as error:
            if error.code != codes.ZERO_WEIGHTS:
                raise
            raise AllocationError(
                codes.ZERO_WEIGHTS,
                f"cannot apportion {common_consumption} by {method}: every unit's "
                f"{method} is 0",
                field="unit_keys",
            ) from None
    return dict(zip(keys, parts, strict=True))


def main_meter_residual(main, sub_sum):
    """The consumption of a main meter that its sub-meters do not explain:
    ``main - sub_sum`` (losses, unmetered common use). Negative when the sub-meters
    measured more than the main meter (RU "negative ОДН", to be credited)."""
    return _decimal(main, "main") - _decimal(sub_sum, "sub_sum")


def apportion_residual(
    main, sub_sum, unit_areas, price, quantum=CENT, quantity_quantum=Decimal("0.001")
):
    """Common-house needs (RU ОДН, RULES.md §3.4): the residual ``main -
    sub_sum`` of a main meter shared among units by area, ``V_i = V x S_i /
    S_total``, as quantities and as money at ``price``.

    A negative residual (the units measured more than the main meter) is credited
    the same way. Both splits are largest remainder, in the mapping's order: the
    quantities sum exactly to the residual rounded to ``quantity_quantum``, the
    amounts to ``round_money(residual x price, quantum)``.

    :param unit_areas: mapping unit key -> area S_i (all premises of the
        building, billed or not, so that S_total is the building's).
    :return: ``(residual, {unit key: (quantity, amount)})``.
    :raises AllocationError: as :func:`apportion_common` (no unit, all areas 0).
    """
    residual = main_meter_residual(main, sub_sum)
    price = _decimal(price, "price")
    amounts = apportion_common(
        round_money(residual * price, quantum), unit_areas, "area", quantum
    )
    quantities = apportion_common(residual, unit_areas, "area", quantity_quantum)
    return residual, {key: (quantities[key], amounts[key]) for key in unit_areas}
