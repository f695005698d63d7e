# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Annual expense statements: a period's building costs allocated to occupancies
(HeizkostenV §§7-12, BetrKV, CO2KostAufG, Swiss VEWA/Climkit practice; RULES.md
§1.5-§1.11a, §2.5, §5.1, §5.2).

:func:`allocate_period` takes an :class:`ExpenseInput` (the period, the units with
their dated-in-force bases, the occupancies covering every unit's timeline, and the
sections with their cost, key and consumptions) and returns an
:class:`ExpenseResult`: one :class:`ExpenseLine` per occupancy, section and pool,
the section pools, what the owner bears, and a content hash of the inputs and of
the outputs.

Per section:

1. the cost is cut into a *consumption* pool (``cost x consumption_share``,
   rounded half-up to the cent) and a *base* pool (the rest);
2. if a main meter is given, the consumption pool is cut again: the units' part
   (``sum(units) / main``) is split by consumption, the *residual* (main minus
   units: common parts, losses) is its own line, split by the base key or borne
   by the owner;
3. §9a(2): when units with substitute consumption values hold more than 25 % of
   the base (area or volume), the whole cost goes by the base key;
4. every pool is split over the occupancies by largest remainder (RULES §5.1, R2):
   the base pool by the unit's base x the occupancy's share of the period (days,
   or §9b degree-day per-mille for room heating), the consumption pool by the
   occupancy's interim-read consumption (x rating factor for heat cost
   allocators), or by the unit's consumption split by time when there is no
   interim reading (§9b(3));
5. §12 cut (e.g. 15 %) of each tenant's share, and the CO2KostAufG landlord share,
   are credit lines on the occupancy and borne by the owner; vacancy shares are
   the owner's too.

Every pool sums exactly to its amount; the lines of a section, with what the owner
bears for cuts, CO2 and the residual, sum exactly to the section's cost.
"""

import dataclasses
import hashlib
import json
import typing
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from . import codes
from .allocation import round_money
from .errors import AllocationError

__all__ = [
    "BASE_KEYS",
    "CO2_STEPS",
    "Consumption",
    "DEGREE_DAY_VARIANTS",
    "ExpenseInput",
    "ExpenseLine",
    "ExpenseResult",
    "Occupancy",
    "Section",
    "SectionResult",
    "Unit",
    "allocate_period",
    "co2_landlord_share",
    "compare_runs",
    "degree_day_permille",
    "degree_days_between",
    "dump_input",
    "dump_result",
    "fuel_consumed",
    "hash_payload",
    "hot_water_heat",
    "load_input",
    "split_heating_hot_water",
    "substitute_base_share",
    "substitute_building_average",
    "substitute_own_history",
]

CENT = Decimal("0.01")
#: precision of the unrounded amounts kept beside the rounded ones
EXACT = Decimal("1e-6")
#: keys read from the unit's bases (time-weighted inside the period)
UNIT_BASE_KEYS = ("area", "heated_area", "volume", "thousandths", "custom")
#: every base key: unit bases, ``persons`` (person-days of the occupancy),
#: ``units`` (1 per unit, time-weighted) and ``equal`` (1 per occupancy)
BASE_KEYS = (*UNIT_BASE_KEYS, "persons", "units", "equal")
ROLES = ("tenant", "owner", "vacancy")
TIME_BASES = ("days", "degree_days")
RESIDUAL_TARGETS = ("base", "owner")
DEGREE_DAY_VARIANTS = ("A", "B", "C")

#: VDI 2067 / DIN 4713-5 per-mille per month (RULES §1.9), summer months by variant
_MONTH_PERMILLE = {
    1: 170,
    2: 150,
    3: 130,
    4: 80,
    5: 40,
    9: 30,
    10: 80,
    11: 120,
    12: 160,
}
_SUMMER_PERMILLE = {
    "B": {6: Fraction(40, 3), 7: Fraction(40, 3), 8: Fraction(40, 3)},
    "C": {6: Fraction(14), 7: Fraction(13), 8: Fraction(13)},
}

#: CO2KostAufG residential step model (RULES §1.11a): (upper bound kg CO2/m²/a,
#: landlord share); the last step has no upper bound
CO2_STEPS = (
    (Decimal(12), Decimal("0")),
    (Decimal(17), Decimal("0.10")),
    (Decimal(22), Decimal("0.20")),
    (Decimal(27), Decimal("0.30")),
    (Decimal(32), Decimal("0.40")),
    (Decimal(37), Decimal("0.50")),
    (Decimal(42), Decimal("0.60")),
    (Decimal(47), Decimal("0.70")),
    (Decimal(52), Decimal("0.80")),
    (None, Decimal("0.95")),
)


def _error(message, field=None, code=codes.INVALID_ARGUMENT):
    return AllocationError(code, message, field=field)


# ------------------------------------------------------------------
# inputs and outputs
# ------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A unit and its allocation bases in force for the period (``None`` = not
    known: a section keyed on it refuses to allocate)."""

    code: str
    area: Decimal | None = None
    heated_area: Decimal | None = None
    volume: Decimal | None = None
    thousandths: Decimal | None = None
    custom: Decimal | None = None


@dataclass(frozen=True)
class Occupancy:
    """An occupancy of a unit, dates inclusive; ``vacancy`` is borne by the owner."""

    key: str
    unit: str
    date_start: date
    date_end: date
    role: str = "tenant"
    persons: Decimal = Decimal(0)


@dataclass(frozen=True)
class Consumption:
    """A recorded consumption: of one occupancy (interim reading, §9b(1)) or of the
    whole unit (``occupancy`` empty: split by time, §9b(3)). ``factor`` is the heat
    cost allocator's rating factor; ``substitute`` marks a §9a estimate."""

    unit: str
    quantity: Decimal
    occupancy: str = ""
    factor: Decimal = Decimal(1)
    substitute: bool = False


@dataclass(frozen=True)
class Section:
    """One section of the statement and its cost for the period.

    :param consumption_share: share of the cost split by consumption (0.5-0.7 DE,
        0.7 CH; 0 = base key only).
    :param base_key: one of :data:`BASE_KEYS`.
    :param time_basis: ``days`` or ``degree_days`` (§9b, room heating).
    :param main_quantity: the main meter's consumption, for the residual line.
    :param cut_percent: §12 cut of each tenant's share (e.g. 15), borne by the owner.
    :param co2_cost: the CO2 cost included in ``cost`` (CO2KostAufG).
    :param co2_kg: the building's CO2 emissions of the period, kg.
    :param co2_area: the building's living area, m².
    :param co2_residential: step model (True) or 50/50 (False).
    """

    code: str
    name: str
    cost: Decimal
    base_key: str = "area"
    consumption_share: Decimal = Decimal(0)
    time_basis: str = "days"
    consumptions: tuple[Consumption, ...] = ()
    main_quantity: Decimal | None = None
    residual_to: str = "base"
    cut_percent: Decimal = Decimal(0)
    co2_cost: Decimal = Decimal(0)
    co2_kg: Decimal = Decimal(0)
    co2_area: Decimal = Decimal(0)
    co2_residential: bool = True


@dataclass(frozen=True)
class ExpenseInput:
    """Everything an allocation depends on (stored with the run, hashed)."""

    date_start: date
    date_end: date
    units: tuple[Unit, ...]
    occupancies: tuple[Occupancy, ...]
    sections: tuple[Section, ...]
    degree_day_variant: str = "A"


@dataclass(frozen=True)
class ExpenseLine:
    """An occupancy's part of one pool: ``amount`` of ``pool_amount`` by
    ``basis`` of ``total_basis`` (explanation a reader can recompute).

    ``amount_exact`` is the unrounded share (``pool_amount x basis /
    total_basis`` to :data:`EXACT`); ``amount`` is it rounded once, by largest
    remainder over the pool (or half-up for a §12 cut)."""

    occupancy: str
    section: str
    pool: str  # consumption, base, residual, cut, co2
    basis: Decimal
    total_basis: Decimal
    pool_amount: Decimal
    amount: Decimal
    amount_exact: Decimal | None = None


@dataclass(frozen=True)
class SectionResult:
    """The pools of a section and what its owner bears."""

    code: str
    cost: Decimal
    consumption_pool: Decimal
    base_pool: Decimal
    residual_pool: Decimal
    base_only_reason: str
    co2_kg_per_m2: Decimal
    co2_landlord_rate: Decimal
    co2_landlord: Decimal
    cut: Decimal
    residual_owner: Decimal
    vacancy: Decimal


@dataclass(frozen=True)
class ExpenseResult:
    """Lines, per-occupancy totals, sections and the hashes."""

    lines: tuple[ExpenseLine, ...]
    totals: tuple[tuple[str, Decimal], ...]
    sections: tuple[SectionResult, ...]
    owner_total: Decimal
    input_hash: str
    output_hash: str


# ------------------------------------------------------------------
# serialisation and hashing
# ------------------------------------------------------------------


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {
            f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def hash_payload(payload):
    """sha256 of the canonical JSON of ``payload`` (dataclasses, Decimals and dates
    written as strings, keys sorted)."""
    text = json.dumps(_plain(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def dump_input(expense_input):
    """``expense_input`` as JSON-safe dicts and lists (see :func:`load_input`)."""
    return _plain(expense_input)


def dump_result(result):
    """``result`` as JSON-safe dicts and lists (stored beside the inputs)."""
    return _plain(result)


def _load(cls, data):
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            continue
        values[field.name] = _load_value(hints[field.name], data[field.name])
    return cls(**values)


def _load_value(hint, raw):
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_load_value(item, v) for v in raw)
    if origin is not None:  # X | None
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if dataclasses.is_dataclass(hint):
        return _load(hint, raw)
    if hint is Decimal:
        return Decimal(raw)
    if isinstance(hint, type) and (issubclass(hint, date) or issubclass(date, hint)):
        # either way round: a frozen clock (freezegun) swaps ``date`` for a subclass
        return date.fromisoformat(raw)
    return raw


def load_input(data):
    """The :class:`ExpenseInput` written by :func:`dump_input`."""
    return _load(ExpenseInput, data)


# ------------------------------------------------------------------
# helpers of the regulation
# ------------------------------------------------------------------


def degree_day_permille(day, variant="A"):
    """The heating degree-day per-mille of one ``day`` (RULES §1.9, VDI 2067).

    Variant A: June-August one 40 ‰ block over its 92 days; B: 40/3 ‰ per
    summer month; C: June 14, July 13, August 13 ‰. Other months: the monthly
    value divided by the days of the month (February 150/29 in a leap year).
    """
    if variant not in DEGREE_DAY_VARIANTS:
        raise _error(f"unknown degree-day variant {variant!r}", "degree_day_variant")
    days_in_month = monthrange(day.year, day.month)[1]
    if day.month in _MONTH_PERMILLE:
        return Fraction(_MONTH_PERMILLE[day.month], days_in_month)
    if variant == "A":
        return Fraction(40, 92)
    return _SUMMER_PERMILLE[variant][day.month] / days_in_month


def _days(start, end):
    return (end - start).days + 1


def _degree_days(start, end, variant):
    """The exact per-mille of ``start`` to ``end``, month by month: every
    day of a month has the same per-mille (:func:`degree_day_permille`), so
    a month weighs its days in the span times that of its first one."""
    total = Fraction(0)
    first = start
    while first <= end:
        month_end = first.replace(day=monthrange(first.year, first.month)[1])
        last = min(month_end, end)
        total += ((last - first).days + 1) * degree_day_permille(first, variant)
        first = last + timedelta(days=1)
    return total


def degree_days_between(start, end, variant="A"):
    """The degree-day per-mille of the days ``start`` to ``end`` (inclusive
    dates) from the VDI 2067 table of RULES §1.9 (variant A, B or C), kept to
    :data:`EXACT`: 1000 for a calendar year, 450 for January to March. The
    figures a §9a own-history substitute scales by when the site has no
    measured degree-days."""
    if end < start:
        raise _error(f"the span {start} - {end} ends before it starts", "end")
    return _exact(_degree_days(start, end, variant))


def hot_water_heat(
    volume=None,
    temperature=Decimal(60),
    area=None,
    gross_calorific=False,
    commercial=False,
    heat_pump=False,
):
    """§9(2) hot-water heat quantity Q in kWh when it is not measured.

    ``Q = 2.5 x V x (t_w - 10)`` from the hot-water volume ``V`` (m³) and mean
    temperature ``t_w`` (°C); without a volume ``Q = 32 x A`` from the area supplied.
    Corrections of the formula result: x 1.11 gross calorific value, / 1.15
    commercial heat supply, x 0.30 monovalent heat pump (RULES §1.7).
    """
    if volume is not None:
        heat = Decimal("2.5") * Decimal(volume) * (Decimal(temperature) - 10)
    elif area is not None:
        heat = Decimal(32) * Decimal(area)
    else:
        raise _error("give the hot-water volume or the area supplied", "volume")
    if heat < 0:
        raise _error(f"the hot-water heat cannot be negative ({heat})", "temperature")
    if gross_calorific:
        heat *= Decimal("1.11")
    if commercial:
        heat /= Decimal("1.15")
    if heat_pump:
        heat *= Decimal("0.30")
    return heat


def fuel_consumed(bought, opening_stock, closing_stock, bought_cost, opening_value):
    """Fuel consumed in the period (oil, pellets: costed on consumption, not on
    invoices paid, RULES §1.5) as ``(quantity, cost)``.

    quantity = bought + opening - closing stock; the closing stock is valued at
    the average price of the opening stock and the purchases, so
    cost = opening value + bought cost - closing x average price (unrounded).
    """
    bought, opening_stock, closing_stock = (
        Decimal(bought),
        Decimal(opening_stock),
        Decimal(closing_stock),
    )
    available = bought + opening_stock
    quantity = available - closing_stock
    if quantity < 0 or closing_stock < 0:
        raise _error(
            f"closing stock {closing_stock} exceeds opening stock plus purchases "
            f"{available}",
            "closing_stock",
        )
    value = Decimal(bought_cost) + Decimal(opening_value)
    if not available:
        return quantity, Decimal(0)
    return quantity, value - _as_decimal(
        Fraction(value) * Fraction(closing_stock) / Fraction(available)
    )


def split_heating_hot_water(
    joint_cost,
    total_energy,
    hot_water_energy,
    heating_own=Decimal(0),
    hot_water_own=Decimal(0),
):
    """§9(1) split of a combined plant's costs as ``(heating, hot_water)`` to the cent.

    The jointly arisen cost goes to hot water by ``hot_water_energy /
    total_energy`` (fuel or heat, measured or from :func:`hot_water_heat`, kWh),
    rounded half-up; heating is the rest. Separately arisen costs are added to
    their own part. The two parts sum exactly to all costs.
    """
    total_energy, hot_water_energy = Decimal(total_energy), Decimal(hot_water_energy)
    if total_energy <= 0 or not 0 <= hot_water_energy <= total_energy:
        raise _error(
            f"the hot-water energy {hot_water_energy} must lie between 0 and the "
            f"total energy {total_energy} (> 0)",
            "hot_water_energy",
        )
    joint = round_money(Decimal(joint_cost))
    hot_water = round_money(
        _as_decimal(
            Fraction(joint) * Fraction(hot_water_energy) / Fraction(total_energy)
        )
    )
    return (
        joint - hot_water + round_money(Decimal(heating_own)),
        hot_water + round_money(Decimal(hot_water_own)),
    )


def substitute_own_history(previous_quantity, previous_degree_days, degree_days):
    """§9a(1): the same rooms in a comparable earlier period, scaled by the
    degree-days (or days) of the two periods."""
    if not previous_degree_days:
        raise _error("the earlier period has no degree-days", "previous_degree_days")
    return (
        Decimal(previous_quantity)
        * Decimal(degree_days)
        / Decimal(previous_degree_days)
    )


def substitute_building_average(measured, area):
    """§9a(1): the building's average consumption per m² times the unit's area.

    :param measured: pairs ``(quantity, area)`` of the units properly recorded.
    """
    quantity = sum((Decimal(q) for q, _a in measured), Decimal(0))
    measured_area = sum((Decimal(a) for _q, a in measured), Decimal(0))
    if measured_area <= 0:
        raise _error("no recorded unit to average over", "measured")
    return quantity * Decimal(area) / measured_area


def substitute_base_share(bases, substituted):
    """§9a(2): the share (Fraction) of the base held by the units with a
    substitute value; above 1/4 the whole cost goes by the base key.

    :param bases: ``{unit code: area or volume}`` of every unit of the section.
    :param substituted: the codes of the units with a substitute value.
    """
    total = sum((Fraction(b or 0) for b in bases.values()), Fraction(0))
    if not substituted or not total:
        return Fraction(0)
    return sum((Fraction(bases[c] or 0) for c in set(substituted)), Fraction(0)) / total


def co2_landlord_share(kg, area, days=365, residential=True):
    """CO2KostAufG: ``(kg CO2/m²/a, landlord rate)`` of a building.

    The specific emission is ``kg / (area x days / 365)`` (a period other than a
    year scales the area by calendar days); residential buildings use the 10-step
    model (:data:`CO2_STEPS`), others 50 %.
    """
    if not residential:
        return None, Decimal("0.50")
    area = Decimal(area)
    if area <= 0:
        raise _error("the living area for the CO2 split must be > 0", "co2_area")
    specific = (Decimal(kg) * 365 / (area * Decimal(days))).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    for bound, landlord in CO2_STEPS:
        if bound is None or specific < bound:
            return specific, landlord
    raise AssertionError("unreachable")  # pragma: no cover


# ------------------------------------------------------------------
# allocation
# ------------------------------------------------------------------


def _largest_remainder(total, weights):
    """``total`` (cents) split by Fraction ``weights``: floors, then the missing
    cents to the largest remainders, ties to the earlier weight (RULES §5.1 R2)."""
    weight_sum = sum(weights, Fraction(0))
    sign = -1 if total < 0 else 1
    units = int(abs(Fraction(total)) / Fraction(CENT))
    exact = [units * w / weight_sum for w in weights]
    floors = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return [(sign * n * CENT).quantize(CENT) + 0 for n in floors]


def _exact(value):
    """An unrounded amount kept to :data:`EXACT` (display and audit only)."""
    return _as_decimal(Fraction(value)).quantize(EXACT, ROUND_HALF_UP) + 0


def _as_decimal(value):
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


class _Allocator:
    def __init__(self, expense_input):
        self.input = expense_input
        self.start = expense_input.date_start
        self.end = expense_input.date_end
        if self.end < self.start:
            raise _error(
                f"the period ends ({self.end}) before it starts ({self.start})",
                "date_end",
            )
        self.units = {u.code: u for u in expense_input.units}
        self.occupancies = sorted(
            expense_input.occupancies, key=lambda o: (o.unit, o.date_start, o.key)
        )
        self.by_key = {o.key: o for o in self.occupancies}
        self._check_timelines()
        self.period_days = _days(self.start, self.end)
        self.period_dd = _degree_days(
            self.start, self.end, expense_input.degree_day_variant
        )
        self.time = {}
        for occ in self.occupancies:
            start, end = max(occ.date_start, self.start), min(occ.date_end, self.end)
            self.time[occ.key] = {
                "days": Fraction(_days(start, end), self.period_days),
                "degree_days": _degree_days(
                    start, end, expense_input.degree_day_variant
                )
                / self.period_dd,
                "day_count": _days(start, end),
            }

    def _check_timelines(self):
        for occ in self.occupancies:
            if occ.unit not in self.units:
                raise _error(
                    f"occupancy {occ.key} is on unknown unit {occ.unit}", "unit"
                )
            if occ.role not in ROLES:
                raise _error(f"occupancy {occ.key}: unknown role {occ.role!r}", "role")
        for code in self.units:
            timeline = [
                o
                for o in self.occupancies
                if o.unit == code
                and o.date_end >= self.start
                and o.date_start <= self.end
            ]
            cursor = self.start
            for occ in timeline:
                if occ.date_start > cursor:
                    raise _error(
                        f"unit {code} has no occupancy from {cursor} to "
                        f"{occ.date_start - timedelta(days=1)}",
                        "occupancies",
                    )
                if occ.date_start < cursor and occ.date_start >= self.start:
                    raise _error(
                        f"unit {code}: occupancy {occ.key} overlaps the previous one",
                        "occupancies",
                    )
                cursor = occ.date_end + timedelta(days=1)
            if cursor <= self.end:
                raise _error(
                    f"unit {code} has no occupancy from {cursor} to {self.end}",
                    "occupancies",
                )
        self.occupancies = [
            o
            for o in self.occupancies
            if o.date_end >= self.start and o.date_start <= self.end
        ]

    def base_weights(self, section, time_basis):
        key = section.base_key
        weights = []
        for occ in self.occupancies:
            share = self.time[occ.key][time_basis]
            if key in UNIT_BASE_KEYS:
                value = getattr(self.units[occ.unit], key)
                if value is None or value <= 0:
                    raise _error(
                        f"section {section.name}: unit {occ.unit} has no {key} "
                        f"(missing or 0)",
                        key,
                        codes.ZERO_WEIGHTS,
                    )
                weights.append(Fraction(value) * share)
            elif key == "persons":
                weights.append(Fraction(occ.persons) * self.time[occ.key]["day_count"])
            elif key == "units":
                weights.append(share)
            else:  # equal
                weights.append(Fraction(1))
        return weights

    def consumption_weights(self, section):
        per_occ = {o.key: Fraction(0) for o in self.occupancies}
        seen = set()
        for item in section.consumptions:
            if item.unit not in self.units:
                raise _error(
                    f"section {section.name}: consumption of unknown unit {item.unit}",
                    "consumptions",
                )
            quantity = Fraction(item.quantity) * Fraction(item.factor)
            if quantity < 0:
                raise _error(
                    f"section {section.name}: negative consumption of unit {item.unit}",
                    "consumptions",
                )
            seen.add(item.unit)
            if item.occupancy:
                if self.by_key.get(item.occupancy, None) is None or (
                    self.by_key[item.occupancy].unit != item.unit
                ):
                    raise _error(
                        f"section {section.name}: occupancy {item.occupancy} is not on "
                        f"unit {item.unit}",
                        "consumptions",
                    )
                if item.occupancy in per_occ:
                    per_occ[item.occupancy] += quantity
                continue
            basis = "degree_days" if section.time_basis == "degree_days" else "days"
            for occ in self.occupancies:
                if occ.unit == item.unit:
                    per_occ[occ.key] += quantity * self.time[occ.key][basis]
        missing = sorted(set(self.units) - seen)
        if missing:
            raise _error(
                f"section {section.name}: no consumption (closing reading or "
                f"substitute) for unit {', '.join(missing)}",
                "consumptions",
            )
        return [per_occ[o.key] for o in self.occupancies]

    def substitute_share(self, section):
        """The share of the base held by units with a §9a substitute value."""
        key = section.base_key if section.base_key in UNIT_BASE_KEYS else "area"
        return substitute_base_share(
            {code: getattr(u, key) for code, u in self.units.items()},
            {c.unit for c in section.consumptions if c.substitute},
        )

    def pool(self, section, name, amount, weights, lines):
        if not amount:
            return [Decimal(0)] * len(self.occupancies)
        total = sum(weights, Fraction(0))
        if total <= 0:
            raise _error(
                f"section {section.name}: the {name} key sums to 0, "
                f"cannot allocate {amount}",
                name,
                codes.ZERO_WEIGHTS,
            )
        parts = _largest_remainder(amount, weights)
        for occ, weight, part in zip(self.occupancies, weights, parts, strict=True):
            lines.append(
                ExpenseLine(
                    occ.key,
                    section.code,
                    name,
                    _as_decimal(weight).quantize(EXACT) + 0,
                    _as_decimal(total).quantize(EXACT) + 0,
                    amount,
                    part,
                    _exact(Fraction(amount) * weight / total),
                )
            )
        return parts

    def check(self, section):
        name = section.name
        for value, allowed, field in (
            (section.base_key, BASE_KEYS, "base_key"),
            (section.time_basis, TIME_BASES, "time_basis"),
            (section.residual_to, RESIDUAL_TARGETS, "residual_to"),
        ):
            if value not in allowed:
                raise _error(f"section {name}: unknown {field} {value!r}", field)
        if not 0 <= section.consumption_share <= 1:
            raise _error(
                f"section {name}: consumption share {section.consumption_share} "
                f"is not between 0 and 1",
                "consumption_share",
            )

    def residual(self, section, consumption_pool):
        """The residual (main minus units) part of the consumption pool."""
        if section.main_quantity is None:
            return Decimal(0)
        main = Fraction(section.main_quantity)
        units_sum = sum(
            (Fraction(c.quantity) * Fraction(c.factor) for c in section.consumptions),
            Fraction(0),
        )
        if main < units_sum or main <= 0:
            raise _error(
                f"section {section.name}: the main meter "
                f"({section.main_quantity}) measured less than the units "
                f"({_as_decimal(units_sum).normalize()})",
                "main_quantity",
            )
        return consumption_pool - round_money(
            _as_decimal(Fraction(consumption_pool) * units_sum / main)
        )

    def cut_lines(self, section, shares, lines):
        """§12 cut of each tenant's share, as credit lines; the sum cut."""
        cut = Decimal(0)
        if not section.cut_percent:
            return cut
        for occ, amount in zip(self.occupancies, shares, strict=True):
            if occ.role != "tenant" or not amount:
                continue
            exact = amount * Decimal(section.cut_percent) / 100
            part = round_money(exact)
            cut += part
            lines.append(
                ExpenseLine(
                    occ.key,
                    section.code,
                    "cut",
                    Decimal(section.cut_percent),
                    Decimal(100),
                    amount,
                    -part,
                    -_exact(exact),
                )
            )
        return cut

    def co2_lines(self, section, cost, shares, lines):
        """CO2KostAufG landlord share credited by heating share:
        ``(kg/m²/a, landlord rate, landlord amount)``."""
        if not section.co2_cost:
            return Decimal(0), Decimal(0), Decimal(0)
        if not 0 < section.co2_cost <= cost:
            raise _error(
                f"section {section.name}: the CO2 cost {section.co2_cost} must lie "
                f"between 0 and the section's cost {cost}",
                "co2_cost",
            )
        specific, rate = co2_landlord_share(
            section.co2_kg, section.co2_area, self.period_days, section.co2_residential
        )
        landlord = round_money(Decimal(section.co2_cost) * rate)
        paying = [max(s, Decimal(0)) for s in shares]
        if not landlord or not any(paying):
            return specific or Decimal(0), rate, Decimal(0)
        parts = _largest_remainder(landlord, [Fraction(p) for p in paying])
        total_paying = sum(paying, Decimal(0))
        for occ, weight, part in zip(self.occupancies, paying, parts, strict=True):
            if part:
                lines.append(
                    ExpenseLine(
                        occ.key,
                        section.code,
                        "co2",
                        weight,
                        total_paying,
                        landlord,
                        -part,
                        -_exact(
                            Fraction(landlord)
                            * Fraction(weight)
                            / Fraction(total_paying)
                        ),
                    )
                )
        return specific or Decimal(0), rate, landlord

    def section(self, section, lines):
        self.check(section)
        cost = round_money(section.cost)
        share = section.consumption_share
        reason = ""
        if share and self.substitute_share(section) > Fraction(1, 4):
            share, reason = Decimal(0), "substitutes_over_25_percent"
        consumption_pool = round_money(cost * share)
        base_pool = cost - consumption_pool
        residual_pool = Decimal(0)
        zeros = [Decimal(0)] * len(self.occupancies)
        consumption_parts = zeros
        if consumption_pool:
            weights = self.consumption_weights(section)
            residual_pool = self.residual(section, consumption_pool)
            consumption_pool -= residual_pool
            consumption_parts = self.pool(
                section, "consumption", consumption_pool, weights, lines
            )
        base_weights = []
        if base_pool or residual_pool:
            base_weights = self.base_weights(section, section.time_basis)
        base_parts = self.pool(section, "base", base_pool, base_weights, lines)
        residual_owner = Decimal(0)
        residual_parts = zeros
        if residual_pool and section.residual_to == "owner":
            residual_owner = residual_pool
        elif residual_pool:
            residual_parts = self.pool(
                section, "residual", residual_pool, base_weights, lines
            )
        shares = [
            c + b + r
            for c, b, r in zip(
                consumption_parts, base_parts, residual_parts, strict=True
            )
        ]
        cut = self.cut_lines(section, shares, lines)
        specific, rate, co2_landlord = self.co2_lines(section, cost, shares, lines)
        vacancy = sum(
            (
                s
                for o, s in zip(self.occupancies, shares, strict=True)
                if o.role == "vacancy"
            ),
            Decimal(0),
        )
        return SectionResult(
            section.code,
            cost,
            consumption_pool,
            base_pool,
            residual_pool,
            reason,
            specific,
            rate,
            co2_landlord,
            cut,
            residual_owner,
            vacancy,
        )


def allocate_period(expense_input):
    """Allocate every section of ``expense_input`` (see the module docstring).

    :raises AllocationError: a clear message naming the unit, occupancy or section
        for: a gap or overlap in a unit's occupancies, a base missing or 0 for a
        unit, a unit without consumption, an unknown key, a main meter below the
        units, or a pool whose key sums to 0.
    """
    allocator = _Allocator(expense_input)
    codes_seen = set()
    lines, sections = [], []
    for section in expense_input.sections:
        if section.code in codes_seen:
            raise _error(f"section code {section.code} appears twice", "sections")
        codes_seen.add(section.code)
        sections.append(allocator.section(section, lines))
    totals = {o.key: Decimal(0) for o in allocator.occupancies}
    for line in lines:
        totals[line.occupancy] += line.amount
    owner = sum(
        (totals[o.key] for o in allocator.occupancies if o.role == "vacancy"),
        Decimal(0),
    ) + sum((s.cut + s.co2_landlord + s.residual_owner for s in sections), Decimal(0))
    totals_tuple = tuple((k, v + 0) for k, v in totals.items())
    output = (tuple(lines), totals_tuple, tuple(sections), owner)
    return ExpenseResult(
        tuple(lines),
        totals_tuple,
        tuple(sections),
        owner,
        hash_payload(expense_input),
        hash_payload(output),
    )


def compare_runs(old_input, old_output, new_input, new_output):
    """What changed between two runs of a period, from their stored JSON
    (:func:`dump_input`, :func:`dump_result`).

    :return: ``(sections, occupancies)``: ``(code, old cost, new cost)`` of the
        sections whose cost, key or consumption changed (a section missing on
        one side has ``None`` there), and ``(key, old total, new total, delta)``
        of every occupancy whose total changed, all amounts as Decimal.
    """
    old_sections = {s["code"]: s for s in old_input["sections"]}
    new_sections = {s["code"]: s for s in new_input["sections"]}
    sections = []
    for code in sorted(old_sections.keys() | new_sections.keys()):
        old, new = old_sections.get(code), new_sections.get(code)
        if old != new:
            sections.append(
                (
                    code,
                    Decimal(old["cost"]) if old else None,
                    Decimal(new["cost"]) if new else None,
                )
            )
    old_totals = {k: Decimal(v) for k, v in old_output["totals"]}
    new_totals = {k: Decimal(v) for k, v in new_output["totals"]}
    occupancies = []
    for key in sorted(old_totals.keys() | new_totals.keys()):
        old, new = old_totals.get(key, Decimal(0)), new_totals.get(key, Decimal(0))
        if old != new:
            occupancies.append((key, old, new, new - old))
    return tuple(sections), tuple(occupancies)
