# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Time-of-use calendars, band split of interval data, maximum demand (meterkit.tou).

Datetimes are naive local wall-clock times; the DST tests convert UTC instants to
Europe/Zurich first, as the addon does.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import (
    TariffError,
    TouCalendar,
    TouSeason,
    TouSlot,
    band_at,
    codes,
    max_demand,
    split_intervals_by_band,
)
from meterkit.tou import MAX_BANDS, day_type

D = Decimal
ZURICH = ZoneInfo("Europe/Zurich")


def t(hhmm):
    return time(*map(int, hhmm.split(":")))


def table(*pairs):
    return tuple((t(start), band) for start, band in pairs)


# A Chinese-style calendar, 4 seasons x 2 day tables (Acrel "4 zones x 2 periods"),
# bands critical peak / peak / flat / valley (尖/峰/平/谷).
SUMMER_WEEKDAY = table(
    ("00:00", "valley"),
    ("08:00", "flat"),
    ("10:00", "peak"),
    ("11:00", "critical"),
    ("12:00", "peak"),
    ("17:00", "flat"),
    ("22:00", "valley"),
)
OTHER_WEEKDAY = table(
    ("00:00", "valley"), ("08:00", "peak"), ("12:00", "flat"), ("22:00", "valley")
)
WEEKEND = table(("00:00", "valley"), ("09:00", "flat"), ("21:00", "valley"))
CN = TouCalendar(
    seasons=(
        TouSeason("spring", (3, 1), {"weekday": OTHER_WEEKDAY, "weekend": WEEKEND}),
        TouSeason("summer", (6, 1), {"weekday": SUMMER_WEEKDAY, "weekend": WEEKEND}),
        TouSeason("autumn", (9, 1), {"weekday": OTHER_WEEKDAY, "weekend": WEEKEND}),
        TouSeason(
            "winter",
            (12, 1),
            {
                "weekday": OTHER_WEEKDAY,
                "weekend": WEEKEND,
                "holiday": table(("00:00", "valley")),
            },
        ),
    ),
    holidays=frozenset({date(2026, 1, 1), date(2026, 10, 1)}),
    bands=("critical", "peak", "flat", "valley"),
    tz="Asia/Shanghai",
)
# A Swiss-style high/low tariff: high Mon-Fri 07:00-20:00, low otherwise.
CH = TouCalendar(
    seasons=(
        TouSeason(
            "year",
            (1, 1),
            {
                "weekday": table(("07:00", "HT"), ("20:00", "NT")),
                "weekend": table(("00:00", "NT")),
            },
        ),
    ),
    tz="Europe/Zurich",
)


@pytest.mark.parametrize(
    ("calendar", "local", "band"),
    [
        # switch points: a band starts exactly at its switch time
        (CN, datetime(2026, 7, 1, 7, 45), "valley"),
        (CN, datetime(2026, 7, 1, 8, 0), "flat"),
        (CN, datetime(2026, 7, 1, 11, 0), "critical"),
        (CN, datetime(2026, 7, 1, 11, 59, 59), "critical"),
        (CN, datetime(2026, 7, 1, 12, 0), "peak"),
        (CN, datetime(2026, 7, 1, 21, 45), "flat"),
        (CN, datetime(2026, 7, 1, 22, 0), "valley"),
        # midnight: the last interval of a day and the first of the next
        (CN, datetime(2026, 7, 1, 23, 45), "valley"),
        (CN, datetime(2026, 7, 2, 0, 0), "valley"),
        # season edges: 31 May is spring, 1 June summer
        (CN, datetime(2026, 5, 29, 11, 0), "peak"),  # Friday in spring
        (CN, datetime(2026, 6, 1, 11, 0), "critical"),  # Monday in summer
        (CN, datetime(2026, 8, 31, 11, 0), "critical"),
        (CN, datetime(2026, 9, 1, 11, 0), "peak"),
        # the season of 1 December runs over the new year until 28/29 February
        (CN, datetime(2026, 2, 27, 9, 0), "peak"),  # Friday
        (CN, datetime(2028, 2, 29, 13, 0), "flat"),  # leap day, Tuesday
        (CN, datetime(2026, 3, 2, 9, 0), "peak"),
        # weekend table; holiday table; a holiday without its own table uses weekend
        (CN, datetime(2026, 7, 4, 10, 0), "flat"),  # Saturday
        (CN, datetime(2026, 7, 4, 8, 0), "valley"),
        (CN, datetime(2026, 1, 1, 10, 0), "valley"),  # holiday in winter
        (CN, datetime(2026, 10, 1, 10, 0), "flat"),  # holiday in autumn -> weekend
        (CN, datetime(2026, 10, 2, 10, 0), "peak"),  # Friday after it
        # first switch point after midnight: the table's last band wraps over it
        (CH, datetime(2026, 3, 2, 0, 0), "NT"),
        (CH, datetime(2026, 3, 2, 6, 45), "NT"),
        (CH, datetime(2026, 3, 2, 7, 0), "HT"),
        (CH, datetime(2026, 3, 2, 19, 45), "HT"),
        (CH, datetime(2026, 3, 2, 20, 0), "NT"),
        (CH, datetime(2026, 3, 7, 12, 0), "NT"),  # Saturday: weekend table
    ],
)
def test_band_at(calendar, local, band):
    assert band_at(calendar, local) == band


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 7, 1), "weekday"),
        (date(2026, 7, 4), "weekend"),
        (date(2026, 7, 5), "weekend"),
        (date(2026, 1, 1), "holiday"),  # a Thursday
    ],
)
def test_day_type(day, expected):
    assert day_type(CN, day) == expected


def test_weekend_days_are_configurable():
    friday_saturday = TouCalendar(
        CH.seasons, weekend_days=frozenset({4, 5}), tz="Asia/Dubai"
    )
    assert band_at(friday_saturday, datetime(2026, 3, 6, 12, 0)) == "NT"  # Friday
    assert band_at(friday_saturday, datetime(2026, 3, 8, 12, 0)) == "HT"  # Sunday


def test_calendar_orders_seasons_and_derives_bands():
    calendar = TouCalendar(
        (
            TouSeason("b", (10, 1), {"weekday": table(("00:00", "x"))}),
            TouSeason("a", (4, 1), {"weekday": table(("00:00", "y"), ("12:00", "x"))}),
        )
    )
    assert [s.code for s in calendar.seasons] == ["a", "b"]
    assert calendar.bands == ("y", "x")
    assert band_at(calendar, datetime(2026, 1, 1, 1, 0)) == "x"  # season b wraps


def test_slots_accept_touslot():
    season = TouSeason("s", (1, 1), {"weekday": (TouSlot(time(0), "a"),)})
    assert season.day_tables["weekday"] == (TouSlot(time(0), "a"),)


def eight_by_eight():
    """Acrel "8 zones x 8 periods" with 8 bands: the largest layout."""
    bands = [f"T{i}" for i in range(1, 9)]
    seasons = []
    for zone in range(8):
        slots = tuple((time(3 * i), bands[(i + zone) % 8]) for i in range(8))
        seasons.append(TouSeason(f"Z{zone + 1}", (zone + 1, 1), {"weekday": slots}))
    return TouCalendar(tuple(seasons), bands=tuple(bands))


def test_eight_zones_by_eight_periods():
    calendar = eight_by_eight()
    assert len(calendar.bands) == MAX_BANDS
    assert band_at(calendar, datetime(2026, 1, 5, 0, 0)) == "T1"
    assert band_at(calendar, datetime(2026, 3, 2, 4, 0)) == "T4"  # zone 3, slot 2
    # zone 8 (from 1 August) runs to the year's end; its last slot is T(7+7)%8+1
    assert band_at(calendar, datetime(2026, 12, 31, 23, 45)) == "T7"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TouCalendar(()), "at least one season"),
        (
            lambda: TouCalendar(
                (TouSeason("s", (1, 1), {"weekday": table(("00:00", "a"))}),),
                bands=tuple("abcdefghi"),
            ),
            "9 bands; at most 8",
        ),
        (
            lambda: TouCalendar(
                (TouSeason("s", (1, 1), {"weekday": table(("00:00", "a"))}),),
                bands=("b",),
            ),
            "band 'a' is used",
        ),
        (
            lambda: TouCalendar(
                (
                    TouSeason("s", (1, 1), {"weekday": table(("00:00", "a"))}),
                    TouSeason("t", (1, 1), {"weekday": table(("00:00", "a"))}),
                )
            ),
            "same day",
        ),
        (lambda: TouSeason("s", (2, 30), {"weekday": ()}), "not a \\(month, day\\)"),
        (
            lambda: TouSeason("s", (1, 1), {"weekend": table(("00:00", "a"))}),
            "no weekday",
        ),
        (
            lambda: TouSeason("s", (1, 1), {"sunday": table(("00:00", "a"))}),
            "unknown day",
        ),
        (lambda: TouSeason("s", (1, 1), {"weekday": ()}), "no switch point"),
        (
            lambda: TouSeason(
                "s", (1, 1), {"weekday": table(("08:00", "a"), ("08:00", "b"))}
            ),
            "strictly increasing",
        ),
        (
            lambda: TouSeason(
                "s",
                (1, 1),
                {"weekday": tuple((time(h), "a") for h in range(15))},
            ),
            "15 switch points",
        ),
        (
            lambda: TouCalendar(CH.seasons, weekend_days=frozenset({7})),
            "weekend days",
        ),
    ],
)
def test_calendar_refuses(build, message):
    with pytest.raises(TariffError, match=message) as info:
        build()
    assert info.value.code == codes.BAD_CALENDAR


def test_aware_datetimes_are_refused():
    with pytest.raises(TariffError, match="timezone-aware") as info:
        band_at(CN, datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    assert info.value.code == codes.INVALID_ARGUMENT
    with pytest.raises(TariffError, match="timezone-aware"):
        split_intervals_by_band(CN, [(datetime(2026, 7, 1, tzinfo=UTC), D(1))])


# ------------------------------------------------------------
# split_intervals_by_band
# ------------------------------------------------------------


def quarter_hours(day_start_local, zone):
    """The local starts of a local day's 15-minute intervals, via UTC."""
    start = datetime.combine(day_start_local, time(0), zone).astimezone(UTC)
    end = datetime.combine(day_start_local + timedelta(days=1), time(0), zone)
    end = end.astimezone(UTC)
    starts = []
    while start < end:
        starts.append(start.astimezone(zone).replace(tzinfo=None))
        start += timedelta(minutes=15)
    return starts


def test_split_one_summer_weekday():
    intervals = [(s, D("0.25")) for s in quarter_hours(date(2026, 7, 1), ZURICH)]
    totals = split_intervals_by_band(CN, intervals)
    assert list(totals) == ["critical", "peak", "flat", "valley"]
    # critical 11-12, peak 10-11 + 12-17, flat 8-10 + 17-22, valley 22-8
    assert totals == {"critical": D(1), "peak": D(6), "flat": D(7), "valley": D(10)}


@pytest.mark.parametrize(
    ("day", "count", "high", "low"),
    [
        (date(2026, 3, 27), 96, D(13), D(11)),  # Friday, a normal day
        (date(2026, 3, 30), 96, D(13), D(11)),  # Monday after the spring change
        # Sundays of the DST changes: weekend table, all low
        (date(2026, 3, 29), 92, D(0), D(23)),
        (date(2026, 10, 25), 100, D(0), D(25)),
    ],
)
def test_dst_days_have_92_or_100_intervals(day, count, high, low):
    starts = quarter_hours(day, ZURICH)
    assert len(starts) == count
    totals = split_intervals_by_band(CH, [(s, D("0.25")) for s in starts])
    assert totals == {"HT": high, "NT": low}


def test_dst_weekday_change_keeps_the_wall_clock_bands():
    # A weekday calendar on the Sunday of the change: switch at 02:30 local.
    calendar = TouCalendar(
        (
            TouSeason(
                "all",
                (1, 1),
                {"weekday": table(("00:00", "A"), ("02:30", "B"), ("04:00", "A"))},
            ),
        ),
        weekend_days=frozenset(),
    )
    spring = quarter_hours(date(2026, 3, 29), ZURICH)  # 02:00-03:00 does not exist
    totals = split_intervals_by_band(calendar, [(s, D(1)) for s in spring])
    assert totals == {"A": D(88), "B": D(4)}  # B only 03:00-04:00
    autumn = quarter_hours(date(2026, 10, 25), ZURICH)  # 02:00-03:00 twice
    totals = split_intervals_by_band(calendar, [(s, D(1)) for s in autumn])
    assert totals == {"A": D(92), "B": D(8)}  # 02:30-03:00 twice, then 03:00-04:00


def test_split_without_intervals_lists_every_band():
    assert split_intervals_by_band(CN, []) == dict.fromkeys(CN.bands, D(0))


local_instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)
).map(lambda dt: dt.replace(minute=dt.minute // 15 * 15, second=0, microsecond=0))


@given(
    st.lists(
        st.tuples(
            local_instants,
            st.decimals(min_value=D(0), max_value=D(1000), places=3, allow_nan=False),
        ),
        max_size=200,
    )
)
def test_split_preserves_the_total(intervals):
    totals = split_intervals_by_band(CN, intervals)
    assert sum(totals.values()) == sum((v for _s, v in intervals), D(0))
    for band in totals:
        assert totals[band] == sum(
            (v for s, v in intervals if band_at(CN, s) == band), D(0)
        )


@given(local_instants)
def test_every_instant_has_a_band_of_the_calendar(instant):
    assert band_at(CN, instant) in CN.bands
    assert band_at(eight_by_eight(), instant) in eight_by_eight().bands


# ------------------------------------------------------------
# max_demand (RULES.md §4.3: highest 15-minute average power)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "minutes", "expected"),
    [
        (["1", "2.5", "0.75"], 15, "10"),  # 2.5 kWh in 15 min = 10 kW
        (["12.5"], 15, "50"),
        (["12.5"], 30, "25"),
        (["12.5"], 60, "12.5"),
        (["0", "0"], 15, "0"),
        ([], 15, "0"),
        (["-1", "-2"], 15, "-4"),  # export only: the least negative
    ],
)
def test_max_demand(values, minutes, expected):
    start = datetime(2026, 7, 1)
    intervals = [
        (start + timedelta(minutes=minutes * i), D(v)) for i, v in enumerate(values)
    ]
    assert max_demand(intervals, minutes) == D(expected)


@pytest.mark.parametrize("minutes", [0, -15, 15.0, True])
def test_max_demand_refuses_bad_interval(minutes):
    with pytest.raises(TariffError) as info:
        max_demand([], minutes)
    assert info.value.field == "interval_minutes"


@given(
    st.lists(
        st.decimals(min_value=D(0), max_value=D(10000), places=3, allow_nan=False),
        min_size=1,
        max_size=100,
    )
)
def test_max_demand_is_four_times_the_largest_quarter_hour(values):
    intervals = [(datetime(2026, 1, 1), v) for v in values]
    assert max_demand(intervals) == max(values) * 4
