# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Averages, unusual consumption and estimated readings (RULES.md §3.2, §5.5)."""

from datetime import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import ReadingError, ReadingPoint, codes
from meterkit.errors import MeterkitError
from meterkit.estimates import (
    DAYS_PER_MONTH,
    DEGREE_DAY_PERMILLE,
    Interval,
    add_months,
    average_monthly,
    consumption_anomaly,
    degree_days,
    estimate_average,
    estimate_degree_days,
    estimate_last_year,
    quantity_between,
)


def month_ends(year, months, start_month=1, qty=30):
    """Monthly intervals from the 1st of ``start_month``, ``qty`` each."""
    intervals = []
    start = datetime(year, start_month, 1)
    for _ in range(months):
        end = add_months(start, 1)
        intervals.append(Interval(start, end, D(qty)))
        start = end
    return intervals


@pytest.mark.parametrize(
    ("instant", "months", "expected"),
    [
        (datetime(2025, 1, 31), 1, datetime(2025, 2, 28)),
        (datetime(2024, 1, 31), 1, datetime(2024, 2, 29)),
        (datetime(2025, 3, 31), -1, datetime(2025, 2, 28)),
        (datetime(2025, 12, 15, 8), 1, datetime(2026, 1, 15, 8)),
        (datetime(2025, 1, 15), -13, datetime(2023, 12, 15)),
    ],
)
def test_add_months(instant, months, expected):
    assert add_months(instant, months) == expected


def test_quantity_between_is_pro_rata():
    intervals = [Interval(datetime(2025, 1, 1), datetime(2025, 1, 11), D(100))]
    assert quantity_between(intervals, datetime(2025, 1, 6), datetime(2025, 2, 1)) == (
        D(50),
        D(5),
    )
    assert quantity_between(intervals, datetime(2025, 2, 1), datetime(2025, 3, 1)) == (
        D(0),
        D(0),
    )


@pytest.mark.parametrize(
    ("history", "end", "months", "expected"),
    [
        ([], datetime(2025, 4, 1), 3, None),
        # 90 days, 90 units: one a day
        (
            [Interval(datetime(2025, 1, 1), datetime(2025, 4, 1), D(90))],
            datetime(2025, 4, 1),
            3,
            DAYS_PER_MONTH,
        ),
        # a meter younger than the window is averaged over its working time
        (
            [Interval(datetime(2025, 3, 1), datetime(2025, 4, 1), D(62))],
            datetime(2025, 4, 1),
            6,
            2 * DAYS_PER_MONTH,
        ),
    ],
)
def test_average_monthly(history, end, months, expected):
    assert average_monthly(history, end, months) == expected


def test_average_monthly_min_days():
    history = [Interval(datetime(2025, 3, 1), datetime(2025, 4, 1), D(62))]
    assert average_monthly(history, datetime(2025, 4, 1), 6, min_days=90) is None


HISTORY = [Interval(datetime(2025, 1, 1), datetime(2025, 4, 1), D(90))]


@pytest.mark.parametrize(
    ("consumption", "end", "factor", "anomalous"),
    [
        (D(30), datetime(2025, 5, 1), D(3), False),
        (D(90), datetime(2025, 5, 1), D(3), False),  # exactly 3 x is not above
        (D(91), datetime(2025, 5, 1), D(3), True),
        (D(61), datetime(2025, 5, 1), D(2), True),
        # a short interval expects less
        (D(10), datetime(2025, 4, 2), D(3), True),
    ],
)
def test_consumption_anomaly(consumption, end, factor, anomalous):
    check = consumption_anomaly(
        consumption, datetime(2025, 4, 1), end, HISTORY, factor=factor
    )
    assert check.anomalous is anomalous
    assert check.average_monthly == DAYS_PER_MONTH


@pytest.mark.parametrize(
    "history", [[], [Interval(datetime(2025, 1, 1), datetime(2025, 4, 1), D(0))]]
)
def test_no_anomaly_without_a_positive_average(history):
    check = consumption_anomaly(
        D(1000), datetime(2025, 4, 1), datetime(2025, 5, 1), history
    )
    assert not check.anomalous
    assert check.ratio is None


def test_anomaly_factor_must_be_positive():
    with pytest.raises(MeterkitError) as info:
        consumption_anomaly(
            D(1), datetime(2025, 4, 1), datetime(2025, 5, 1), [], factor=D(0)
        )
    assert info.value.code == codes.INVALID_ARGUMENT


LAST = ReadingPoint(datetime(2025, 7, 1), D(1000))
SIX_MONTHS = [Interval(datetime(2025, 1, 1), datetime(2025, 7, 1), D(181))]  # 1/day


def test_estimate_average_then_norm():
    instants = [add_months(LAST.read_at, n) for n in range(1, 6)]
    estimates = estimate_average(
        LAST,
        instants,
        SIX_MONTHS,
        months=6,
        max_periods=3,
        norm_monthly=D(10),
        decimals=0,
    )
    assert [e.basis for e in estimates] == ["average"] * 3 + ["norm"] * 2
    # July 31 days, August 31, September 30 at 1 a day; then 10 a month
    assert [e.consumption for e in estimates] == [D(31), D(31), D(30), D(10), D(10)]
    assert [e.value for e in estimates] == [D(1031), D(1062), D(1092), D(1102), D(1112)]


def test_estimate_average_rounds_the_cumulative_value():
    history = [Interval(datetime(2025, 1, 1), datetime(2025, 7, 1), D(100))]
    instants = [add_months(LAST.read_at, n) for n in range(1, 4)]
    estimates = estimate_average(LAST, instants, history, months=6, decimals=0)
    exact = D(100) / 181 * 92
    assert (
        sum(e.consumption for e in estimates) == (D(1000) + exact).quantize(D(1)) - 1000
    )


def test_estimate_average_without_history_or_norm():
    with pytest.raises(ReadingError) as info:
        estimate_average(LAST, [datetime(2025, 8, 1)], [], months=6)
    assert info.value.code == codes.MISSING_PREVIOUS
    # the norm takes over at once without history
    estimates = estimate_average(
        LAST, [datetime(2025, 8, 1)], [], norm_monthly=DAYS_PER_MONTH, decimals=0
    )
    assert estimates[0].basis == "norm"
    assert estimates[0].consumption == D(31)


def test_estimate_average_past_the_limit_without_norm():
    instants = [add_months(LAST.read_at, n) for n in range(1, 5)]
    with pytest.raises(ReadingError, match="more than 3"):
        estimate_average(LAST, instants, SIX_MONTHS, months=6, max_periods=3)


def test_estimate_average_wraps_the_counter():
    last = ReadingPoint(datetime(2025, 7, 1), D(99990))
    estimates = estimate_average(
        last, [datetime(2025, 8, 1)], SIX_MONTHS, decimals=0, rollover_value=D(100000)
    )
    assert (estimates[0].value, estimates[0].consumption, estimates[0].rolled_over) == (
        D(21),
        D(31),
        True,
    )


@pytest.mark.parametrize(
    "instants",
    [[datetime(2025, 7, 1)], [datetime(2025, 9, 1), datetime(2025, 8, 1)]],
)
def test_estimate_instants_must_follow(instants):
    with pytest.raises(ReadingError) as info:
        estimate_average(LAST, instants, SIX_MONTHS, norm_monthly=D(1))
    assert info.value.code == codes.OUT_OF_ORDER


def test_estimate_last_year():
    # 2024: July 10 a day, August 20 a day
    history = [
        Interval(datetime(2024, 7, 1), datetime(2024, 8, 1), D(310)),
        Interval(datetime(2024, 8, 1), datetime(2024, 9, 1), D(620)),
    ]
    estimates = estimate_last_year(
        LAST, [datetime(2025, 8, 1), datetime(2025, 9, 1)], history, decimals=0
    )
    assert [e.consumption for e in estimates] == [D(310), D(620)]
    assert [e.basis for e in estimates] == ["last_year", "last_year"]
    with pytest.raises(ReadingError) as info:
        estimate_last_year(LAST, [datetime(2025, 10, 1)], history)
    assert info.value.code == codes.MISSING_PREVIOUS


def test_degree_day_table_sums_to_1000():
    tiny = D("1e-20")
    assert abs(sum(DEGREE_DAY_PERMILLE.values()) - 1000) < tiny
    assert abs(degree_days(datetime(2025, 1, 1), datetime(2026, 1, 1)) - 1000) < tiny
    assert degree_days(datetime(2025, 1, 1), datetime(2025, 2, 1)) == 170
    assert degree_days(datetime(2025, 1, 1), datetime(2025, 1, 1, 12)) == D(85) / 31


def test_estimate_degree_days():
    before = ReadingPoint(datetime(2025, 1, 1), D(0))
    after = ReadingPoint(datetime(2025, 4, 1), D(450))  # Jan+Feb+Mar = 450 per mille
    estimates = estimate_degree_days(
        before, after, [datetime(2025, 2, 1), datetime(2025, 3, 1)], decimals=0
    )
    assert [e.value for e in estimates] == [D(170), D(320)]
    assert [e.consumption for e in estimates] == [D(170), D(150)]
    with pytest.raises(ReadingError) as info:
        estimate_degree_days(before, after, [datetime(2025, 4, 1)])
    assert info.value.code == codes.OUT_OF_ORDER


@given(
    st.lists(st.integers(0, 1000), min_size=1, max_size=12),
    st.integers(1, 12),
)
def test_average_estimates_never_go_down(quantities, periods):
    history = [
        Interval(
            add_months(datetime(2024, 1, 1), i),
            add_months(datetime(2024, 1, 1), i + 1),
            D(q),
        )
        for i, q in enumerate(quantities)
    ]
    last = ReadingPoint(history[-1].end, D(5000))
    instants = [add_months(last.read_at, n) for n in range(1, periods + 1)]
    estimates = estimate_average(
        last, instants, history, months=6, max_periods=3, norm_monthly=D(7), decimals=2
    )
    values = [last.value] + [e.value for e in estimates]
    assert values == sorted(values)
    assert sum(e.consumption for e in estimates) == values[-1] - last.value
