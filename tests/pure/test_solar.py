# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Solar sharing per interval (meterkit.solar, RULES.md §2.1-2.2) and the
interval helpers it stands on (meterkit.intervals)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import MeterkitError, TouCalendar, TouSeason
from meterkit.estimates import local_midnight_utc
from meterkit.intervals import bands_of_starts, interval_grid, peak_demand
from meterkit.solar import (
    Flag,
    ShareTotals,
    SolarDataError,
    average_shares,
    clean_series,
    month_shares,
    period_share,
    share_interval,
    share_series,
    solar_price_cap,
    units,
)

D = Decimal
Q = timedelta(minutes=15)
T0 = datetime(2026, 6, 1)


# ------------------------------------------------------------
# meterkit.intervals
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (date(2026, 3, 29), 92),  # spring DST in Zurich: 23 h
        (date(2026, 6, 1), 96),
        (date(2026, 10, 25), 100),  # autumn DST: 25 h
    ],
)
def test_interval_grid_of_local_days(day, count):
    start = local_midnight_utc(day, "Europe/Zurich")
    end = local_midnight_utc(day + timedelta(days=1), "Europe/Zurich")
    assert len(interval_grid(start, end)) == count


def test_bands_of_starts_use_local_time_and_keep_the_repeated_hour():
    """25 Oct 2026: local 02:00-03:00 happens twice (00:00 and 01:00 UTC).
    Band B from 02:30 local: 01:30 local (23:30 UTC the day before) is A, the
    first 02:45 (00:45 UTC) and the second 02:45 (01:45 UTC) are both B."""
    calendar = TouCalendar(
        (TouSeason("all", (1, 1), {"weekday": ((time(0), "A"), (time(2, 30), "B"))}),),
        weekend_days=frozenset(),
        tz="Europe/Zurich",
    )
    starts = [datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 0, 45)]
    starts.append(datetime(2026, 10, 25, 1, 45))
    assert bands_of_starts(calendar, starts) == ["A", "B", "B"]


@pytest.mark.parametrize(
    ("energies", "minutes", "expected"),
    [([D("1.5"), D(2)], 15, D(8)), ([D(3)], 60, D(3)), ([], 15, D(0))],
)
def test_peak_demand(energies, minutes, expected):
    assert peak_demand(energies, minutes) == expected


# ------------------------------------------------------------
# share_interval (integers of 0.0001 kWh)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("production", "demand", "solar", "export", "import_"),
    [
        # P = 6, C = 2 + 4 = 6: everything solar, nothing exported or imported
        (6, {"a": 2, "b": 4}, {"a": 2, "b": 4}, 0, 0),
        # P = 3, C = 6: ratio 1/2 -> a 1, b 2; grid a 1, b 2; import 3
        (3, {"a": 2, "b": 4}, {"a": 1, "b": 2}, 0, 3),
        # P = 10, C = 6: export 4
        (10, {"a": 2, "b": 4}, {"a": 2, "b": 4}, 4, 0),
        # P = 0 (night): all from the grid
        (0, {"a": 2, "b": 4}, {"a": 0, "b": 0}, 0, 6),
        # P = 1 unit, C = 1 + 1 + 1: exact shares 1/3 each; floors 0, one unit
        # left goes to the largest remainder, ties to the first participant
        (1, {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 0, "c": 0}, 0, 2),
        # P = 2, C = 1 + 2 + 4 = 7: exact 2/7 = 0.286, 4/7 = 0.571, 8/7 =
        # 1.143; floors 0, 0, 1 (1 given); remainders 2/7, 4/7, 1/7 -> b
        (2, {"a": 1, "b": 2, "c": 4}, {"a": 0, "b": 1, "c": 1}, 0, 5),
        # nobody consumes: all exported
        (5, {"a": 0, "b": 0}, {"a": 0, "b": 0}, 5, 0),
    ],
)
def test_proportional_sharing(production, demand, solar, export, import_):
    share = share_interval(production, demand)
    assert share.solar == solar
    assert share.grid == {k: demand[k] - solar[k] for k in demand}
    assert share.export == export
    assert share.import_ == import_
    assert share.self_consumed == sum(solar.values())


def test_battery_charge_then_discharge():
    """Noon: P = 10, charge 3, C = 5 -> available 10 - 3 = 7, self-consumed 5,
    export 2. Evening: P = 0, discharge 4, C = 6 -> self-consumed 4, import 2
    (a 4/6 x 4 = 2.67 -> 2 floor + 1 unit by remainder 2/3 vs b 1/3: a 3,
    b 1). Grid charging: P = 1, charge 3, C = 2 -> import 2 + 2 = 4."""
    noon = share_interval(10, {"a": 2, "b": 3}, charge=3)
    assert (noon.self_consumed, noon.export, noon.import_) == (5, 2, 0)
    evening = share_interval(0, {"a": 4, "b": 2}, discharge=4)
    assert evening.solar == {"a": 3, "b": 1}
    assert (evening.export, evening.import_) == (0, 2)
    grid_charge = share_interval(1, {"a": 1, "b": 1}, charge=3)
    assert (grid_charge.self_consumed, grid_charge.import_) == (0, 4)


def test_fixed_and_dynamic_keys():
    """P = 10, keys a 50 %, b 50 %, consumption a 2, b 10.
    fixed: a min(5, 2) = 2, b 5 -> self-consumed 7, export 3;
    dynamic: a's unused 3 go to b -> b 8, self-consumed 10, export 0."""
    keys = {"a": 1, "b": 1}
    fixed = share_interval(10, {"a": 2, "b": 10}, method="fixed", keys=keys)
    assert fixed.solar == {"a": 2, "b": 5}
    assert (fixed.self_consumed, fixed.export, fixed.import_) == (7, 3, 5)
    dynamic = share_interval(10, {"a": 2, "b": 10}, method="dynamic", keys=keys)
    assert dynamic.solar == {"a": 2, "b": 8}
    assert (dynamic.self_consumed, dynamic.export, dynamic.import_) == (10, 0, 2)


# ------------------------------------------------------------
# clean_series: duplicates, gaps, negative and implausible production
# ------------------------------------------------------------


def test_clean_series_fills_and_flags():
    """Grid of 6 starts; known 0.0002 at t1 and 0.0008 at t4: t0 takes the
    nearest value (2), t2 and t3 the line 2 + 6 x 1/3 = 4 and 2 + 6 x 2/3 =
    6, t5 the last value (8). The duplicate of t1 (same value) is dropped."""
    starts = [T0 + k * Q for k in range(6)]
    rows = [(starts[1], D("0.0002")), (starts[4], D("0.0008"))]
    rows.append((starts[1], D("0.0002")))
    series, flags = clean_series("pv", rows, starts)
    assert series == [2, 2, 4, 6, 8, 8]
    assert Flag("duplicate", "pv", starts[1]) in flags
    assert [f.start for f in flags if f.kind == "filled"] == [
        starts[0],
        starts[2],
        starts[3],
        starts[5],
    ]


def test_clean_series_refuses_conflicting_duplicates():
    rows = [(T0, D(1)), (T0, D(2))]
    with pytest.raises(SolarDataError, match="two values"):
        clean_series("pv", rows, [T0])


def test_negative_and_above_peak_production_are_flagged():
    """10 kWp -> at most 2.5 kWh per quarter-hour: 3 is flagged and kept;
    -0.01 (inverter standby) becomes 0."""
    rows = [(T0, D("-0.01")), (T0 + Q, D(3))]
    series, flags = clean_series("pv", rows, [T0, T0 + Q], D("2.5"), True)
    assert series == [0, 30000]
    assert {f.kind for f in flags} == {"negative", "above_peak"}


def test_empty_series_is_zero_and_flagged():
    series, flags = clean_series("unit", [], [T0, T0 + Q])
    assert series == [0, 0]
    assert len(flags) == 2


# ------------------------------------------------------------
# share_series: monthly totals per participant and band
# ------------------------------------------------------------


def test_share_series_totals_per_month_and_band():
    """Two intervals in June (day band), one in July (night band).
    June t0: P 0.0006, a 0.0002, b 0.0004 -> all solar. June t1: P 0.0003,
    C 0.0006 -> a 0.0001, b 0.0002 solar. July: P 0, a 0.0001 grid.
    a June day: consumption 0.0004, solar 0.0003, grid 0.0001."""
    starts = [T0, T0 + Q, datetime(2026, 7, 1)]
    result = share_series(
        starts,
        [6, 3, 0],
        {"a": [2, 2, 1], "b": [4, 4, 0]},
        month_of=lambda s: (s.year, s.month),
        band_of=lambda s: "day" if s.month == 6 else "night",
    )
    june_a = result.participants[("a", (2026, 6))]["day"]
    assert (june_a.consumption, june_a.solar, june_a.grid) == (
        D("0.0004"),
        D("0.0003"),
        D("0.0001"),
    )
    july_a = result.participants[("a", (2026, 7))]["night"]
    assert (july_a.solar, july_a.grid) == (D(0), D("0.0001"))
    june = result.community[(2026, 6)]
    assert (june.production, june.self_consumed, june.export) == (
        D("0.0009"),
        D("0.0009"),
        D(0),
    )
    # self-sufficiency 9 / 12 = 0.75; self-consumption 9 / 9 = 1
    assert june.self_sufficiency == D("0.75")
    assert june.self_consumption == D(1)


def test_average_method_without_interval_data():
    """Self-consumed 100 kWh in the period; consumption a 30, b 90, c 80 =
    200: a 15, b 45, c 40; with 300 kWh self-consumed each is capped at its
    consumption (total 200)."""
    shares = average_shares(D(100), {"a": D(30), "b": D(90), "c": D(80)})
    assert {k: v.solar for k, v in shares.items()} == {
        "a": D(15),
        "b": D(45),
        "c": D(40),
    }
    assert shares["b"].grid == D(45)
    capped = average_shares(D(300), {"a": D(30), "b": D(90), "c": D(80)})
    assert {k: v.grid for k, v in capped.items()} == dict.fromkeys("abc", D(0))


@pytest.mark.parametrize(
    ("standard", "method", "cost", "cap"),
    [
        # flat rate: 80 % of 0.30 = 0.24
        ("0.30", "flat", None, "0.24"),
        # effective cost 0.20 < 0.30: saving 0.10, owner keeps at most half
        # -> 0.20 + 0.05 = 0.25
        ("0.30", "effective", "0.20", "0.25"),
        # effective cost above the standard product: the standard caps it
        ("0.30", "effective", "0.35", "0.30"),
    ],
)
def test_solar_price_cap(standard, method, cost, cap):
    assert solar_price_cap(D(standard), method, cost and D(cost)) == D(cap)


def test_units_round_half_up():
    assert units(D("0.00005")) == 1
    assert units(D("1.23456")) == 12346


# ------------------------------------------------------------
# properties
# ------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=50_000)


@given(
    production=amounts,
    demand=st.lists(amounts, min_size=1, max_size=12),
    method=st.sampled_from(["proportional", "fixed", "dynamic"]),
    weights=st.lists(st.integers(0, 100), min_size=12, max_size=12),
    battery=st.tuples(amounts, amounts),
)
def test_sharing_properties(production, demand, method, weights, battery):
    consumptions = {f"p{i}": c for i, c in enumerate(demand)}
    keys = {f"p{i}": w for i, w in enumerate(weights)}
    charge, discharge = battery
    share = share_interval(
        production, consumptions, charge, discharge, method=method, keys=keys
    )
    available = max(0, production - charge) + discharge
    for name, used in consumptions.items():
        # solar + grid = consumption, both >= 0
        assert share.solar[name] + share.grid[name] == used
        assert 0 <= share.solar[name] <= used
    # the shares sum to the self-consumed energy exactly; never above what
    # production (and the battery) gave
    assert sum(share.solar.values()) == share.self_consumed
    assert share.self_consumed <= available
    assert share.self_consumed + share.export == available
    if method == "proportional":
        assert share.self_consumed == min(available, sum(demand))


# ------------------------------------------------------------
# tariff components pricing the solar or the grid part
# ------------------------------------------------------------


def test_energy_components_price_the_solar_and_grid_parts():
    """June: 300 kWh, of which 120 solar at 0.20 = 24.00 and 180 grid at
    0.30 = 54.00; a component without part prices all registers: 300 x 0.01
    = 3.00."""
    from meterkit.tariffs import Component, TariffVersion, Usage, evaluate

    version = TariffVersion(
        date(2026, 6, 1),
        (
            Component("s", "energy", "Solar", D("0.20"), part="solar"),
            Component("g", "energy", "Grid", D("0.30"), part="grid"),
            Component("m", "energy", "Metering", D("0.01")),
        ),
    )
    usage = Usage(
        date(2026, 6, 1),
        date(2026, 6, 30),
        consumption_by_register={"T1": D(300)},
        consumption_by_part={"solar": D(120), "grid": D(180)},
    )
    lines = evaluate(version, usage, 30)
    assert [(line.quantity, line.amount) for line in lines] == [
        (D(120), D("24.00")),
        (D(180), D("54.00")),
        (D(300), D("3.00")),
    ]
    with pytest.raises(MeterkitError, match="no solar part"):
        evaluate(version, Usage(date(2026, 6, 1), date(2026, 6, 30)), 30)
    with pytest.raises(MeterkitError, match="prices a part"):
        Component("x", "fixed", "Fee", D(1), part="solar")


@given(
    intervals=st.lists(
        st.tuples(
            amounts,  # production
            st.lists(amounts, min_size=3, max_size=3),  # consumptions
            st.tuples(st.integers(0, 200), st.integers(0, 200)),  # battery
            st.sampled_from([(1, "peak"), (1, "off"), (2, "peak")]),  # period, band
        ),
        max_size=12,
    ),
    method=st.sampled_from(["proportional", "fixed", "dynamic"]),
    battery=st.booleans(),
)
def test_share_series_sums_the_shares_of_its_intervals(intervals, method, battery):
    """share_series gives per period and band the sums of share_interval's
    results over the intervals (its lists and runs are only a faster way of
    getting them)."""
    names = ["a", "b", "c"]
    keys = {"a": 500, "b": 300, "c": 200}
    expected_solar = {}
    expected_month = {}
    for production, demand, (charge, discharge), (month, band) in intervals:
        if not battery:
            charge = discharge = 0
        share = share_interval(
            production,
            dict(zip(names, demand, strict=True)),
            charge,
            discharge,
            method=method,
            keys=keys,
        )
        for name, used in zip(names, demand, strict=True):
            totals = expected_solar.setdefault((name, month, band), [0, 0])
            totals[0] += used
            totals[1] += share.solar[name]
        figures = (
            production,
            sum(demand),
            share.self_consumed,
            share.export,
            share.import_,
            charge,
            discharge,
        )
        old = expected_month.get(month, (0,) * 7)
        expected_month[month] = tuple(a + b for a, b in zip(old, figures, strict=True))
    battery_lists = (
        ([i[2][0] for i in intervals], [i[2][1] for i in intervals])
        if battery
        else (None, None)
    )
    result = share_series(
        list(range(len(intervals))),
        [i[0] for i in intervals],
        {name: [i[1][k] for i in intervals] for k, name in enumerate(names)},
        month_of=[i[3][0] for i in intervals],
        band_of=lambda t: intervals[t][3][1],
        charge=battery_lists[0],
        discharge=battery_lists[1],
        method=method,
        keys=keys,
    )
    got_solar = {
        (name, month, band): [units(t.consumption), units(t.solar)]
        for (name, month), bands in result.participants.items()
        for band, t in bands.items()
    }
    assert got_solar == expected_solar
    for bands in result.participants.values():
        for totals in bands.values():
            assert totals.solar + totals.grid == totals.consumption
    got_month = {
        month: tuple(
            units(v)
            for v in (
                t.production,
                t.consumption,
                t.self_consumed,
                t.export,
                t.import_,
                t.charge,
                t.discharge,
            )
        )
        for month, t in result.community.items()
    }
    assert got_month == expected_month


# ------------------------------------------------------------
# a month's shares per participant and band, with its days
# ------------------------------------------------------------


def test_month_shares_gathers_days_per_band():
    """February 2026 (28 days), participant A: 1 Feb peak 2 kWh (solar 0.5),
    valley 1 kWh (solar 0); 3 Feb peak 1.5 kWh (solar 1.5); no other day.
    Peak: consumption 2 + 1.5 = 3.5 kWh, solar 0.5 + 1.5 = 2, grid 1.5,
    days [20000, 0, 15000, 0 ...]; valley: 1 kWh, solar 0, grid 1."""
    first = date(2026, 2, 1)
    daily = {
        ("A", first): {
            "peak": ShareTotals(D(2), D("0.5"), D("1.5")),
            "valley": ShareTotals(D(1), D(0), D(1)),
        },
        ("A", date(2026, 2, 3)): {"peak": ShareTotals(D("1.5"), D("1.5"), D(0))},
    }
    shares = month_shares(daily, first, 28)
    peak, valley = shares[("A", "peak")], shares[("A", "valley")]
    assert (peak.totals.consumption, peak.totals.solar, peak.totals.grid) == (
        D("3.5"),
        D(2),
        D("1.5"),
    )
    assert peak.consumption == [20000, 0, 15000] + [0] * 25
    assert peak.solar == [5000, 0, 15000] + [0] * 25
    assert peak.grid == [15000, 0, 0] + [0] * 25
    assert (valley.totals.consumption, valley.totals.grid) == (D(1), D(1))
    with pytest.raises(SolarDataError, match="not a day of the month"):
        month_shares({("A", date(2026, 3, 1)): {}}, first, 28)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # days 1..5 of January hold 1, 2, 3, 4, 5 x 0.0001 kWh
        (date(2026, 1, 1), date(2026, 1, 31), D("0.0015")),
        (date(2026, 1, 2), date(2026, 1, 3), D("0.0005")),  # 2 + 3
        (date(2025, 12, 1), date(2026, 1, 1), D("0.0001")),  # starts before
        (date(2026, 1, 5), date(2026, 2, 10), D("0.0005")),  # ends after
        (date(2026, 2, 1), date(2026, 2, 28), D(0)),  # outside
    ],
)
def test_period_share(start, end, expected):
    assert period_share([1, 2, 3, 4, 5], date(2026, 1, 1), start, end) == expected


@given(
    st.lists(st.integers(0, 10**6), min_size=28, max_size=31),
    st.integers(0, 30),
)
def test_period_share_split_adds_up(days, cut):
    """A month split at any day: the two parts add up to the whole."""
    first = date(2026, 1, 1)
    last = first + timedelta(days=len(days) - 1)
    middle = first + timedelta(days=min(cut, len(days) - 1))
    whole = period_share(days, first, first, last)
    parts = period_share(days, first, first, middle) + period_share(
        days, first, middle + timedelta(days=1), last
    )
    assert whole == parts == sum(days) * D("0.0001")
