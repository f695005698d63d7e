# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The figures of the monthly consumption information (HeizKV §6a,
RULES.md 1.4 and 1.7): hot water and heat cost allocator units in kWh and the
normed average user."""

from decimal import Decimal

from . import codes
from .errors import MeterkitError

# HeizKV §9(2): Q = 2.5 kWh/(m³·K) x V x (t_w - 10 °C).
HOT_WATER_FACTOR = Decimal("2.5")
COLD_WATER_CELSIUS = Decimal(10)
DEFAULT_HOT_WATER_CELSIUS = Decimal(60)


def hot_water_kwh(volume, temperature=DEFAULT_HOT_WATER_CELSIUS):
    """The heat in kWh of ``volume`` m³ of hot water at a mean ``temperature``
    in °C (HeizKV §9(2), the formula of §6a(2) Nr. 1 for hot-water meters):
    2.5 x V x (t_w - 10). ``None`` stays ``None`` (nothing collected).

    :raise MeterkitError: a temperature not above the 10 °C of cold water.
    """
    if volume is None:
        return None
    temperature = Decimal(temperature)
    if temperature <= COLD_WATER_CELSIUS:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"the hot-water temperature must be above 10 °C, not {temperature}",
            field="temperature",
        )
    return HOT_WATER_FACTOR * Decimal(volume) * (temperature - COLD_WATER_CELSIUS)


def rated_units(units, rating_factor):
    """The rated consumption units of a heat cost allocator: the units read
    times the allocator's rating factor (its radiator's rating, the factor
    expense statements weigh the units with). ``None`` stays ``None``.

    :raise MeterkitError: a rating factor not above 0.
    """
    rating_factor = Decimal(rating_factor)
    if rating_factor <= 0:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"a rating factor must be above 0, not {rating_factor}",
            field="rating_factor",
        )
    if units is None:
        return None
    return Decimal(units) * rating_factor


def allocator_kwh(rated, kwh_per_unit):
    """The heat in kWh of ``rated`` heat cost allocator units (§6a(2) Nr. 1:
    allocator units are given in kWh): ``rated x kwh_per_unit``, the
    building's heat per rated unit. ``None`` when nothing was collected or
    no factor is known (``kwh_per_unit`` None or 0).

    :raise MeterkitError: a negative ``kwh_per_unit``.
    """
    if kwh_per_unit is not None and Decimal(kwh_per_unit) < 0:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"the kWh per allocator unit cannot be negative, not {kwh_per_unit}",
            field="kwh_per_unit",
        )
    if rated is None or not kwh_per_unit:
        return None
    return Decimal(rated) * Decimal(kwh_per_unit)


def normed_average(consumptions, unit_area):
    """The consumption of the normed average user of a unit of ``unit_area``
    m²: the consumption of the units valued in the month divided by their
    area, times ``unit_area``.

    :param consumptions: (consumption, area) pairs of the building's units
        valued in the month; a unit without an area (None or 0) is left out
        of both sums.
    :return: a Decimal, or ``None`` when the unit or every unit lacks an area.
    """
    if not unit_area:
        return None
    total = area = Decimal(0)
    for consumption, unit_size in consumptions:
        if unit_size:
            total += Decimal(consumption)
            area += Decimal(unit_size)
    if not area:
        return None
    return total / area * Decimal(unit_area)
