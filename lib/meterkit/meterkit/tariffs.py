# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tariff evaluation: dated tariff versions of ordered components turned into invoice
lines that explain themselves (RULES.md §4.1-4.3, §5.1, §5.2; seeds Climkit, Acrel).

Component kinds (:data:`KINDS`):

==================  ==========================================  =====================
kind                quantity                                    amount (before line
                                                                rounding)
==================  ==========================================  =====================
``energy``          consumption of ``register`` (all registers  quantity x price
                    summed when ``register`` is None)
``tou_energy``      consumption of time-of-use ``band``         quantity x price
``tiered``          consumption of ``register`` (or all), cut   sum over tiers
                    into ``tiers``
``fixed``           1                                           price x days / pd
``area``            the unit's area                             area x price x days/pd
``demand_capacity`` transformer ``capacity`` (kVA)              cap. x price x days/pd
``demand_peak``     the period's maximum demand (kW)            demand x price x
                                                                days / pd
==================  ==========================================  =====================

``days`` is the number of days of the usage period, inclusive of its first and last day,
and ``pd`` (``period_days``) the pro-rating basis given by the caller (days of the month
for a monthly fee, 365/366 for an annual one) (RULES.md §5.2). Consumption kinds are not
pro-rated: the consumption already belongs to the period.

**Tiers** (RULES.md §4.2). ``Tier(upto, price)``: tier *n* covers consumption up to
``upto`` (inclusive; the last tier has ``upto=None``).

- ``cumulative`` (block, 累进): each block of consumption is priced at its tier's price;
  one line per tier reached. Beijing: 300 kWh = 240 x 0.4883 + 60 x 0.5383.
- ``independent`` (all-units): the whole consumption is priced at the price of the tier
  that the consumption reaches. Beijing-like tiers, 300 kWh = 300 x 0.5383.

Tiers combined with time-of-use (RULES.md §4.2): one ``tou_energy`` component per band
plus a ``tiered`` component whose tier prices are the surcharges (0, +0.05, +0.30).

Annual tiers count from the start of the tier year: :attr:`Usage.tier_base` is the
consumption already counted before the period (:func:`tier_year_base` sums it from
what earlier periods counted), and a period crossing the start of a tier year is cut
there (:func:`split_tier_years`), so a month can straddle a threshold and a new year
starts from zero. With ``tier_prorate`` the thresholds
are multiplied by ``days / period_days`` (move-in, RULES.md §5.2).

**Minimum charge** (consumption kinds): when the component's lines sum to less than
``minimum_charge x days / period_days`` (rounded), a top-up line brings them to it.

**Contract demand** (``demand_peak`` with ``contract_demand``, RULES.md §4.3,
发改办价格〔2016〕1583号 [?]): up to ``excess_ratio x contract`` (105 %) the
contract value is billed; above it, the part beyond ``excess_ratio x contract`` is
billed at ``excess_factor`` (2x) the price. ``excess_ratio=1`` gives the older
``(actual - contract) x 2`` variant.

**Rounding.** Each line's amount is rounded half-up to the currency quantum
(:func:`~meterkit.allocation.round_money`, R1 of RULES.md §5.1); quantities and unit
prices are never rounded.

**Tariff changes inside a period.** :func:`split_period` cuts the period at each
version's ``date_from``; :func:`evaluate_period` evaluates each segment with its own
version. The consumption of each segment comes either from the caller
(``usage_by_segment``: readings or interval data at the change date, the better
choice) or, when there is no reading at the change date, from :func:`split_usage`,
which pro-rates every register and band by days (largest remainder, so the segments
sum exactly to the period). Tiers run on across segments (the second segment starts
where the first stopped) and an independent tier is chosen on the whole period, so a
split with identical versions gives the same quantities as no split. Per-period
charges (fixed, area, demand) are pro-rated by segment days. The only differences
come from line rounding: with *L* lines in total (split and unsplit evaluation taken
together), the totals differ by at most ``L x quantum / 2``. A minimum charge is the
exception: it is checked per segment.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from . import codes
from .allocation import CENT, allocate, prorate, round_money
from .errors import TariffError

__all__ = [
    "KINDS",
    "PERIOD_KINDS",
    "TIER_MODES",
    "Component",
    "Line",
    "Segment",
    "TariffVersion",
    "Tier",
    "Usage",
    "basis_pieces",
    "evaluate",
    "evaluate_period",
    "split_period",
    "split_tier_years",
    "split_usage",
    "tier_year_base",
    "tier_year_start",
]

KINDS = (
    "energy",
    "tou_energy",
    "tiered",
    "fixed",
    "area",
    "demand_capacity",
    "demand_peak",
)
#: kinds charged per period and pro-rated by days
PERIOD_KINDS = ("fixed", "area", "demand_capacity", "demand_peak")
#: kinds priced on a consumption (a minimum charge applies to them)
CONSUMPTION_KINDS = ("energy", "tou_energy", "tiered")
TIER_MODES = ("cumulative", "independent")
PARTS = ("solar", "grid")
#: the declared contract demand may not be below 40 % of the capacity (RULES.md §4.3)
MIN_CONTRACT_SHARE = Decimal("0.4")


def _tariff_error(message, field_name=None, code=codes.BAD_TARIFF):
    return TariffError(code, message, field=field_name)


def _check_decimal(owner, name, value, *, optional=False, positive=False):
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise _tariff_error(f"{owner}: {name} must be a Decimal, not {value!r}", name)
    if not Decimal(value).is_finite() or (positive and value < 0):
        raise _tariff_error(f"{owner}: {name} must be a number >= 0, not {value}", name)


@dataclass(frozen=True)
class Tier:
    """A tier: consumption up to ``upto`` (inclusive, None = no limit) at ``price``."""

    upto: Decimal | None
    price: Decimal


@dataclass(frozen=True)
class Component:
    """One priced component of a tariff version.

    :ivar code: unique within the version (e.g. ``"energy_peak"``); it links the
        lines of several versions together.
    :ivar kind: one of :data:`KINDS`.
    :ivar label: the invoice label (the caller passes it already translated).
    :ivar price: unit price (per kWh, per period, per m2 and period, per kVA or kW and
        period). Unused by ``tiered``.
    :ivar register: register of the consumption (``energy``, ``tiered``); None sums
        all registers.
    :ivar band: time-of-use band (``tou_energy``).
    :ivar tiers: ``tiered``: tiers with increasing ``upto``, the last one None.
    :ivar tier_mode: ``"cumulative"`` or ``"independent"``.
    :ivar minimum_charge: per full period, for consumption kinds.
    :ivar capacity: transformer capacity in kVA (``demand_capacity``; the floor of
        a ``demand_peak``'s contract demand).
    :ivar sequence: order of the lines on the invoice.
    :ivar tier_prorate: pro-rate the tier thresholds by ``days / period_days``.
    :ivar contract_demand: ``demand_peak``: contract maximum demand in kW; with
        ``capacity`` (transformer plus HV motors) a declared value below 40 % of
        it is billed as 40 % of it (the lines carry ``contract_floor``).
    :ivar excess_ratio: share of the contract demand billed normally (1.05).
    :ivar excess_factor: price factor above it (2).
    :ivar key: the caller's identifier (e.g. a record id), copied to the lines.
    :ivar part: ``"solar"`` or ``"grid"``: an ``energy`` component of a
        self-consumption community prices only that part of the consumption
        (``Usage.consumption_by_part``, RULES.md §2.1-2.2); None prices both.
    """

    code: str
    kind: str
    label: str
    price: Decimal = Decimal(0)
    register: str | None = None
    band: str | None = None
    tiers: tuple[Tier, ...] = ()
    tier_mode: str = "cumulative"
    minimum_charge: Decimal | None = None
    capacity: Decimal | None = None
    sequence: int = 10
    tier_prorate: bool = False
    contract_demand: Decimal | None = None
    excess_ratio: Decimal = Decimal("1.05")
    excess_factor: Decimal = Decimal(2)
    key: object = None
    part: str | None = None

    def __post_init__(self):
        owner = f"component {self.code!r}"
        if not self.code:
            raise _tariff_error("a component has no code", "code")
        if self.kind not in KINDS:
            raise _tariff_error(
                f"{owner}: unknown kind {self.kind!r}; use one of {', '.join(KINDS)}",
                "kind",
            )
        _check_decimal(owner, "price", self.price)
        _check_decimal(owner, "minimum_charge", self.minimum_charge, optional=True)
        _check_decimal(owner, "capacity", self.capacity, optional=True, positive=True)
        _check_decimal(
            owner, "contract_demand", self.contract_demand, optional=True, positive=True
        )
        _check_decimal(owner, "excess_ratio", self.excess_ratio, positive=True)
        _check_decimal(owner, "excess_factor", self.excess_factor, positive=True)
        if self.part is not None and (self.part not in PARTS or self.kind != "energy"):
            raise _tariff_error(
                f"{owner}: only an energy component prices a part "
                f"({' or '.join(PARTS)})",
                "part",
            )
        if self.kind == "tou_energy" and not self.band:
            raise _tariff_error(
                f"{owner}: a time-of-use component needs a band", "band"
            )
        if self.kind == "demand_capacity" and self.capacity is None:
            raise _tariff_error(
                f"{owner}: a capacity charge needs the transformer capacity", "capacity"
            )
        if self.kind == "tiered":
            object.__setattr__(self, "tiers", self._checked_tiers(owner))
        elif self.tiers:
            raise _tariff_error(f"{owner}: only a tiered component has tiers", "tiers")

    def _checked_tiers(self, owner):
        tiers = tuple(t if isinstance(t, Tier) else Tier(*t) for t in self.tiers)
        if self.tier_mode not in TIER_MODES:
            raise _tariff_error(
                f"{owner}: unknown tier mode {self.tier_mode!r}; use "
                f"{' or '.join(TIER_MODES)}",
                "tier_mode",
            )
        if not tiers or tiers[-1].upto is not None:
            raise _tariff_error(
                f"{owner}: the last tier must have no upper limit (upto=None)", "tiers"
            )
        previous = Decimal(0)
        for number, tier in enumerate(tiers, 1):
            _check_decimal(f"{owner}, tier {number}", "price", tier.price)
            if tier.upto is None and number < len(tiers):
                raise _tariff_error(
                    f"{owner}: only the last tier may have no upper limit", "tiers"
                )
            if tier.upto is not None:
                _check_decimal(f"{owner}, tier {number}", "upto", tier.upto)
                if tier.upto <= previous:
                    raise _tariff_error(
                        f"{owner}: tier {number} ends at {tier.upto}, not above the "
                        f"previous limit {previous}",
                        "tiers",
                    )
                previous = tier.upto
        return tiers


@dataclass(frozen=True)
class TariffVersion:
    """The components of a tariff valid from ``date_from`` until the next version."""

    date_from: date
    components: tuple[Component, ...]
    label: str = ""

    def __post_init__(self):
        components = tuple(self.components)
        seen = set()
        for component in components:
            if component.code in seen:
                raise _tariff_error(
                    f"tariff version of {self.date_from}: component code "
                    f"{component.code!r} is used twice",
                    "components",
                )
            seen.add(component.code)
        ordered = sorted(
            enumerate(components), key=lambda pair: (pair[1].sequence, pair[0])
        )
        object.__setattr__(self, "components", tuple(c for _i, c in ordered))


@dataclass(frozen=True)
class Usage:
    """What a billing point used in a period (both dates inclusive).

    :ivar consumption_by_register: e.g. ``{"T1": Decimal("812.5")}``.
    :ivar consumption_by_band: e.g. ``{"peak": Decimal("300"), "valley": ...}``.
    :ivar peak_demand: the period's maximum demand in kW (``demand_peak``).
    :ivar area: the unit's area in m2 (``area``).
    :ivar tier_base: consumption already counted in the tier year before this period.
    :ivar consumption_by_part: a community participant's consumption split
        into ``"solar"`` and ``"grid"`` (:mod:`meterkit.solar`).
    """

    period_start: date
    period_end: date
    consumption_by_register: Mapping[str, Decimal] = field(default_factory=dict)
    consumption_by_band: Mapping[str, Decimal] = field(default_factory=dict)
    peak_demand: Decimal | None = None
    area: Decimal | None = None
    tier_base: Decimal = Decimal(0)
    consumption_by_part: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self):
        if self.period_end < self.period_start:
            raise TariffError(
                codes.INVALID_ARGUMENT,
                f"the period ends ({self.period_end}) before it starts "
                f"({self.period_start})",
                field="period_end",
            )

    @property
    def days(self):
        """Days of the period, first and last day included."""
        return (self.period_end - self.period_start).days + 1


@dataclass(frozen=True)
class Line:
    """One invoice line and why it has its amount.

    For consumption kinds ``amount = round_money(quantity x unit_price)``; for
    :data:`PERIOD_KINDS` ``amount = round_money(quantity x unit_price x days /
    period_days)``. ``tier`` is 1-based; ``band`` the time-of-use band;
    ``explanation`` a short English technical text (the addon composes its own
    translated text from the structured fields). A ``demand_peak`` with a contract
    demand has tier 1 for the contract line and tier 2 for the excess line; a minimum
    charge top-up line has quantity 1, no tier and no band. ``exact_amount`` is the
    amount before rounding (``amount`` is it rounded once, here);
    ``contract_floor`` the contract demand billed instead of a declared value below
    40 % of the capacity (RULES.md §4.3).
    """

    component_code: str
    label: str
    kind: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    version_date: date
    band: str | None
    tier: int | None
    days: int
    period_days: int
    explanation: str
    start: date | None = None
    end: date | None = None
    register: str | None = None
    sequence: int = 10
    key: object = None
    exact_amount: Decimal | None = None
    contract_floor: Decimal | None = None


@dataclass(frozen=True)
class Segment:
    """Part of a period (both dates inclusive) billed with one tariff version."""

    start: date
    end: date
    version: TariffVersion

    @property
    def days(self):
        return (self.end - self.start).days + 1


# ------------------------------------------------------------
# Periods and versions
# ------------------------------------------------------------


def split_period(period_start, period_end, versions):
    """Cut ``[period_start, period_end]`` at every version change inside it.

    The version valid on a day is the one with the latest ``date_from`` on or before
    it. A version starting on day D ends its predecessor on D - 1.

    :raises TariffError: ``no_tariff_version`` when no version is valid on
        ``period_start``; ``bad_tariff`` when two versions start on the same day.
    """
    if period_end < period_start:
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"the period ends ({period_end}) before it starts ({period_start})",
            field="period_end",
        )
    ordered = sorted(versions, key=lambda v: v.date_from)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.date_from == after.date_from:
            raise _tariff_error(
                f"two tariff versions start on {after.date_from}", "date_from"
            )
    current = [v for v in ordered if v.date_from <= period_start]
    if not current:
        raise TariffError(
            codes.NO_TARIFF_VERSION,
            f"no tariff version is valid on {period_start}",
            field="date_from",
        )
    starts = [(period_start, current[-1])] + [
        (v.date_from, v) for v in ordered if period_start < v.date_from <= period_end
    ]
    ends = [start - timedelta(days=1) for start, _v in starts[1:]] + [period_end]
    return tuple(
        Segment(start, end, version)
        for (start, version), end in zip(starts, ends, strict=True)
    )


def basis_pieces(start, end, basis):
    """Cut ``[start, end]`` (both inclusive) at month ends (``basis="month"``) or
    year ends (``"year"``): the pieces of per-period charges priced per month
    or per year, each with the days of its month (28 to 31) or year (365 or
    366) as its ``period_days`` (RULES.md §5.2).

    :return: ``((piece_start, piece_end, period_days), ...)`` in date order.
    :raises TariffError: ``invalid_argument`` for another basis or an end
        before the start.
    """
    if basis not in ("month", "year"):
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"unknown period basis {basis!r}; use month or year",
            field="basis",
        )
    if end < start:
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"the period ends ({end}) before it starts ({start})",
            field="end",
        )
    pieces = []
    cursor = start
    while cursor <= end:
        if basis == "year":
            last = date(cursor.year, 12, 31)
            days = 366 if calendar.isleap(cursor.year) else 365
        else:
            days = calendar.monthrange(cursor.year, cursor.month)[1]
            last = date(cursor.year, cursor.month, days)
        piece_end = min(last, end)
        pieces.append((cursor, piece_end, days))
        cursor = piece_end + timedelta(days=1)
    return tuple(pieces)


def tier_year_start(day, first_month=1):
    """The first day of the tier year holding ``day`` (a calendar year with
    ``first_month=1``)."""
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def split_tier_years(start, end, first_month=1):
    """``[(start, end)]``: the period ``[start, end]`` (dates, inclusive) cut at
    each start of a tier year inside it."""
    pieces = []
    cursor = start
    while cursor <= end:
        year_start = tier_year_start(cursor, first_month)
        next_start = date(year_start.year + 1, first_month, 1)
        piece_end = min(end, next_start - timedelta(days=1))
        pieces.append((cursor, piece_end))
        cursor = piece_end + timedelta(days=1)
    return pieces


def tier_year_base(counted, start, first_month=1):
    """The consumption already counted in the tier year before ``start``:
    the sum of the quantities of ``counted`` (``(date_from, date_to,
    quantity)`` of earlier periods) that lie in ``start``'s tier year and end
    before ``start``."""
    year_start = tier_year_start(start, first_month)
    return sum(
        (
            Decimal(quantity)
            for date_from, date_to, quantity in counted
            if date_from >= year_start and date_to < start
        ),
        Decimal(0),
    )


def _value_quantum(value):
    exponent = min(Decimal(value).as_tuple().exponent, -3)
    return Decimal(1).scaleb(exponent)


def _split_mapping(values, weights):
    parts = [{} for _w in weights]
    for name, value in values.items():
        shares = allocate(value, weights, _value_quantum(value))
        for part, share in zip(parts, shares, strict=True):
            part[name] = share
    return parts


def split_usage(usage, segments):
    """Pro-rate a period's usage to segments by days.

    Every register and band is split by largest remainder in proportion to the
    segments' days, to 0.001 (or finer, when the value has more decimals), so the
    segments sum exactly to the period. The peak demand and the area are the
    period's. Use it only when there is no reading at the change date.
    """
    weights = [segment.days for segment in segments]
    if sum(weights) != usage.days or (
        segments
        and (
            segments[0].start != usage.period_start
            or segments[-1].end != usage.period_end
        )
    ):
        raise TariffError(
            codes.INVALID_ARGUMENT,
            "the segments do not cover the usage period exactly",
            field="segments",
        )
    by_register = _split_mapping(usage.consumption_by_register, weights)
    by_band = _split_mapping(usage.consumption_by_band, weights)
    by_part = _split_mapping(usage.consumption_by_part, weights)
    return tuple(
        replace(
            usage,
            period_start=segment.start,
            period_end=segment.end,
            consumption_by_register=registers,
            consumption_by_band=bands,
            consumption_by_part=parts,
        )
        for segment, registers, bands, parts in zip(
            segments, by_register, by_band, by_part, strict=True
        )
    )


# ------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What a component's evaluation needs besides the component itself."""

    version: TariffVersion
    usage: Usage
    period_days: int
    quantum: Decimal
    tier_scale: Decimal
    tier_base: Decimal
    tier_reference: Decimal | None

    def line(self, component, quantity, unit_price, exact, explanation, **extra):
        values = {
            "component_code": component.code,
            "label": component.label,
            "kind": component.kind,
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": round_money(exact, self.quantum),
            "exact_amount": exact,
            "version_date": self.version.date_from,
            "band": component.band,
            "tier": None,
            "days": self.usage.days,
            "period_days": self.period_days,
            "explanation": explanation,
            "start": self.usage.period_start,
            "end": self.usage.period_end,
            "register": component.register,
            "sequence": component.sequence,
            "key": component.key,
        }
        values.update(extra)
        return Line(**values)


def _missing(component, usage, what, field_name):
    """The error of a component whose usage lacks ``what``."""
    return TariffError(
        codes.MISSING_USAGE,
        f"component {component.code!r}: {what} for "
        f"{usage.period_start}..{usage.period_end}",
        field=field_name,
    )


def _register_quantity(component, usage):
    registers = usage.consumption_by_register
    if component.register is None:
        if not registers:
            raise _missing(
                component, usage, "no consumption was given", "consumption_by_register"
            )
        return sum(registers.values(), Decimal(0))
    if component.register not in registers:
        raise _missing(
            component,
            usage,
            f"no consumption of register {component.register}",
            "consumption_by_register",
        )
    return registers[component.register]


def _priced(component, ctx, quantity, what):
    """One line of ``quantity x price``."""
    price = component.price
    return [
        ctx.line(
            component,
            quantity,
            price,
            quantity * price,
            f"{what}: {quantity} x {price}",
        )
    ]


def _energy(component, ctx):
    if component.part is not None:
        parts = ctx.usage.consumption_by_part
        if component.part not in parts:
            raise _missing(
                component,
                ctx.usage,
                f"no {component.part} part of the consumption",
                "consumption_by_part",
            )
        quantity = parts[component.part]
        return _priced(component, ctx, quantity, f"{component.part} part")
    quantity = _register_quantity(component, ctx.usage)
    return _priced(component, ctx, quantity, component.register or "all registers")


def _tou_energy(component, ctx):
    bands = ctx.usage.consumption_by_band
    if component.band not in bands:
        raise _missing(
            component,
            ctx.usage,
            f"no consumption of band {component.band!r}",
            "consumption_by_band",
        )
    return _priced(component, ctx, bands[component.band], f"band {component.band}")


def _tier_bounds(component, scale):
    lower = Decimal(0)
    for number, tier in enumerate(component.tiers, 1):
        upper = None if tier.upto is None else tier.upto * scale
        yield number, tier, lower, upper
        lower = upper


def _tiered(component, ctx):
    quantity = _register_quantity(component, ctx.usage)
    if quantity < 0:
        raise _missing(
            component,
            ctx.usage,
            f"a tiered price needs a consumption >= 0, not {quantity},",
            "consumption_by_register",
        )
    base = ctx.tier_base
    bounds = list(_tier_bounds(component, ctx.tier_scale))
    if component.tier_mode == "independent":
        reference = (
            base + quantity if ctx.tier_reference is None else ctx.tier_reference
        )
        number, tier, lower, upper = next(
            b for b in bounds if b[3] is None or reference <= b[3]
        )
        return [
            ctx.line(
                component,
                quantity,
                tier.price,
                quantity * tier.price,
                f"tier {number} (total {reference} in {lower}..{upper or 'open'}): "
                f"{quantity} x {tier.price}",
                tier=number,
            )
        ]
    lines = []
    end = base + quantity
    for number, tier, lower, upper in bounds:
        low = max(base, lower)
        high = end if upper is None else min(end, upper)
        if high > low or (
            not lines and not quantity and (upper is None or base < upper)
        ):
            portion = max(high - low, Decimal(0))
            lines.append(
                ctx.line(
                    component,
                    portion,
                    tier.price,
                    portion * tier.price,
                    f"tier {number} ({lower}..{upper or 'open'}): "
                    f"{portion} x {tier.price}",
                    tier=number,
                )
            )
    return lines


def _period_charge(component, ctx, quantity, what):
    days, period_days = ctx.usage.days, ctx.period_days
    exact = prorate(quantity * component.price, days, period_days)
    return ctx.line(
        component,
        quantity,
        component.price,
        exact,
        f"{what}{quantity} x {component.price} x {days}/{period_days} days",
    )


def _fixed(component, ctx):
    return [_period_charge(component, ctx, Decimal(1), "")]


def _area(component, ctx):
    area = ctx.usage.area
    if area is None:
        raise _missing(component, ctx.usage, "the unit has no area", "area")
    return [_period_charge(component, ctx, area, "area ")]


def _demand_capacity(component, ctx):
    return [_period_charge(component, ctx, component.capacity, "capacity ")]


def _demand_peak(component, ctx):
    peak = ctx.usage.peak_demand
    if peak is None:
        raise _missing(component, ctx.usage, "no maximum demand", "peak_demand")
    contract = component.contract_demand
    if contract is None:
        return [_period_charge(component, ctx, peak, "maximum demand ")]
    floor, what = None, ""
    if component.capacity is not None:
        least = component.capacity * MIN_CONTRACT_SHARE
        if contract < least:
            # RULES.md §4.3: a declared value below 40 % of the capacity is
            # billed as 40 % of it
            floor, contract = least, least
            what = (
                f"contract {component.contract_demand} < 40 % of capacity "
                f"{component.capacity}: {least}; "
            )
    limit = contract * component.excess_ratio
    if peak <= limit:
        line = _period_charge(
            component, ctx, contract, f"{what}max {peak} <= {limit}: "
        )
        return [replace(line, tier=1, contract_floor=floor)]
    lines = [
        replace(
            _period_charge(component, ctx, limit, f"{what}contract x ratio "),
            tier=1,
            contract_floor=floor,
        )
    ]
    excess = peak - limit
    price = component.price * component.excess_factor
    days, period_days = ctx.usage.days, ctx.period_days
    lines.append(
        ctx.line(
            component,
            excess,
            price,
            prorate(excess * price, days, period_days),
            f"excess over {limit}: {excess} x {price} x {days}/{period_days} days",
            tier=2,
        )
    )
    return lines


_EVALUATORS = {
    "energy": _energy,
    "tou_energy": _tou_energy,
    "tiered": _tiered,
    "fixed": _fixed,
    "area": _area,
    "demand_capacity": _demand_capacity,
    "demand_peak": _demand_peak,
}


def _minimum_top_up(component, ctx, lines):
    minimum = round_money(
        prorate(component.minimum_charge, ctx.usage.days, ctx.period_days),
        ctx.quantum,
    )
    charged = sum((line.amount for line in lines), Decimal(0))
    if charged >= minimum:
        return []
    top_up = minimum - charged
    return [
        ctx.line(
            component,
            Decimal(1),
            top_up,
            top_up,
            f"minimum charge {minimum} (charged {charged})",
            band=None,
        )
    ]


def _check_period_days(period_days):
    if (
        isinstance(period_days, bool)
        or not isinstance(period_days, int)
        or (period_days <= 0)
    ):
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"period_days must be a positive integer, not {period_days!r}",
            field="period_days",
        )


def _evaluate(version, usage, period_days, quantum, tier_state):
    lines = []
    for component in version.components:
        base, reference, scale = tier_state(component)
        ctx = _Context(version, usage, period_days, quantum, scale, base, reference)
        component_lines = _EVALUATORS[component.kind](component, ctx)
        if component.minimum_charge is not None and component.kind in CONSUMPTION_KINDS:
            component_lines += _minimum_top_up(component, ctx, component_lines)
        lines += component_lines
    return tuple(lines)


def _tier_scale(component, days, period_days):
    if component.tier_prorate:
        return Decimal(days) / Decimal(period_days)
    return Decimal(1)


def evaluate(version, usage, period_days, quantum=CENT):
    """The lines of one tariff version over one usage period.

    :param period_days: the pro-rating basis of per-period charges (e.g. 30 for a
        30-day month, 365 for an annual fee); ``usage.days`` are charged.
    :param quantum: the currency's rounding unit of the line amounts.
    :return: lines in component order (``sequence``, then the version's order).
    :raises TariffError: ``missing_usage`` when a component lacks its consumption,
        band, area or demand.
    """
    _check_period_days(period_days)

    def tier_state(component):
        scale = _tier_scale(component, usage.days, period_days)
        return usage.tier_base, None, scale

    return _evaluate(version, usage, period_days, quantum, tier_state)


def evaluate_period(
    versions, usage, period_days, *, usage_by_segment=None, quantum=CENT
):
    """The lines of a period whose tariff may change inside it.

    The period is cut by :func:`split_period`. Each segment's usage is
    ``usage_by_segment[i]`` when given (one :class:`Usage` per segment with the
    segment's dates, e.g. from readings at the change date), else
    ``split_usage(usage, segments)`` (consumption pro-rated by days). Cumulative tiers
    run on from one segment to the next starting at ``usage.tier_base``; an
    independent tier is chosen on the whole period's consumption; tier thresholds are
    pro-rated (``tier_prorate``) on the whole period's days.

    :return: the lines of every segment, segment after segment.
    """
    _check_period_days(period_days)
    segments = split_period(usage.period_start, usage.period_end, versions)
    if usage_by_segment is None:
        parts = split_usage(usage, segments)
    else:
        parts = tuple(usage_by_segment)
        _check_segment_usages(segments, parts)
    tiered = {
        c.register
        for segment in segments
        for c in segment.version.components
        if c.kind == "tiered"
    }
    consumed = dict.fromkeys(tiered, usage.tier_base)
    whole = {
        register: usage.tier_base
        + sum((_tier_quantity(register, part) for part in parts), Decimal(0))
        for register in tiered
    }
    lines = []
    for segment, part in zip(segments, parts, strict=True):

        def tier_state(component):
            scale = _tier_scale(component, usage.days, period_days)
            if component.kind != "tiered":
                return usage.tier_base, None, scale
            return consumed[component.register], whole[component.register], scale

        lines += _evaluate(segment.version, part, period_days, quantum, tier_state)
        for register in tiered:
            consumed[register] += _tier_quantity(register, part)
    return tuple(lines)


def _tier_quantity(register, usage):
    """What a segment adds to the tier count of ``register`` (None: all
    registers); 0 when the segment has no such register (its version does not
    price it, else the evaluation has refused the usage)."""
    registers = usage.consumption_by_register
    if register is None:
        return sum(registers.values(), Decimal(0))
    return registers.get(register, Decimal(0))


def _check_segment_usages(segments, parts):
    if len(parts) != len(segments):
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"{len(parts)} segment usages for {len(segments)} tariff segments",
            field="usage_by_segment",
        )
    for number, (segment, part) in enumerate(zip(segments, parts, strict=True), 1):
        if (part.period_start, part.period_end) != (segment.start, segment.end):
            raise TariffError(
                codes.INVALID_ARGUMENT,
                f"segment usage {number} covers {part.period_start}..{part.period_end}"
                f", the tariff segment {segment.start}..{segment.end}",
                field="usage_by_segment",
                row=number,
            )
