# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Valued series: the counter value at period boundaries and the consumption of
one register over a period (RULES.md §5.3-5.5).

The pure core of meter_base's consumption API: the caller passes the live
readings of a register around and inside the period (the last one at or before
its start to the first one at or after its end), and gets back named results:

- :class:`Boundary`: the value at an instant and where it comes from (a real
  reading, an estimate, a linear or degree-day interpolation, or the opening or
  closing reading of a meter that was installed or removed inside the period);
- :class:`RegisterUsage`: the two boundaries, the consumption between them
  (times the multiplier, across recorded rollovers) and the readings used.

A meter replaced inside the period contributes from its opening reading (new
meter) or up to its closing reading (old meter): summing the usage of the old
and the new meter per register (:func:`total_by_register`) gives the
replacement consumption of RULES.md §5.4.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from . import codes
from .errors import MeterkitError, ReadingError
from .estimates import recalculated_consumption
from .readings import (
    ReadingPoint,
    consumption_series,
    interpolate,
    interpolate_weighted,
)
from .validation import validate_series

__all__ = [
    "CLOSING",
    "DEGREE_DAYS",
    "ESTIMATED",
    "LINEAR",
    "OPENING",
    "REAL",
    "Boundary",
    "BoundaryText",
    "MeterSeries",
    "MissingReading",
    "RegisterUsage",
    "SeriesReading",
    "PeriodUsage",
    "boundary",
    "boundary_text",
    "period_usage",
    "register_usage",
    "shown_quantity",
    "shown_time",
    "total_by_register",
]

# Provenance of a boundary value.
REAL = "real"  # a real reading at the instant
ESTIMATED = "estimated"  # an estimated reading at the instant
LINEAR = "linear"  # interpolated linearly in time between two readings
DEGREE_DAYS = "degree_days"  # interpolated by degree-days between two readings
OPENING = "opening"  # the meter was installed after the instant: its opening reading
CLOSING = "closing"  # the meter was removed before the instant: its closing reading


class MissingReading(ReadingError):
    """No reading on or before (``MISSING_PREVIOUS``) or on or after
    (``OUT_OF_ORDER``) a boundary: the caller needs another reading.

    :ivar at: the boundary instant.
    :ivar after: True when the missing reading is the one on or after ``at``.
    """

    def __init__(self, at, after):
        code = codes.OUT_OF_ORDER if after else codes.MISSING_PREVIOUS
        message = (
            f"no reading on or after {at.isoformat()}: missing reading"
            if after
            else f"no reading on or before {at.isoformat()}"
        )
        super().__init__(code, message, field="read_at")
        self.at = at
        self.after = after

    def __reduce__(self):
        return (type(self), (self.at, self.after))


@dataclass(frozen=True)
class SeriesReading:
    """A stored live reading of one register, as the series functions see it.

    :ivar key: the caller's identifier (a record id), passed through untouched.
    :ivar estimated: an estimate (state ``estimated``), not a real reading.
    :ivar rolled_over: the counter wrapped since the previous reading.
    :ivar opening: the first reading of a meter (replacement): no consumption.
    :ivar closing: the last reading of a meter before its removal.
    :ivar consumption: the stored consumption since the previous reading
        (None when not known).
    :ivar confirmed: someone confirmed an unusual consumption on it.
    """

    key: object
    read_at: datetime
    value: Decimal
    estimated: bool = False
    rolled_over: bool = False
    opening: bool = False
    closing: bool = False
    consumption: Decimal | None = None
    confirmed: bool = False

    def point(self):
        return ReadingPoint(
            self.read_at, self.value, self.rolled_over, self.opening, key=self.key
        )


@dataclass(frozen=True)
class Boundary:
    """The counter value of a register at a period boundary.

    :ivar at: the boundary instant asked for.
    :ivar value: the counter value there (interpolations are not rounded).
    :ivar provenance: :data:`REAL`, :data:`ESTIMATED`, :data:`LINEAR`,
        :data:`DEGREE_DAYS`, :data:`OPENING` or :data:`CLOSING`.
    :ivar before: the reading at or before ``at`` the value comes from.
    :ivar after: the reading at or after ``at`` (same as ``before`` for a
        reading at the instant or an opening/closing reading).
    :ivar estimated: an estimate was used for the value.
    """

    at: datetime
    value: Decimal
    provenance: str
    before: SeriesReading
    after: SeriesReading
    estimated: bool


@dataclass(frozen=True)
class RegisterUsage:
    """Consumption of one register over ``[start.at, end.at)``.

    :ivar consumption: counter advance times the multiplier, across recorded
        rollovers; 0 when the meter was not installed during the period.
    :ivar readings: the keys of the readings used, in time order.
    :ivar estimated: an estimate was used (at a boundary or inside).
    :ivar counted: the meter counted during the period (False: installed
        after it or removed before it; the consumption is then 0).
    :ivar carried: the counter value the previous period was billed up to on
        estimates at ``start`` (settlement, RU п. 61), None when none.
    :ivar recalculation: what ``carried`` adds to the consumption:
        ``(start.value - carried) x multiplier`` (charged when positive,
        credited when negative), included in ``consumption``.
    """

    start: Boundary
    end: Boundary
    consumption: Decimal
    readings: tuple
    estimated: bool
    counted: bool = True
    carried: Decimal | None = None
    recalculation: Decimal = Decimal(0)


def _bracket(readings, at):
    before = after = None
    for reading in readings:
        if reading.read_at <= at:
            before = reading
        if reading.read_at >= at and after is None:
            after = reading
    return before, after


def boundary(readings, at, *, rollover_value=None, weight=None):
    """The value of a register at ``at`` from its ``readings`` (time order).

    A reading at ``at`` gives its value (:data:`REAL` or :data:`ESTIMATED`);
    otherwise the value is interpolated between the readings around ``at``,
    linearly in time or, with ``weight(t1, t2) -> Decimal`` (e.g.
    :func:`meterkit.estimates.degree_days`), by that weight. A meter installed
    after ``at`` gives its opening reading, a meter removed before ``at`` its
    closing reading.

    :raise MissingReading: ``MISSING_PREVIOUS`` without a reading on or before
        ``at`` (``OUT_OF_ORDER`` without one on or after it).
    :raise ReadingError: the errors of :func:`~meterkit.interpolate`.
    """
    before, after = _bracket(readings, at)
    if before is None and after is not None and after.opening:
        return Boundary(at, after.value, OPENING, after, after, after.estimated)
    if after is None and before is not None and before.closing:
        return Boundary(at, before.value, CLOSING, before, before, before.estimated)
    if before is None:
        raise MissingReading(at, after=False)
    if after is None:
        raise MissingReading(at, after=True)
    if before.read_at == at:
        kind = ESTIMATED if before.estimated else REAL
        return Boundary(at, before.value, kind, before, before, before.estimated)
    estimated = before.estimated or after.estimated
    if weight is None:
        value = interpolate(
            before.point(), after.point(), at, rollover_value=rollover_value
        )
        return Boundary(at, value, LINEAR, before, after, estimated)
    total = weight(before.read_at, after.read_at)
    if total <= 0:
        # No heating weight between the readings (summer): time decides.
        value = interpolate(
            before.point(), after.point(), at, rollover_value=rollover_value
        )
        return Boundary(at, value, LINEAR, before, after, estimated)
    value = interpolate_weighted(
        before.point(),
        after.point(),
        weight(before.read_at, at),
        total,
        rollover_value=rollover_value,
    )
    return Boundary(at, value, DEGREE_DAYS, before, after, estimated)


def register_usage(
    readings,
    start,
    end,
    *,
    multiplier=Decimal(1),
    rollover_value=None,
    weight: Callable | None = None,
    max_rate=None,
    carried=None,
):
    """Consumption of one register on ``[start, end)`` from its live ``readings``.

    ``readings`` (any order) must hold the last reading at or before ``start``
    and the first at or after ``end`` (the opening or closing reading of a
    meter installed or removed inside the period will do). The readings used
    are validated (a value going down without a recorded rollover is an
    error), then the consumption is summed from the start boundary through the
    inner readings to the end boundary.

    :param max_rate: the most the meter counts per hour (None: no limit): a
        recorded rollover is plausible only up to ``max_rate`` x the time
        since the reading before it (RULES.md §5.3).
    :param carried: the counter value the previous period was billed up to
        on estimates at ``start`` (None: none). The difference to the value
        valued now at ``start`` is added (RU п. 61, RULES.md §5.5), so that
        the two periods together bill the real consumption; a meter installed
        inside the period carries nothing.
    :return: a :class:`RegisterUsage`.
    :raise ReadingError: the errors of :func:`boundary`, the first error-level
        issue of :func:`~meterkit.validate_series` on the readings used, or the
        errors of :func:`~meterkit.consumption_series`.
    """
    if not start < end:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"the period must end after it starts: {start} .. {end}",
            field="end",
        )
    readings = sorted(readings, key=lambda r: r.read_at)
    first = boundary(readings, start, rollover_value=rollover_value, weight=weight)
    last = boundary(readings, end, rollover_value=rollover_value, weight=weight)
    # A meter installed or removed inside the period counts from its opening
    # reading or up to its closing reading.
    t0 = first.after.read_at if first.provenance == OPENING else start
    t1 = last.before.read_at if last.provenance == CLOSING else end
    inner = [r for r in readings if t0 < r.read_at < t1]
    used = _unique([first.before, first.after, *inner, last.before, last.after])
    if t0 >= t1:  # not installed during the period
        keys = tuple(r.key for r in used)
        return RegisterUsage(first, last, Decimal(0), keys, False, counted=False)
    issues = [
        issue
        for issue in validate_series(
            [r.point() for r in used], rollover_value=rollover_value
        )
        if issue.severity == "error"
    ]
    if issues:
        raise ReadingError(issues[0].code, issues[0].message, field="value")
    previous = inner[-1].value if inner else first.value
    points = [
        ReadingPoint(t0, first.value, key="start"),
        *(r.point() for r in inner),
        ReadingPoint(t1, last.value, rolled_over=last.value < previous, key="end"),
    ]
    results = consumption_series(
        points, multiplier=multiplier, rollover_value=rollover_value, max_rate=max_rate
    )
    quantity = sum((r.consumption for r in results), Decimal(0))
    delta = Decimal(0)
    if carried is not None and first.provenance != OPENING:
        quantity, delta = recalculated_consumption(
            quantity,
            first.value,
            carried,
            multiplier=multiplier,
            rollover_value=rollover_value,
        )
    else:
        carried = None
    return RegisterUsage(
        first,
        last,
        quantity,
        tuple(r.key for r in used),
        any(r.estimated for r in used),
        carried=carried,
        recalculation=delta,
    )


@dataclass(frozen=True)
class PeriodUsage:
    """The usage of every register of one meter over ``[start, end)``.

    :ivar by_register: ``{register: RegisterUsage}`` of the registers that
        could be valued.
    :ivar errors: ``{register: MeterkitError}`` of those that could not (a
        missing reading, a counter going down...); ``{None: error}`` when the
        meter has no reading around the period at all.
    """

    key: object
    start: datetime
    end: datetime
    by_register: dict
    errors: dict

    @property
    def consumption(self):
        """Total of the valued registers."""
        return sum((u.consumption for u in self.by_register.values()), Decimal(0))

    @property
    def estimated(self):
        return any(u.estimated for u in self.by_register.values())


def period_usage(key, chains, start, end, carried=None, **options):
    """:func:`register_usage` of each register of one meter.

    :param chains: ``{register: [SeriesReading]}`` of the meter.
    :param carried: ``{register: Decimal}``: the counter values the previous
        period was billed up to on estimates at ``start`` (see
        :func:`register_usage`).
    :param options: ``multiplier``, ``rollover_value``, ``weight``,
        ``max_rate`` as for :func:`register_usage`.
    :return: a :class:`PeriodUsage`; errors never raise, they are collected.
    """
    by_register, errors = {}, {}
    carried = carried or {}
    for register, readings in sorted(chains.items()):
        try:
            by_register[register] = register_usage(
                readings, start, end, carried=carried.get(register), **options
            )
        except MeterkitError as error:
            errors[register] = error
    if not chains:
        errors[None] = ReadingError(
            codes.MISSING_PREVIOUS,
            f"no reading around {start.isoformat()} .. {end.isoformat()}",
            field="read_at",
        )
    return PeriodUsage(key, start, end, by_register, errors)


@dataclass(frozen=True)
class MeterSeries:
    """The live readings of one meter, read once and valued many times (the
    days or segments of a billing period).

    :ivar key: the caller's identifier of the meter.
    :ivar chains: ``{register: [SeriesReading]}`` in time order.
    :ivar options: ``multiplier``, ``rollover_value``, ``weight``,
        ``max_rate`` of the meter, as for :func:`register_usage`.
    """

    key: object
    chains: dict
    options: dict

    def usage(self, start, end, carried=None):
        """:func:`period_usage` of the meter over ``[start, end)``."""
        return period_usage(
            self.key, self.chains, start, end, carried=carried, **self.options
        )

    def boundaries(self, at):
        """``{register: Boundary}`` at ``at``; registers whose value cannot be
        told there (a missing reading...) are left out."""
        found = {}
        for register, readings in sorted(self.chains.items()):
            try:
                found[register] = boundary(
                    readings,
                    at,
                    rollover_value=self.options.get("rollover_value"),
                    weight=self.options.get("weight"),
                )
            except MeterkitError:
                continue
        return found


def _unique(readings):
    seen, result = set(), []
    for reading in sorted(readings, key=lambda r: r.read_at):
        if id(reading) not in seen:
            seen.add(id(reading))
            result.append(reading)
    return result


def total_by_register(usages):
    """Sum :class:`RegisterUsage` values per register: ``{register: Decimal}``.

    :param usages: ``{(meter_key, register): RegisterUsage}``, e.g. the usage
        of a replaced meter and of its successor over the same period.
    """
    totals = {}
    for (_meter, register), usage in sorted(usages.items(), key=lambda i: i[0][1]):
        totals[register] = totals.get(register, Decimal(0)) + usage.consumption
    return totals


# ------------------------------------------------------------
# TEXTS: what a calculation sheet shows of a boundary
# ------------------------------------------------------------


def shown_quantity(value, decimals):
    """``value`` rounded half-up to ``decimals`` places, as text (labels and
    sheets, never a 30-digit interpolation): ``999.7549.., 2`` -> ``999.75``."""
    return str(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def shown_time(at, tz_name):
    """A naive UTC instant as local time text: ``2026-01-01 00:00``."""
    local = at.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name or "UTC"))
    return local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class BoundaryText:
    """The pieces of the text of a :class:`Boundary` (the caller words and
    translates the sentence): values rounded to the resource's decimals,
    instants at the site's local time.

    :ivar value: the boundary value.
    :ivar at: where it stands: the boundary, or the instant of the opening or
        closing reading of a meter installed or removed inside the period.
    :ivar interpolated: the value lies between two readings (then
        ``before_value``, ``before_at``, ``after_value``, ``after_at`` say
        which; otherwise they are empty).
    :ivar degree_days: interpolated by degree-days, not in time.
    :ivar estimated: an estimate was used for the value.
    """

    value: str
    at: str
    interpolated: bool
    degree_days: bool
    estimated: bool
    before_value: str = ""
    before_at: str = ""
    after_value: str = ""
    after_at: str = ""


def boundary_text(found, decimals, tz_name):
    """The :class:`BoundaryText` of the :class:`Boundary` ``found``."""
    value = shown_quantity(found.value, decimals)
    if found.provenance not in (LINEAR, DEGREE_DAYS):
        reading = found.before
        return BoundaryText(
            value,
            shown_time(reading.read_at, tz_name),
            False,
            False,
            reading.estimated,
        )
    return BoundaryText(
        value,
        shown_time(found.at, tz_name),
        True,
        found.provenance == DEGREE_DAYS,
        found.estimated,
        shown_quantity(found.before.value, decimals),
        shown_time(found.before.read_at, tz_name),
        shown_quantity(found.after.value, decimals),
        shown_time(found.after.read_at, tz_name),
    )
