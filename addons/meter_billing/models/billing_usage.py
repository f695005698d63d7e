# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Readings of a register turned into the consumption of a billed period.

Plain helpers used by ``meter.billing.point``: the maths (interpolation at a
boundary, consumption across rollovers, validation) is meterkit's; this module
only picks the readings around and inside the period.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from meterkit import ReadingPoint, consumption_series, interpolate, validate_series
from meterkit.errors import MeterkitError
from meterkit.estimates import (
    interpolate_degree_days,
    local_midnight_utc,
    recalculated_consumption,
)
from meterkit.series import shown_quantity, shown_time


def local_day_bounds(date_from, date_to, tz_name):
    """Naive UTC ``(start, end)`` of the local days ``date_from`` to ``date_to``
    (both included): ``end`` is the local midnight after ``date_to``."""
    return (
        local_midnight_utc(date_from, tz_name),
        local_midnight_utc(date_to + timedelta(days=1), tz_name),
    )


@dataclass(frozen=True)
class Reading:
    """A stored reading as the billing sees it."""

    id: int
    read_at: datetime
    value: Decimal
    estimated: bool
    rolled_over: bool
    opening: bool

    def point(self):
        return ReadingPoint(
            self.read_at, self.value, self.rolled_over, self.opening, key=self.id
        )


class UsageError(Exception):
    """A billing point cannot be billed as is; the message says why."""


class Series:
    """The live readings of one register of one meter, in time order."""

    def __init__(
        self,
        env,
        label,
        readings,
        multiplier,
        rollover_value,
        max_rate=None,
        degree_days=False,
    ):
        #: decimals and time zone of the texts (the meter's resource and site)
        self.decimals, self.tz = 3, "UTC"
        self.env = env
        #: value boundaries by degree-days instead of time (RULES.md 5.5)
        self.degree_days = degree_days
        self.label = label
        self.readings = sorted(readings, key=lambda r: r.read_at)
        self.multiplier = multiplier
        self.rollover_value = rollover_value
        #: {instant: counter value}: where the previous period stopped billing on
        #: estimates (set by the billing run)
        self.carry = {}
        self.max_rate = max_rate

    def _bracket(self, at):
        before = [r for r in self.readings if r.read_at <= at]
        after = [r for r in self.readings if r.read_at >= at]
        if not before:
            raise UsageError(
                self.env._(
                    "%(meter)s: no reading on or before %(at)s (%(tz)s).",
                    meter=self.label,
                    at=shown_time(at, self.tz),
                    tz=self.tz,
                )
            )
        if not after:
            raise UsageError(
                self.env._(
                    "%(meter)s: no reading on or after %(at)s (%(tz)s): missing "
                    "reading.",
                    meter=self.label,
                    at=shown_time(at, self.tz),
                    tz=self.tz,
                )
            )
        return before[-1], after[0]

    def _value_at(self, at):
        before, after = self._bracket(at)
        method = interpolate_degree_days if self.degree_days else interpolate
        try:
            value = method(
                before.point(), after.point(), at, rollover_value=self.rollover_value
            )
        except MeterkitError as error:
            raise self._fail(str(error)) from None
        return value, before, after

    def _fail(self, message):
        return UsageError(
            self.env._("%(meter)s: %(problem)s", meter=self.label, problem=message)
        )

    def active_span(self, start, end, replaced):
        """The part of ``[start, end)`` during which this meter counted:
        from its opening reading (a meter installed or replacing another
        inside it) and, for a ``replaced`` meter, to its last (closing)
        reading. None when the meter did not count then (RULES.md 5.4)."""
        first, last = self.readings[0], self.readings[-1]
        if first.opening and first.read_at > start:
            start = first.read_at
        if replaced and last.read_at < end:
            end = last.read_at
        return (start, end) if start < end else None

    def consumption(self, start, end):
        """Consumption in ``[start, end)`` (UTC naive instants) and the note of
        the readings used: ``(quantity, note, estimated)``."""
        v0, b0, a0 = self._value_at(start)
        v1, b1, a1 = self._value_at(end)
        inner = [r for r in self.readings if start < r.read_at < end]
        used = {b0, a0, b1, a1, *inner}
        issues = [
            i
            for i in validate_series(
                [r.point() for r in sorted(used, key=lambda r: r.read_at)],
                rollover_value=self.rollover_value,
            )
            if i.severity == "error"
        ]
        if issues:
            raise self._fail(issues[0].message)
        last = inner[-1].value if inner else v0
        points = (
            [ReadingPoint(start, v0, key="start")]
            + [r.point() for r in inner]
            + [ReadingPoint(end, v1, rolled_over=v1 < last, key="end")]
        )
        try:
            results = consumption_series(
                points,
                multiplier=self.multiplier,
                rollover_value=self.rollover_value,
                max_rate=self.max_rate,
            )
        except MeterkitError as error:
            raise self._fail(str(error)) from None
        quantity = sum((r.consumption for r in results), Decimal(0))
        estimated = any(r.estimated for r in used)
        note = self.env._(
            "%(meter)s: %(start)s -> %(end)s",
            meter=self.label,
            start=self._boundary(v0, b0, a0, start),
            end=self._boundary(v1, b1, a1, end),
        )
        if start in self.carry:
            quantity, delta = recalculated_consumption(
                quantity,
                v0,
                self.carry[start],
                multiplier=self.multiplier,
                rollover_value=self.rollover_value,
            )
            if delta:
                note += " " + self.env._(
                    "+ recalculation %(delta)s: the previous period was billed up "
                    "to %(billed)s on estimates",
                    delta=delta,
                    billed=self.carry[start],
                )
        return quantity, note, estimated

    def end_value(self, at):
        """``(value, estimated)`` of the counter at ``at`` (UTC naive)."""
        value, before, after = self._value_at(at)
        if at in (before.read_at, after.read_at):
            return value, (before if before.read_at == at else after).estimated
        return value, before.estimated or after.estimated

    def _boundary(self, value, before, after, at):
        """The text of a boundary value: rounded to the resource's decimals,
        at the site's local time."""
        value = shown_quantity(value, self.decimals)
        when = shown_time(at, self.tz)
        if at in (before.read_at, after.read_at):
            reading = before if before.read_at == at else after
            if reading.estimated:
                return self.env._(
                    "%(value)s on %(at)s (estimated)", value=value, at=when
                )
            return self.env._("%(value)s on %(at)s", value=value, at=when)
        text = self.env._(
            "%(value)s interpolated on %(at)s between %(v1)s (%(t1)s) and %(v2)s "
            "(%(t2)s)",
            value=value,
            at=when,
            v1=shown_quantity(before.value, self.decimals),
            t1=shown_time(before.read_at, self.tz),
            v2=shown_quantity(after.value, self.decimals),
            t2=shown_time(after.read_at, self.tz),
        )
        if self.degree_days:
            text += " " + self.env._("by degree-days")
        if before.estimated or after.estimated:
            text += " " + self.env._("(estimated)")
        return text
