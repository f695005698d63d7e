# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Time-of-use calendars, and interval data split by band (RULES.md §4.1, §5.6).

A :class:`TouCalendar` follows the structure of a multi-rate meter (DL/T 645-2007,
Acrel: up to 8 rates, layouts from 4 seasons x 2 periods up to 8 x 8):

- **seasons** (time zones) start on a month-day and run until the day before the next
  season's start, wrapping over the new year, so every day of every year has exactly
  one season;
- per season, one **day table** per day type: ``weekday``, ``weekend``, ``holiday``.
  A date in :attr:`TouCalendar.holidays` is a holiday, a day in
  :attr:`TouCalendar.weekend_days` a weekend day. A missing ``holiday`` table falls back
  to ``weekend``, a missing ``weekend`` table to ``weekday``;
- a day table is a list of switch points ``(start time, band)``; a band applies from its
  start to the next switch point. Before the first switch point of the day, the last
  band of the same table applies (the meter's table wraps over midnight).

**Time.** All datetimes given to this module are *naive local* wall-clock times in the
calendar's zone (:attr:`TouCalendar.tz`, informative). An interval is labelled by its
start and priced at the band active at that start (RULES.md §4.1). On a DST day the
caller converts each UTC start to local time first: in spring the skipped hour has no
interval (92 quarter-hours), in autumn the repeated hour gives two intervals with the
same local label, both in the band of that wall-clock time (100 quarter-hours). Aware
datetimes are refused so that a UTC instant is never mistaken for a local one.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from . import codes
from .errors import TariffError

__all__ = [
    "DAY_TYPES",
    "MAX_BANDS",
    "MAX_SEASONS",
    "MAX_SWITCH_POINTS",
    "TouCalendar",
    "TouSeason",
    "TouSlot",
    "band_at",
    "day_type",
    "max_demand",
    "split_intervals_by_band",
]

DAY_TYPES = ("weekday", "weekend", "holiday")
#: Acrel and DL/T 645 meters hold up to 8 rates.
MAX_BANDS = 8
#: DL/T 645 allows up to 14 seasonal time zones (Acrel layouts use 4 or 8).
MAX_SEASONS = 14
#: A DL/T 645 day table holds up to 14 switch points (Acrel layouts use 2 to 8).
MAX_SWITCH_POINTS = 14
_FALLBACK = {"holiday": "weekend", "weekend": "weekday"}


def _calendar_error(message, field_name=None):
    return TariffError(codes.BAD_CALENDAR, message, field=field_name)


@dataclass(frozen=True)
class TouSlot:
    """A switch point of a day table: ``band`` applies from ``start`` on."""

    start: time
    band: str


@dataclass(frozen=True)
class TouSeason:
    """A seasonal time zone.

    :ivar code: the season's name (e.g. ``"summer"``).
    :ivar start: ``(month, day)`` of its first day, e.g. ``(6, 1)``.
    :ivar day_tables: mapping day type -> switch points, each a :class:`TouSlot` or a
        ``(time, band)`` pair, in increasing start time. ``weekday`` is required.
    """

    code: str
    start: tuple[int, int]
    day_tables: Mapping[str, tuple[TouSlot, ...]]

    def __post_init__(self):
        month, day = self.start
        try:
            date(2024, month, day)  # a leap year accepts 29 February
        except (TypeError, ValueError):
            raise _calendar_error(
                f"season {self.code!r}: start {self.start!r} is not a (month, day)",
                "start",
            ) from None
        tables = {}
        for day_type_code, slots in dict(self.day_tables).items():
            if day_type_code not in DAY_TYPES:
                raise _calendar_error(
                    f"season {self.code!r}: unknown day type {day_type_code!r}; use "
                    f"{', '.join(DAY_TYPES)}",
                    "day_tables",
                )
            tables[day_type_code] = self._slots(day_type_code, slots)
        if "weekday" not in tables:
            raise _calendar_error(
                f"season {self.code!r} has no weekday table", "day_tables"
            )
        object.__setattr__(self, "day_tables", tables)

    def _slots(self, day_type_code, slots):
        slots = tuple(s if isinstance(s, TouSlot) else TouSlot(*s) for s in slots)
        where = f"season {self.code!r}, {day_type_code} table"
        if not slots:
            raise _calendar_error(f"{where} has no switch point", "day_tables")
        if len(slots) > MAX_SWITCH_POINTS:
            raise _calendar_error(
                f"{where} has {len(slots)} switch points; at most "
                f"{MAX_SWITCH_POINTS} are allowed",
                "day_tables",
            )
        for slot in slots:
            if not isinstance(slot.start, time) or slot.start.tzinfo is not None:
                raise _calendar_error(
                    f"{where}: {slot.start!r} is not a naive time", "day_tables"
                )
            if not slot.band:
                raise _calendar_error(f"{where}: a switch point has no band")
        starts = [s.start for s in slots]
        if any(a >= b for a, b in zip(starts, starts[1:], strict=False)):
            raise _calendar_error(
                f"{where}: switch points must be in strictly increasing time",
                "day_tables",
            )
        return slots

    def table(self, day_type_code):
        """The switch points used on a day of this type (with the fallbacks)."""
        while day_type_code not in self.day_tables:
            day_type_code = _FALLBACK[day_type_code]
        return self.day_tables[day_type_code]


@dataclass(frozen=True)
class TouCalendar:
    """A time-of-use calendar.

    :ivar seasons: one or more :class:`TouSeason` with distinct start month-days.
    :ivar holidays: dates priced with the holiday table.
    :ivar weekend_days: ``date.weekday()`` numbers of weekend days (Saturday=5,
        Sunday=6 by default).
    :ivar bands: the band codes in display order (e.g. critical peak, peak, flat,
        valley); by default the bands in order of first use. At most
        :data:`MAX_BANDS`, and every switch point's band must be one of them.
    :ivar tz: the IANA zone the naive local times are in (informative: the caller
        converts UTC instants with it).
    """

    seasons: tuple[TouSeason, ...]
    holidays: frozenset[date] = frozenset()
    weekend_days: frozenset[int] = frozenset({5, 6})
    bands: tuple[str, ...] = ()
    tz: str | None = None
    _starts: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        seasons = tuple(self.seasons)
        if not seasons:
            raise _calendar_error("a calendar needs at least one season", "seasons")
        if len(seasons) > MAX_SEASONS:
            raise _calendar_error(
                f"{len(seasons)} seasons; at most {MAX_SEASONS} are allowed", "seasons"
            )
        seasons = tuple(sorted(seasons, key=lambda s: tuple(s.start)))
        starts = tuple(tuple(s.start) for s in seasons)
        if len(set(starts)) != len(starts):
            raise _calendar_error("two seasons start on the same day", "seasons")
        used = []
        for season in seasons:
            for slots in season.day_tables.values():
                for slot in slots:
                    if slot.band not in used:
                        used.append(slot.band)
        bands = tuple(self.bands) or tuple(used)
        if len(set(bands)) != len(bands):
            raise _calendar_error("a band is listed twice", "bands")
        if len(bands) > MAX_BANDS:
            raise _calendar_error(
                f"{len(bands)} bands; at most {MAX_BANDS} are allowed", "bands"
            )
        unknown = [b for b in used if b not in bands]
        if unknown:
            raise _calendar_error(
                f"band {unknown[0]!r} is used by a day table but not listed in bands",
                "bands",
            )
        if not set(self.weekend_days) <= set(range(7)):
            raise _calendar_error(
                "weekend days must be 0 (Monday) to 6", "weekend_days"
            )
        object.__setattr__(self, "seasons", seasons)
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "weekend_days", frozenset(self.weekend_days))
        object.__setattr__(self, "_starts", starts)

    def season_on(self, day):
        """The season of a date (the last one starting on or before it, wrapping)."""
        key = (day.month, day.day)
        found = self.seasons[-1]
        for start, season in zip(self._starts, self.seasons, strict=True):
            if start > key:
                break
            found = season
        return found


def day_type(calendar, day):
    """``"holiday"``, ``"weekend"`` or ``"weekday"`` for a date."""
    if day in calendar.holidays:
        return "holiday"
    if day.weekday() in calendar.weekend_days:
        return "weekend"
    return "weekday"


def _check_naive(dt):
    if not isinstance(dt, datetime):
        raise TariffError(
            codes.INVALID_ARGUMENT, f"{dt!r} is not a datetime", field="start"
        )
    if dt.tzinfo is not None:
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"{dt.isoformat()} is timezone-aware; give naive local wall-clock times "
            "(convert UTC instants to the calendar's zone first)",
            field="start",
        )


def _band_in_table(slots, moment):
    band = slots[-1].band
    for slot in slots:
        if slot.start > moment:
            break
        band = slot.band
    return band


def band_at(calendar, dt):
    """The band active at the naive local datetime ``dt``."""
    _check_naive(dt)
    day = dt.date()
    slots = calendar.season_on(day).table(day_type(calendar, day))
    return _band_in_table(slots, dt.time())


def split_intervals_by_band(calendar, intervals):
    """Sum interval values by the band active at each interval's start.

    :param intervals: iterable of ``(naive local start, value)``; values are
        Decimals (kWh) and may come from several meters or registers.
    :return: dict band -> total, with every band of the calendar in its order (0 for a
        band without consumption). The totals sum exactly to the sum of the values.
    """
    totals = dict.fromkeys(calendar.bands, Decimal(0))
    tables = {}
    for start, value in intervals:
        _check_naive(start)
        day = start.date()
        slots = tables.get(day)
        if slots is None:
            slots = tables[day] = calendar.season_on(day).table(day_type(calendar, day))
        band = _band_in_table(slots, start.time())
        totals[band] += value
    return totals


def max_demand(intervals, interval_minutes=15):
    """The maximum average power (kW) over the intervals (RULES.md §4.3, §5.6).

    Each interval's energy (kWh) is turned into its average power
    ``kWh x 60 / interval_minutes``; the result is the largest one (``0`` without
    intervals). Values of several feeders at the same instant must be summed by the
    caller first (the addon sums by UTC start in SQL, which also keeps the two
    intervals of the repeated DST hour apart).

    :param intervals: iterable of ``(start, kWh)``; the start is not used.
    """
    if (
        isinstance(interval_minutes, bool)
        or not isinstance(interval_minutes, int)
        or interval_minutes <= 0
    ):
        raise TariffError(
            codes.INVALID_ARGUMENT,
            f"interval_minutes must be a positive integer, not {interval_minutes!r}",
            field="interval_minutes",
        )
    peak = None
    for _start, value in intervals:
        if peak is None or value > peak:
            peak = value
    if peak is None:
        return Decimal(0)
    return Decimal(peak) * 60 / interval_minutes
