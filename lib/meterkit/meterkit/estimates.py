# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Average consumption, unusual consumption and estimated readings.

History is given as :class:`Interval` objects (consumption between two
consecutive readings, multiplier and rollover already applied): a quantity
spreads evenly over its interval, so a part of an interval counts pro rata.

Estimation methods (RULES.md §3.2, §5.5):

* :func:`estimate_average`: average monthly consumption of the last ``months``
  months for at most ``max_periods`` periods, then the norm (RU п. 59/60);
* :func:`estimate_last_year`: the consumption of the same period one year earlier
  (DE §9a "comparable earlier periods");
* :func:`estimate_degree_days`: between two real readings, weighted by
  degree-days (HeizkostenV §9a/§9b, VDI 2067 per-mille table).
"""

import bisect
import calendar
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from . import codes
from .errors import MeterkitError, ReadingError
from .readings import interpolate_weighted

__all__ = [
    "DAYS_PER_MONTH",
    "DEGREE_DAY_PERMILLE",
    "AnomalyCheck",
    "Estimate",
    "Interval",
    "add_months",
    "average_monthly",
    "chain_intervals",
    "consumption_anomaly",
    "degree_days",
    "estimate_average",
    "estimate_degree_days",
    "estimate_last_year",
    "local_midnight_utc",
    "missing_month_starts",
    "month_before",
    "month_starts",
    "quantity_between",
    "spike_checks",
]

DAYS_PER_MONTH = Decimal("30.436875")  # 365.2425 / 12
# VDI 2067 / DIN 4713-5 degree-day shares per month (per mille, sum 1000);
# June to August share their 40 ‰ evenly (convention B of RULES.md §1.9).
DEGREE_DAY_PERMILLE = {
    1: Decimal(170),
    2: Decimal(150),
    3: Decimal(130),
    4: Decimal(80),
    5: Decimal(40),
    6: Decimal(40) / 3,
    7: Decimal(40) / 3,
    8: Decimal(40) / 3,
    9: Decimal(30),
    10: Decimal(80),
    11: Decimal(120),
    12: Decimal(160),
}


@dataclass(frozen=True)
class Interval:
    """Consumption between two consecutive readings (``start < end``)."""

    start: datetime
    end: datetime
    quantity: Decimal


@dataclass(frozen=True)
class AnomalyCheck:
    """Outcome of :func:`consumption_anomaly`.

    :ivar average_monthly: average monthly consumption of the reference months,
        None without history.
    :ivar expected: the average scaled to the checked interval, None without
        history.
    :ivar ratio: consumption / expected, None without a positive average.
    :ivar anomalous: the ratio is above the factor.
    """

    average_monthly: Decimal | None
    expected: Decimal | None
    ratio: Decimal | None
    anomalous: bool


@dataclass(frozen=True)
class Estimate:
    """One estimated reading.

    :ivar basis: ``"average"``, ``"norm"``, ``"last_year"`` or ``"degree_days"``.
    :ivar rolled_over: the counter wrapped past its rollover value.
    """

    read_at: datetime
    value: Decimal
    consumption: Decimal
    basis: str
    rolled_over: bool = False


def add_months(instant, months):
    """``instant`` moved by whole ``months``; the day is clamped to the month."""
    index = instant.year * 12 + instant.month - 1 + months
    year, month = divmod(index, 12)
    day = min(instant.day, calendar.monthrange(year, month + 1)[1])
    return instant.replace(year=year, month=month + 1, day=day)


def _days(span):
    return Decimal(span // timedelta(microseconds=1)) / Decimal(86_400_000_000)


def quantity_between(intervals, start, end):
    """``(quantity, days covered)`` of the history between ``start`` and ``end``,
    each interval counting pro rata of its overlap."""
    quantity = Decimal(0)
    covered = Decimal(0)
    for interval in intervals:
        low = max(interval.start, start)
        high = min(interval.end, end)
        if high <= low or interval.end <= interval.start:
            continue
        share = _days(high - low)
        quantity += interval.quantity * share / _days(interval.end - interval.start)
        covered += share
    return quantity, covered


def average_monthly(intervals, end, months=3, *, min_days=None):
    """Average monthly consumption over the ``months`` months before ``end``.

    Only the days covered by the history count (a meter younger than the window
    is averaged over its working time). None when fewer than ``min_days`` days
    are covered (default: one day).
    """
    quantity, covered = quantity_between(intervals, add_months(end, -months), end)
    if covered <= 0 or (min_days is not None and covered < min_days):
        return None
    return quantity / covered * DAYS_PER_MONTH


def consumption_anomaly(
    consumption, start, end, history, *, factor=Decimal(3), months=3
):
    """Whether ``consumption`` between ``start`` (previous reading) and ``end``
    is more than ``factor`` times the average of the ``months`` months before
    ``start``, scaled to the interval's length.

    Without history or with a zero average, nothing is anomalous.
    """
    if factor <= 0:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"factor must be positive, not {factor}",
            field="factor",
        )
    average = average_monthly(history, start, months)
    if average is None or average <= 0 or end <= start:
        return AnomalyCheck(average, None, None, False)
    expected = average * _days(end - start) / DAYS_PER_MONTH
    ratio = consumption / expected
    return AnomalyCheck(average, expected, ratio, ratio > factor)


def chain_intervals(readings):
    """The :class:`Interval` between each two consecutive readings of one
    register chain, ``readings`` being ``(read_at, consumption, opening)`` in
    time order (consumption a Decimal); an interval ending at an opening
    reading (a counter started again) is left out: it is not a usage."""
    return [
        Interval(previous[0], reading[0], reading[1])
        for previous, reading in zip(readings, readings[1:], strict=False)
        if not reading[2]
    ]


def spike_checks(readings, *, factor=Decimal(3), months=3):
    """The unusual consumptions of one register chain: ``[(position,
    AnomalyCheck)]`` for each reading of ``readings`` (``(read_at,
    consumption, opening)`` in time order) whose consumption since the reading
    before it is more than ``factor`` times the average of the ``months`` months
    before that reading (:func:`consumption_anomaly`). ``position`` is the
    reading's index in ``readings``; the first reading and openings are never
    checked."""
    intervals = chain_intervals(readings)
    positions = [p for p in range(1, len(readings)) if not readings[p][2]]
    ends = [interval.end for interval in intervals]
    found = []
    for index, interval in enumerate(intervals):
        # only the intervals that may overlap the reference months
        first = bisect.bisect_right(ends, add_months(interval.start, -months))
        check = consumption_anomaly(
            interval.quantity,
            interval.start,
            interval.end,
            intervals[first:index],
            factor=factor,
            months=months,
        )
        if check.anomalous:
            found.append((positions[index], check))
    return found


# ------------------------------------------------------------
# MONTHS ON A LOCAL CALENDAR (instants are naive UTC datetimes)
# ------------------------------------------------------------


def local_midnight_utc(day, tz=None):
    """The naive UTC instant of midnight starting ``day`` in time zone ``tz``
    (None: UTC)."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(tz or "UTC"))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _local_date(instant, tz):
    return instant.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz or "UTC")).date()


def month_before(instant, tz=None):
    """The local month start one month before the local month start
    ``instant``: the start of the month an estimate stored at ``instant``
    stands for."""
    day = _local_date(instant, tz)
    return local_midnight_utc(add_months(day, -1), tz)


def month_starts(after, until, tz=None):
    """The local month starts strictly after ``after`` and at or before
    ``until``."""
    day = add_months(_local_date(after, tz).replace(day=1), 1)
    result = []
    while (instant := local_midnight_utc(day, tz)) <= until:
        if instant > after:
            result.append(instant)
        day = add_months(day, 1)
    return result


def missing_month_starts(after, until, tz=None):
    """The local month starts after a reading at ``after`` and up to ``until``
    whose month holds no reading (a reading at a month start closes the month
    before it; the month ending at the first start after ``after`` holds that
    reading): where the estimates of a chain ending at ``after`` go."""
    return [t for t in month_starts(after, until, tz) if month_before(t, tz) >= after]


# ------------------------------------------------------------
# ESTIMATES
# ------------------------------------------------------------


def estimate_average(
    last,
    instants,
    history,
    *,
    months=6,
    max_periods=3,
    norm_monthly=None,
    decimals=None,
    rollover_value=None,
):
    """Estimated readings at ``instants`` after the last real reading ``last``
    (a :class:`~meterkit.ReadingPoint`): the average monthly consumption of the
    ``months`` months before it for the first ``max_periods`` periods, then
    ``norm_monthly`` per month (RU п. 59/60).

    :raise ReadingError: ``MISSING_PREVIOUS`` when a period needs the average
        and there is no history, or needs the norm and none is given.
    """
    average = average_monthly(history, last.read_at, months)
    quantities = []
    previous = last.read_at
    for index, instant in enumerate(_checked_instants(last.read_at, instants)):
        days = _days(instant - previous)
        if index < max_periods and average is not None:
            quantities.append((average * days / DAYS_PER_MONTH, "average"))
        elif norm_monthly is not None:
            quantities.append((Decimal(norm_monthly) * days / DAYS_PER_MONTH, "norm"))
        else:
            raise ReadingError(
                codes.MISSING_PREVIOUS,
                f"no estimate for {instant.isoformat()}: "
                + (
                    f"no consumption in the {months} months before "
                    f"{last.read_at.isoformat()} and no norm"
                    if average is None
                    else f"more than {max_periods} estimated period(s) and no norm"
                ),
                field="norm",
            )
        previous = instant
    return _estimates(last, instants, quantities, decimals, rollover_value)


def estimate_last_year(last, instants, history, *, decimals=None, rollover_value=None):
    """Estimated readings at ``instants``: each period consumes what the same
    period one year earlier consumed.

    :raise ReadingError: ``MISSING_PREVIOUS`` when the history does not cover
        the period one year earlier.
    """
    quantities = []
    previous = last.read_at
    for instant in _checked_instants(last.read_at, instants):
        start, end = add_months(previous, -12), add_months(instant, -12)
        quantity, covered = quantity_between(history, start, end)
        if covered < _days(end - start):
            raise ReadingError(
                codes.MISSING_PREVIOUS,
                f"no estimate for {instant.isoformat()}: the history does not "
                f"cover {start.isoformat()} .. {end.isoformat()}",
                field="read_at",
            )
        quantities.append((quantity, "last_year"))
        previous = instant
    return _estimates(last, instants, quantities, decimals, rollover_value)


def degree_days(start, end, table=None):
    """Degree-day weight between two instants: each day counts its month's
    per-mille share divided by the month's days, pro rata for part days."""
    table = table or DEGREE_DAY_PERMILLE
    total = Decimal(0)
    cursor = start
    while cursor < end:
        month_start = cursor.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        step_end = min(add_months(month_start, 1), end)
        days_in_month = calendar.monthrange(cursor.year, cursor.month)[1]
        total += table[cursor.month] * _days(step_end - cursor) / days_in_month
        cursor = step_end
    return total


def estimate_degree_days(
    before, after, instants, *, table=None, decimals=None, rollover_value=None
):
    """Estimated readings at ``instants`` between two real readings, the counter
    advancing with the degree-days (RULES.md §5.5).

    :raise ReadingError: ``OUT_OF_ORDER`` when an instant is not strictly between
        the readings, and the errors of :func:`~meterkit.interpolate_weighted`.
    """
    instants = _checked_instants(before.read_at, instants)
    if instants and instants[-1] >= after.read_at:
        raise ReadingError(
            codes.OUT_OF_ORDER,
            f"{instants[-1].isoformat()} is not before the next real reading "
            f"{after.read_at.isoformat()}",
            field="read_at",
        )
    total = degree_days(before.read_at, after.read_at, table)
    if total <= 0:
        raise ReadingError(
            codes.INVALID_ARGUMENT,
            "the degree-day weight between the readings is zero",
            field="read_at",
        )
    quantum = Decimal(1).scaleb(-decimals) if decimals is not None else None
    result = []
    previous = before.value
    for instant in instants:
        value = interpolate_weighted(
            before,
            after,
            degree_days(before.read_at, instant, table),
            total,
            rollover_value=rollover_value,
        )
        if quantum is not None:
            value = value.quantize(quantum, rounding=ROUND_HALF_UP)
        rolled = value < previous
        cons = value - previous + (rollover_value if rolled else 0)
        result.append(Estimate(instant, value, cons, "degree_days", rolled))
        previous = value
    return result


def _checked_instants(start, instants):
    instants = list(instants)
    for earlier, later in zip([start, *instants], instants, strict=False):
        if later <= earlier:
            raise ReadingError(
                codes.OUT_OF_ORDER,
                f"estimate instants must follow {earlier.isoformat()}: "
                f"got {later.isoformat()}",
                field="read_at",
            )
    return instants


def _estimates(last, instants, quantities, decimals, rollover_value):
    """Counter values from the quantities: rounded once on the cumulative value,
    so that the rounded consumptions add up to the rounded total; a counter with
    a rollover value wraps."""
    quantum = Decimal(1).scaleb(-decimals) if decimals is not None else None
    result = []
    exact = previous = Decimal(last.value)
    for instant, (quantity, basis) in zip(instants, quantities, strict=True):
        exact += quantity
        value = exact.quantize(quantum, ROUND_HALF_UP) if quantum else exact
        shown, rolled = value, False
        if rollover_value:
            shown = value % rollover_value
            rolled = value // rollover_value > previous // rollover_value
        result.append(Estimate(instant, shown, value - previous, basis, rolled))
        previous = value
    return result
