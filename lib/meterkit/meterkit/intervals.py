# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Interval data (15-minute energy values) as the read path hands it out.

The addon sums the stored values in SQL; this module holds the plain parts
around that: the band of each UTC interval start for a time-of-use calendar
(local time, DST days of 92 or 100 intervals), the quarter-hour grid of a
period, the peak demand of summed series and the decoding of packed
months (the addon's ``meter.interval.pack``). Instants are naive UTC.
"""

import sys
from array import array
from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .tou import band_at, max_demand

__all__ = [
    "bands_of_starts",
    "interval_grid",
    "pack_month",
    "peak_demand",
    "place_packed",
    "unpack_month",
]

#: longest month, in seconds: the offsets of a pack are below it
MONTH_SECONDS = 31 * 86400


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


def pack_month(seconds, units):
    """The bytes of a packed month: ``seconds`` (offsets from the month's
    first instant, ascending) as big-endian int32, ``units`` (integers) as
    big-endian int64, as PostgreSQL's ``int4send`` and ``int8send`` write
    them. The inverse of :func:`unpack_month`."""
    offsets, values = array("i", seconds), array("q", units)
    if sys.byteorder == "little":
        offsets.byteswap()
        values.byteswap()
    return offsets.tobytes(), values.tobytes()


def unpack_month(seconds, units):
    """``(offsets, values)`` of the packed bytes ``seconds`` (big-endian
    int32) and ``units`` (big-endian int64), as ``array('i')`` and
    ``array('q')``: decoded in C, whatever the size."""
    offsets, values = array("i"), array("q")
    offsets.frombytes(seconds)
    values.frombytes(units)
    if sys.byteorder == "little":
        offsets.byteswap()
        values.byteswap()
    return offsets, values


def place_packed(first, end, step, packs):
    """Place packed months on the grid of ``step`` seconds from ``first`` up
    to ``end`` (excluded; all in seconds since the epoch): ``ceil((end -
    first) / step)`` slots.

    :param packs: ``(key, base, seconds, units)``: ``base`` the first instant
        of the pack's month (epoch seconds), ``seconds`` and ``units`` its
        bytes (:func:`pack_month`). A key may come with several months.
    :return: ``{key: [int or None] * slots}`` for the keys with at least one
        value in ``[first, end)``; ``None`` marks a slot without value (values
        off the grid are left out).

    A month whose offsets are consecutive slots of the grid (the common case:
    every quarter-hour present) is recognised by comparing its bytes with
    those of the grid and copied as one slice; any other is placed value by
    value.
    """
    count = -(-(end - first) // step)
    result = {}
    grid = _grid_bytes(step)
    for key, base, seconds, units in packs:
        if not seconds:
            continue
        shift = base - first
        lo = _run_slot(seconds, grid, step, shift)
        if lo is None:
            _place_values(result, key, shift, end - first, step, count, seconds, units)
            continue
        skip, hi = max(0, -lo), min(count, lo + len(seconds) // 4)
        if lo + skip < hi:
            values = unpack_month(b"", units)[1]
            placed = result.setdefault(key, [None] * count)
            placed[lo + skip : hi] = values[skip : hi - lo].tolist()
    return result


def _place_values(result, key, shift, span, step, count, seconds, units):
    """Place the values of one packed month one by one (``shift``: the
    month's first instant minus the grid's, ``span`` the window's length, in
    seconds)."""
    offsets, values = unpack_month(seconds, units)
    placed = result.get(key)
    for offset, value in zip(offsets, values, strict=True):
        at = shift + offset
        if 0 <= at < span:
            if placed is None:
                placed = result[key] = [None] * count
            slot, off = divmod(at, step)
            if not off:
                placed[slot] = value


_GRIDS = {}


def _grid_bytes(step):
    """The packed offsets 0, step, 2 step... of the longest month."""
    if step not in _GRIDS:
        _GRIDS[step] = pack_month(range(0, MONTH_SECONDS, step), ())[0]
    return _GRIDS[step]


def _run_slot(seconds, grid, step, shift):
    """The slot of the first offset of ``seconds`` (packed) when its offsets
    are consecutive slots of the grid (``shift``: the month's first instant
    minus the grid's, in seconds), else None."""
    first = int.from_bytes(seconds[:4], "big", signed=True)
    if first % step or shift % step:
        return None
    at = first // step * 4
    if seconds != grid[at : at + len(seconds)]:
        return None
    return (shift + first) // step
