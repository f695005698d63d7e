# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Sharing the solar production of a self-consumption community (ZEV/RCP,
vZEV, LEG) among its participants, per 15-minute interval (RULES.md §2.1-2.4).

Per interval ``t`` with production ``P``, battery charge ``B+`` and
discharge ``B-`` (where metered) and participant consumptions ``c_i``
(``C = sum c_i``):

- the battery is charged from production first; what production cannot cover
  comes from the grid: ``available = max(0, P - B+) + B-`` (discharge counts
  as production, charge as a consumption of the community);
- ``self_consumed = min(available, C)``, ``export = available -
  self_consumed``, ``import = C - self_consumed + max(0, B+ - P)``;
- ``self_consumed`` is shared by ``weight_i``: the consumption ``c_i``
  (``proportional``, the rule of §2.2), or the community's keys: ``fixed``
  (share = key share of the self-consumed energy, at most ``c_i``; the rest
  is exported) or ``dynamic`` (the same, and what a participant cannot take
  goes to the others by their keys until consumption or production runs
  out);
- ``solar_i`` is rounded to :data:`QUANTUM` (0.0001 kWh, the resolution of
  stored interval values) by the largest remainder: the shares are floored,
  the units left go one each to the largest remainders (ties: first
  participant in the given order), so ``sum solar_i = self_consumed``
  exactly; ``grid_i = c_i - solar_i``.

All arithmetic is on integers of :data:`QUANTUM` (exact and fast); totals are
returned as Decimal kWh.

Bad input (:func:`clean_series`): duplicates with the same value are dropped,
with different values raise :class:`SolarDataError`; negative production
(inverter standby) becomes 0 and production above the installation's peak
power is kept; both are flagged. Missing intervals are filled (flag
``filled``): linearly between the nearest known values before and after the
gap, with the nearest known value at the edges, 0 for a series without any
value.
"""

from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import compress
from operator import add, floordiv, mod, mul, sub

from .errors import MeterkitError

SOLAR_DATA = "solar_data"

__all__ = [
    "QUANTUM",
    "CommunityTotals",
    "Flag",
    "IntervalShare",
    "ShareTotals",
    "SolarDataError",
    "average_shares",
    "clean_list",
    "clean_series",
    "month_shares",
    "period_share",
    "share_interval",
    "share_series",
    "solar_price_cap",
]

QUANTUM = Decimal("0.0001")
_SCALE = 10_000
METHODS = ("proportional", "fixed", "dynamic")


class SolarDataError(MeterkitError):
    """Interval data that cannot be shared (e.g. two values for one interval)."""

    def __init__(self, message):
        super().__init__(SOLAR_DATA, message)


@dataclass(frozen=True)
class Flag:
    """Something done to the data: ``kind`` is ``filled``, ``negative``,
    ``above_peak`` or ``duplicate``; ``series`` names the meter or
    participant, ``start`` the interval (UTC)."""

    kind: str
    series: object
    start: object


@dataclass(frozen=True)
class IntervalShare:
    """The sharing of one interval, in units of :data:`QUANTUM`."""

    solar: dict
    grid: dict
    self_consumed: int
    export: int
    import_: int


@dataclass
class ShareTotals:
    """Consumption, solar and grid energy (Decimal kWh) of a participant in a
    month and band."""

    consumption: Decimal = Decimal(0)
    solar: Decimal = Decimal(0)
    grid: Decimal = Decimal(0)


@dataclass
class CommunityTotals:
    """Energy (Decimal kWh) of the community in a month."""

    production: Decimal = Decimal(0)
    consumption: Decimal = Decimal(0)
    self_consumed: Decimal = Decimal(0)
    export: Decimal = Decimal(0)
    import_: Decimal = Decimal(0)
    charge: Decimal = Decimal(0)
    discharge: Decimal = Decimal(0)

    @property
    def self_sufficiency(self):
        """Share of the consumption covered by solar (0 to 1)."""
        return self.self_consumed / self.consumption if self.consumption else None

    @property
    def self_consumption(self):
        """Share of the production consumed on site (0 to 1)."""
        return self.self_consumed / self.production if self.production else None


@dataclass
class SharingResult:
    """``participants[(participant, month)][band]`` and ``community[month]``;
    ``flags`` lists what was filled or corrected."""

    participants: dict = field(default_factory=dict)
    community: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)


def units(value):
    """Decimal kWh as an integer of :data:`QUANTUM` (half-up)."""
    return int((Decimal(value) * _SCALE).to_integral_value(ROUND_HALF_UP))


def kwh(count):
    """An integer of :data:`QUANTUM` as Decimal kWh."""
    return Decimal(count) * QUANTUM


def _largest_remainder(total, weights):
    """Split ``total`` (int) by ``weights`` ({key: int >= 0}, sum > 0): the
    floors plus one unit to each of the largest remainders."""
    return dict(zip(weights, _split_list(total, list(weights.values())), strict=True))


def _split_list(total, weights, weight_sum=None):
    """:func:`_largest_remainder` on a list of weights (ties: lowest index);
    ``weight_sum`` is ``sum(weights)`` when the caller knows it."""
    if weight_sum is None:
        weight_sum = sum(weights)
    pairs = [divmod(total * w, weight_sum) for w in weights]
    shares = [q for q, _r in pairs]
    left = total - sum(shares)
    if left:
        # one int per weight, largest remainder first and, among equal
        # remainders, the lowest index first: remainder * n + (n - 1 - index)
        size = len(weights)
        ties = range(size - 1, -1, -1)
        keys = [r * size + j for j, (_q, r) in zip(ties, pairs, strict=True)]
        for key in sorted(keys, reverse=True)[:left]:
            shares[size - 1 - key % size] += 1
    return shares


def _capped_shares(total, keys, consumptions, redistribute):
    """Share ``total`` by ``keys``, each share at most the consumption; with
    ``redistribute`` the excess goes to the others by their keys."""
    shares = dict.fromkeys(consumptions, 0)
    active = {k: w for k, w in keys.items() if w > 0 and consumptions.get(k, 0) > 0}
    left = total
    while left > 0 and active:
        offer = _largest_remainder(left, active)
        given = 0
        for key, amount in offer.items():
            room = consumptions[key] - shares[key]
            taken = min(room, amount)
            shares[key] += taken
            given += taken
            if shares[key] >= consumptions[key]:
                del active[key]
        left -= given
        if not redistribute or given == 0:
            break
    return shares


def share_interval(
    production,
    consumptions,
    charge=0,
    discharge=0,
    method="proportional",
    keys=None,
):
    """Share one interval (all quantities integers of :data:`QUANTUM`).

    :param consumptions: ``{participant: c_i}`` in a stable order.
    :param keys: ``{participant: weight}`` for the ``fixed`` and ``dynamic``
        methods (int weights, e.g. thousandths).
    :return: :class:`IntervalShare`.
    """
    available = max(0, production - charge) + discharge
    demand = sum(consumptions.values())
    self_consumed = min(available, demand)
    if self_consumed <= 0:
        solar = dict.fromkeys(consumptions, 0)
    elif method == "proportional":
        solar = _largest_remainder(self_consumed, consumptions)
    else:
        solar = _capped_shares(
            self_consumed, keys or {}, consumptions, method == "dynamic"
        )
        self_consumed = sum(solar.values())
    grid = {key: c - solar[key] for key, c in consumptions.items()}
    return IntervalShare(
        solar,
        grid,
        self_consumed,
        available - self_consumed,
        demand - self_consumed + max(0, charge - production),
    )


def clean_series(name, rows, starts, peak=None, production=False, scaled=False):
    """One series on the grid ``starts`` as integers of :data:`QUANTUM`.

    :param rows: ``{start: value}`` (one value per interval), or an iterable
        of ``(start, value)`` in any order that may hold duplicates; values
        are Decimal kWh, or integers of :data:`QUANTUM` with ``scaled``.
    :param peak: the largest plausible value of an interval (e.g. kWp x
        0.25 h for a production meter); larger values are flagged.
    :param production: negative values become 0 (flagged).
    :return: ``(list of int, [Flag])``.
    :raise SolarDataError: two different values for one interval.
    """
    flags = []
    if isinstance(rows, dict):
        values = rows if scaled else {at: units(v) for at, v in rows.items()}
    else:
        values = _unique_values(name, rows, scaled, flags)
    series, found = clean_list(
        name, [values.get(start) for start in starts], starts, peak, production
    )
    return series, flags + found


def clean_list(name, series, starts, peak=None, production=False):
    """:func:`clean_series` of a series already on the grid: ``series`` is a
    list of integers of :data:`QUANTUM` (``None`` where missing), one per
    start; it is cleaned and filled in place.

    :return: ``(series, [Flag])``.
    """
    flags = []
    limit = units(peak) if peak is not None else None
    if production or limit is not None:
        for i, amount in enumerate(series):
            if amount is None:
                continue
            if amount < 0 and production:
                flags.append(Flag("negative", name, starts[i]))
                series[i] = 0
            elif limit is not None and amount > limit:
                flags.append(Flag("above_peak", name, starts[i]))
    if None in series:
        missing = [i for i, v in enumerate(series) if v is None]
        _fill(series)
        flags.extend(Flag("filled", name, starts[i]) for i in missing)
    return series, flags


def _unique_values(name, rows, scaled, flags):
    """``{start: units}`` of ``(start, value)`` rows: a repeated equal value
    is flagged ``duplicate``, a different one raises."""
    values = {}
    for start, value in rows:
        amount = value if scaled else units(value)
        if start in values:
            if values[start] != amount:
                raise SolarDataError(
                    f"{name}: two values for the interval at {start}: "
                    f"{kwh(values[start])} and {kwh(amount)}."
                )
            flags.append(Flag("duplicate", name, start))
            continue
        values[start] = amount
    return values


def _fill(series):
    """Fill the ``None`` of ``series`` in place: linear between the known
    neighbours (integer units, floored), the nearest known value at the
    edges, 0 without any known value."""
    known = [i for i, v in enumerate(series) if v is not None]
    if not known:
        series[:] = [0] * len(series)
        return
    first, last = known[0], known[-1]
    for i in range(first):
        series[i] = series[first]
    for i in range(last + 1, len(series)):
        series[i] = series[last]
    for left, right in zip(known, known[1:], strict=False):
        gap = right - left
        if gap > 1:
            a, b = series[left], series[right]
            for k in range(1, gap):
                series[left + k] = a + (b - a) * k // gap


def share_series(
    starts,
    production,
    consumptions,
    month_of,
    band_of=None,
    charge=None,
    discharge=None,
    method="proportional",
    keys=None,
):
    """Share every interval of ``starts`` and total per participant, period
    (e.g. month or local day) and band.

    The same sharing as :func:`share_interval` for each interval (the totals
    are the sums of its results), organised for speed: the per-interval
    community figures are computed on whole lists; the intervals are cut
    into runs of one period and band; in a run a participant's solar is the
    sum of its consumption over the intervals where production covers the
    demand, plus its largest-remainder shares of the intervals where it does
    not (the ``fixed`` and ``dynamic`` methods share each interval with
    :func:`share_interval`).

    :param production: list of int per start (cleaned, e.g. by
        :func:`clean_series`); ``charge``/``discharge`` likewise or None.
    :param consumptions: ``{participant: list of int}``.
    :param month_of: ``start -> period key``, or the list of the period keys
        of ``starts``; ``band_of`` likewise for the bands (None: one band
        ``None``).
    :return: :class:`SharingResult` (without flags: the caller adds those of
        the cleaning).
    """
    names = list(consumptions)
    series = [consumptions[n] for n in names]
    count = len(starts)
    periods = month_of if not callable(month_of) else list(map(month_of, starts))
    if band_of is None:
        bands = [None] * count
    else:
        bands = band_of if not callable(band_of) else list(map(band_of, starts))
    zeros = [0] * count
    charge = charge or zeros
    discharge = discharge or zeros
    demand = list(map(sum, zip(*series, strict=True))) if series else zeros
    available = [
        (p - b if p > b else 0) + d
        for p, b, d in zip(production, charge, discharge, strict=True)
    ]
    if method == "proportional":
        used = list(map(min, available, demand))
        solar_of = _proportional_solar(series, demand, used)
    else:
        used, solar_of = _keyed_solar(
            names, series, production, charge, discharge, method, keys
        )
    unmet = [b - p if b > p else 0 for p, b in zip(production, charge, strict=True)]
    result = SharingResult()
    per_group = {}
    per_month = {}
    for (month, band), lo, hi in _runs(periods, bands):
        solar = solar_of(lo, hi)
        group = per_group.get((month, band))
        used_by = [sum(column[lo:hi]) for column in series]
        if group is None:
            per_group[(month, band)] = [used_by, solar]
        else:
            group[0] = list(map(add, group[0], used_by))
            group[1] = list(map(add, group[1], solar))
        c, u, a = sum(demand[lo:hi]), sum(used[lo:hi]), sum(available[lo:hi])
        figures = (
            sum(production[lo:hi]),
            c,
            u,
            a - u,
            c - u + sum(unmet[lo:hi]),
            sum(charge[lo:hi]),
            sum(discharge[lo:hi]),
        )
        totals = per_month.get(month)
        per_month[month] = (
            list(figures) if totals is None else list(map(add, totals, figures))
        )
    for (month, band), (used_by, solar) in per_group.items():
        for name, used_i, solar_i in zip(names, used_by, solar, strict=True):
            result.participants.setdefault((name, month), {})[band] = ShareTotals(
                kwh(used_i), kwh(solar_i), kwh(used_i - solar_i)
            )
    for month, values in per_month.items():
        result.community[month] = CommunityTotals(*(kwh(v) for v in values))
    return result


def _runs(periods, bands):
    """``((period, band), lo, hi)`` of each run of consecutive intervals of
    one period and band."""
    runs = []
    lo = 0
    key = None
    for t, current in enumerate(zip(periods, bands, strict=True)):
        if t == 0:
            key = current
        elif current != key:
            runs.append((key, lo, t))
            key, lo = current, t
    if periods:
        runs.append((key, lo, len(periods)))
    return runs


def _proportional_solar(series, demand, used):
    """``solar_of(lo, hi)``: each participant's solar on the intervals
    ``lo`` to ``hi`` shared in proportion to consumption (RULES.md §2.2).

    Where production covers the demand, solar is the consumption. The
    intervals where it does not are shared as :func:`_split_list` does, a
    participant at a time over all of them: ``used x c_i`` divided by the
    demand gives the floor and the remainder; per interval the units left go
    to the largest remainders (ties: the first participant)."""
    size = len(series)
    covered = [int(u == c and c > 0) for u, c in zip(used, demand, strict=True)]
    partial = [
        t for t, (u, c) in enumerate(zip(used, demand, strict=True)) if 0 < u < c
    ]
    used_p = [used[t] for t in partial]
    demand_p = [demand[t] for t in partial]
    floors = []
    keys = []
    for j, column in enumerate(series):
        products = list(map(mul, used_p, map(column.__getitem__, partial)))
        floors.append(list(map(floordiv, products, demand_p)))
        # remainder * n + (n - 1 - j): one sortable int, ties to the lowest j
        tie = size - 1 - j
        keys.append([r * size + tie for r in map(mod, products, demand_p)])
    left = list(map(sub, used_p, map(sum, zip(*floors, strict=True))))
    key_rows = list(zip(*keys, strict=True))

    def solar_of(lo, hi):
        mask = covered[lo:hi]
        if any(mask):
            solar = [sum(compress(column[lo:hi], mask)) for column in series]
        else:
            solar = [0] * size
        first = bisect_left(partial, lo)
        last = bisect_left(partial, hi, first)
        if first < last:
            solar = [s + sum(f[first:last]) for s, f in zip(solar, floors, strict=True)]
            for k in range(first, last):
                for key in sorted(key_rows[k], reverse=True)[: left[k]]:
                    solar[size - 1 - key % size] += 1
        return solar

    return solar_of


def _keyed_solar(names, series, production, charge, discharge, method, keys):
    """``(used, solar_of)`` of the ``fixed`` and ``dynamic`` methods: each
    interval shared by :func:`share_interval` with the participants' keys."""
    weights = {n: (keys or {}).get(n, 0) for n in names}
    rows = zip(*series, strict=True) if series else [()] * len(production)
    used = []
    solar = []
    for p, b_in, b_out, row in zip(production, charge, discharge, rows, strict=True):
        available = max(0, p - b_in) + b_out
        if min(available, sum(row)) <= 0:
            used.append(0)
            solar.append(None)
            continue
        share = share_interval(
            p, dict(zip(names, row, strict=True)), b_in, b_out, method, weights
        )
        used.append(share.self_consumed)
        solar.append([share.solar[n] for n in names])

    def solar_of(lo, hi):
        total = [0] * len(names)
        for shares in solar[lo:hi]:
            if shares is not None:
                total = list(map(add, total, shares))
        return total

    return used, solar_of


def average_shares(self_consumed, consumptions):
    """The average method (no interval data of the participants, RULES.md
    §2.2): the community's self-consumed energy of a period shared by the
    participants' period consumption (or their high-tariff consumption, as
    the key the caller passes), each at most its consumption.

    :param self_consumed: Decimal kWh (production minus export of the period).
    :param consumptions: ``{participant: Decimal kWh}``.
    :return: ``{participant: ShareTotals}``; the sum of the solar shares is
        ``min(self_consumed, total consumption)`` exactly.
    """
    demand = {name: units(value) for name, value in consumptions.items()}
    total = min(units(self_consumed), sum(demand.values()))
    solar = _largest_remainder(total, demand) if total > 0 else dict.fromkeys(demand, 0)
    return {
        name: ShareTotals(kwh(used), kwh(solar[name]), kwh(used - solar[name]))
        for name, used in demand.items()
    }


@dataclass
class MonthShare:
    """A participant's month in one band: the month's totals and, per local
    day of the month (index 0: the first day), the consumption, solar and
    grid energy as integers of :data:`QUANTUM`."""

    totals: ShareTotals
    consumption: list
    solar: list
    grid: list


def month_shares(participants, first_day, day_count):
    """The daily shares of one month (``SharingResult.participants`` keyed
    by ``(participant, local day)``) gathered per participant and band:
    ``{(participant, band): MonthShare}``. A day without a share in a band
    counts 0 there; the totals are the exact sums of the days.

    :param first_day: the month's first local day (``date``).
    :param day_count: the days of the month.
    """
    gathered = {}
    for (name, day), bands in participants.items():
        index = (day - first_day).days
        if not 0 <= index < day_count:
            raise SolarDataError(f"{day} is not a day of the month of {first_day}.")
        for band, share in bands.items():
            lists = gathered.get((name, band))
            if lists is None:
                lists = gathered[(name, band)] = ([0] * day_count, [0] * day_count)
            lists[0][index] = units(share.consumption)
            lists[1][index] = units(share.solar)
    result = {}
    for key, (consumption, solar) in gathered.items():
        grid = list(map(sub, consumption, solar))
        used, sun = sum(consumption), sum(solar)
        result[key] = MonthShare(
            ShareTotals(kwh(used), kwh(sun), kwh(used - sun)), consumption, solar, grid
        )
    return result


def period_share(days, first_day, start, end):
    """Decimal kWh of the days ``start`` to ``end`` (both included) in one
    month's daily list ``days`` (integers of :data:`QUANTUM`, index 0:
    ``first_day``); days outside the month count nothing."""
    lo = max((start - first_day).days, 0)
    hi = min((end - first_day).days + 1, len(days))
    return kwh(sum(days[lo:hi])) if lo < hi else kwh(0)


def solar_price_cap(standard_price, method, effective_cost=None, share_saving=True):
    """The highest internal solar price per kWh allowed to a tenant (RULES.md
    §2.1, EnV Art. 16), extra costs per kWh (metering, admin) included.

    - ``flat``: 80 % of the DSO's standard product price;
    - ``effective``: the effective cost per kWh (capital, O&M, metering and
      admin costs minus feed-in revenue, divided by the solar kWh sold), never
      above the standard price; when lower, the owner may add at most half of
      the saving (``share_saving``): ``min(standard, cost + (standard -
      cost) / 2)``.

    :return: Decimal price per kWh (not rounded).
    """
    standard = Decimal(standard_price)
    if method == "flat":
        return standard * Decimal("0.8")
    if method != "effective" or effective_cost is None:
        raise SolarDataError(f"unknown price cap method {method!r}")
    cost = Decimal(effective_cost)
    if cost >= standard:
        return standard
    return cost + (standard - cost) / 2 if share_saving else cost
