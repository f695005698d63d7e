# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Average consumption, unusual consumption and estimated readings.

History is given as :class:`Interval` objects (consumption between two
consecutive readings, multiplier and rollover already applied): a quantity
spreads evenly over its interval, so a part of an interval counts pro rata.

Estimation methods (RULES.md §3.2, §5.5):

* :func:`estimate_average`: average monthly consumption of the last ``months``
  months for at most ``max_periods`` periods, then the norm (RU п. 59/60);
  with ``per_month`` every replaced month gets the same monthly volume
  (:func:`average_monthly_volume`), whatever its number of days;
* :func:`recalculated_consumption`: the late real reading settles what was
  billed on estimates (RU п. 61);
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
    "add_local_months",
    "add_months",
    "average_monthly",
    "average_monthly_volume",
    "chain_intervals",
    "consumption_anomaly",
    "degree_days",
    "estimate_average",
    "estimate_degree_days",
    "estimate_last_year",
    "interpolate_degree_days",
    "local_midnight_utc",
    "missing_month_starts",
    "month_before",
    "month_starts",
    "quantity_between",
    "recalculated_consumption",
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


def add_local_months(instant, months, tz=None):
    """The naive UTC ``instant`` moved by whole ``months`` on the local
    calendar of ``tz`` (None: UTC): local midnight of a month start stays local
    midnight of a month start across DST changes."""
    if not tz:
        return add_months(instant, months)
    zone = ZoneInfo(tz)
    local = instant.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    moved = add_months(local, months).replace(tzinfo=zone)
    return moved.astimezone(timezone.utc).replace(tzinfo=None)


def average_monthly_volume(intervals, end, months=6, min_months=3, tz=None):
    """Average monthly volume before ``end`` (RU п. 59(б)): the consumption of
    the longest window of whole months of the local calendar of ``tz`` (at most
    ``months``, at least ``min_months``) that the history covers, divided by
    its number of months.

    A window counts as covered when the history misses less than one day of it
    (a reading a few hours off a month start); the part missing is then filled
    pro rata. None when even ``min_months`` months are not covered (the meter
    has not worked long enough: the norm applies).
    """
    for count in range(months, max(min_months, 1) - 1, -1):
        start = add_local_months(end, -count, tz)
        quantity, covered = quantity_between(intervals, start, end)
        window = _days(end - start)
        if covered > 0 and covered > window - 1:
            if covered != window:
                quantity = quantity * window / covered
            return quantity / count
    return None


def recalculated_consumption(
    consumption, real_start, billed_start, *, multiplier=1, rollover_value=None
):
    """``(quantity, delta)`` of a period whose start was billed on estimates
    (RU п. 61): ``consumption`` is the real consumption of the period, from
    the real counter value ``real_start`` at its start; the previous period was
    billed up to ``billed_start`` instead. ``delta = (real_start -
    billed_start) x multiplier`` is charged (positive) or credited (negative)
    with the period, so the periods together bill exactly the real
    consumption. A counter with ``rollover_value`` takes the shorter way round.
    """
    delta = Decimal(real_start) - Decimal(billed_start)
    if rollover_value:
        half = Decimal(rollover_value) / 2
        if delta > half:
            delta -= rollover_value
        elif delta < -half:
            delta += rollover_value
    delta *= Decimal(multiplier)
    return Decimal(consumption) + delta, delta


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
    per_month=False,
    min_months=3,
    tz=None,
):
    """Estimated readings at ``instants`` after the last real reading ``last``
    (a :class:`~meterkit.ReadingPoint`): the average monthly consumption of the
    ``months`` months before it for the first ``max_periods`` periods, then
    ``norm_monthly`` per month (RU п. 59/60).

    Without ``per_month`` the average is a daily rate spread over each period's
    days. With ``per_month`` (RU п. 59(б), the instants being month starts)
    the average is :func:`average_monthly_volume` over whole months (at least
    ``min_months``) and every period gets the same monthly volume, the norm
    too; only a first period longer than a month (the last reading was inside
    a month) adds the days before its month pro rata. Months are those of the
    local calendar of ``tz``.

    ``norm_monthly`` may also be a sequence, one norm per instant (None where
    there is none), e.g. the norm per person times the persons of each month.

    :raise ReadingError: ``MISSING_PREVIOUS`` when a period needs the average
        and there is no history, or needs the norm and none is given.
    """
    instants = list(instants)
    norms = (
        list(norm_monthly)
        if isinstance(norm_monthly, (list, tuple))
        else [norm_monthly] * len(instants)
    )
    if per_month:
        average = average_monthly_volume(history, last.read_at, months, min_months, tz)
    else:
        average = average_monthly(history, last.read_at, months)
    quantities = []
    previous = last.read_at
    for index, instant in enumerate(_checked_instants(last.read_at, instants)):
        days = _days(instant - previous)
        if per_month:
            # one month, plus the days before it when the last reading was
            # inside a month
            lead = _days(add_local_months(instant, -1, tz) - previous)
            days = DAYS_PER_MONTH + lead if lead >= 1 else None
        norm = norms[index] if index < len(norms) else None
        if index < max_periods and average is not None:
            quantities.append((_for_days(average, days), "average"))
        elif norm is not None:
            quantities.append((_for_days(Decimal(norm), days), "norm"))
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


def _for_days(monthly, days):
    """``monthly`` for ``days`` days (None: exactly one month)."""
    return monthly if days is None else monthly * days / DAYS_PER_MONTH


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


def _degree_day_total(before, after, table):
    total = degree_days(before.read_at, after.read_at, table)
    if total <= 0:
        raise ReadingError(
            codes.INVALID_ARGUMENT,
            "the degree-day weight between the readings is zero",
            field="read_at",
        )
    return total


def interpolate_degree_days(before, after, at, *, table=None, rollover_value=None):
    """Counter value at ``at`` between two readings, advancing with the
    degree-days (RULES.md §5.5): ``R1 + (R2 - R1) x GT(t1..t) / GT(t1..t2)``.
    Not rounded.

    :raise ReadingError: ``INVALID_ARGUMENT`` when the degree-day weight between
        the readings is zero, and the errors of
        :func:`~meterkit.interpolate_weighted`.
    """
    if at in (before.read_at, after.read_at):
        return before.value if at == before.read_at else after.value
    total = _degree_day_total(before, after, table)
    return interpolate_weighted(
        before,
        after,
        degree_days(before.read_at, at, table),
        total,
        rollover_value=rollover_value,
    )


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
    total = _degree_day_total(before, after, table)
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
