# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Interval data (15-minute energy values) as the read path hands it out.

The addon sums the stored values in SQL; this module holds the plain parts
around that: the band of each UTC interval start for a time-of-use calendar
(local time, DST days of 92 or 100 intervals), the quarter-hour grid of a
period and the peak demand of summed series. Instants are naive UTC.
"""

from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .tou import band_at, max_demand

__all__ = ["bands_of_starts", "interval_grid", "peak_demand"]


def bands_of_starts(calendar, starts):
    """The band of each naive UTC interval start in ``calendar`` (a
    :class:`meterkit.TouCalendar`, local time in ``calendar.tz``).

    The two intervals of the repeated autumn hour keep their own UTC starts
    (the caller groups by UTC start), so both are counted.

    :return: list of band codes, in the order of ``starts``.
    """
    zone = ZoneInfo(calendar.tz or "UTC")
    return [
        band_at(calendar, s.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None))
        for s in starts
    ]


def interval_grid(start, end, minutes=15):
    """Naive UTC starts of the intervals of ``[start, end)``: a local day has
    96 of 15 minutes, 92 on the spring DST day and 100 on the autumn one."""
    step = timedelta(minutes=minutes)
    starts = []
    at = start
    while at < end:
        starts.append(at)
        at += step
    return starts


def peak_demand(energies, interval_minutes=15):
    """Maximum demand (kW) of interval energies (kWh) already summed per
    interval; ``Decimal(0)`` without any (RULES.md §4.3)."""
    largest = max(energies, default=None)
    if largest is None:
        return Decimal(0)
    return max_demand([(None, Decimal(largest))], interval_minutes)
