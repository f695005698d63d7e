# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Billing you can trust with money: monthly estimates and their settlement
(RULES.md §3.2), common-house needs (§3.4), annual tiers (§4.2) and degree-day
boundaries (§5.5)."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import ReadingPoint, codes
from meterkit.allocation import AllocationError, apportion_residual, round_money
from meterkit.estimates import (
    Interval,
    add_months,
    average_monthly_volume,
    degree_days,
    estimate_average,
    interpolate_degree_days,
    recalculated_consumption,
)
from meterkit.tariffs import (
    Component,
    TariffVersion,
    Tier,
    Usage,
    evaluate,
    split_tier_years,
    tier_year_base,
    tier_year_start,
)


def monthly(start, quantities):
    """Intervals of one month each from ``start``."""
    return [
        Interval(add_months(start, i), add_months(start, i + 1), D(q))
        for i, q in enumerate(quantities)
    ]


# ------------------------------------------------------------
# 3. Estimates: the average monthly volume (RU п. 59(б)), then the norm
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantities", "months", "expected"),
    [
        # 6 months of history: (31+28+31+30+31+30) = 181 / 6 months
        ([31, 28, 31, 30, 31, 30], 6, D(181) / 6),
        # 8 months of history: only the last 6 count: 600 / 6
        ([1000, 1000, 100, 100, 100, 100, 100, 100], 6, D(100)),
        # the meter worked 4 months: 40+50+60+70 = 220 / 4
        ([40, 50, 60, 70], 6, D(55)),
        # 3 months are the minimum: 30+60+90 = 180 / 3
        ([30, 60, 90], 6, D(60)),
        # 2 months are not enough: the norm applies
        ([30, 60], 6, None),
    ],
)
def test_average_monthly_volume(quantities, months, expected):
    history = monthly(datetime(2025, 1, 1), quantities)
    end = history[-1].end
    assert average_monthly_volume(history, end, months, 3) == expected


def test_average_monthly_volume_tolerates_an_hour_off():
    """Readings at local midnight in Europe/Zurich are 23:00 or 22:00 UTC: the
    months are local ones (Jan 1 00:00 CET = Dec 31 23:00 UTC); a history a
    few hours short of the window still covers it, filled pro rata."""
    end = datetime(2025, 6, 30, 22)
    history = [Interval(datetime(2024, 12, 31, 23), end, D(600))]
    assert average_monthly_volume(history, end, 6, 3, "Europe/Zurich") == 100
    # three hours short: 600 x window / covered / 6
    short = [Interval(datetime(2025, 1, 1, 2), end, D(600))]
    window = D(181 * 24 - 1)  # hours from Dec 31 23:00 to Jun 30 22:00
    assert (
        average_monthly_volume(short, end, 6, 3, "Europe/Zurich")
        == D(600) * window / (window - 3) / 6
    )


@pytest.mark.parametrize(
    ("instants", "expected"),
    [
        # July (31 days), August (31), September (30): 30 each, then the norm
        # 20 x 2 persons = 40 for October, whatever the days
        (
            [datetime(2025, 8, 1), datetime(2025, 9, 1), datetime(2025, 10, 1)],
            [D(30), D(30), D(30)],
        ),
        (
            [datetime(2025, 8, 1), datetime(2025, 9, 1), datetime(2025, 10, 1),
             datetime(2025, 11, 1), datetime(2025, 12, 1)],
            [D(30), D(30), D(30), D(40), D(40)],
        ),
    ],
)  # fmt: skip
def test_estimate_per_month_is_the_same_volume(instants, expected):
    """History Jan-Jun 2025: 180 in 6 months = 30 a month (RU п. 59: the same
    volume for every month it replaces), then the norm 40 a month (п. 60)."""
    history = monthly(datetime(2025, 1, 1), [10, 20, 30, 40, 50, 30])
    last = ReadingPoint(datetime(2025, 7, 1), D(1000))
    estimates = estimate_average(
        last,
        instants,
        history,
        months=6,
        max_periods=3,
        norm_monthly=D(40),
        per_month=True,
    )
    assert [e.consumption for e in estimates] == expected


def test_estimate_per_month_after_a_reading_inside_a_month():
    """Last reading on July 11 (21 days before August 1); the estimate at
    September 1 replaces August: 30 + 30 x 21 / 30.436875 for the July days."""
    history = monthly(datetime(2025, 1, 11), [30] * 6)
    last = ReadingPoint(datetime(2025, 7, 11), D(0))
    (estimate,) = estimate_average(
        last, [datetime(2025, 9, 1)], history, per_month=True
    )
    expected = D(30) + D(30) * 21 / D("30.436875")
    assert abs(estimate.consumption - expected) < D("1e-20")


def test_estimate_per_month_needs_three_months():
    history = monthly(datetime(2025, 5, 1), [30, 30])
    last = ReadingPoint(datetime(2025, 7, 1), D(0))
    (estimate,) = estimate_average(
        last, [datetime(2025, 8, 1)], history, norm_monthly=D(7), per_month=True
    )
    assert (estimate.basis, estimate.consumption) == ("norm", D(7))


# ------------------------------------------------------------
# 3. The late real reading settles the estimates (RU п. 61)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("consumption", "real", "billed", "kwargs", "expected"),
    [
        # billed up to 1250 on estimates, real 1290: +40 with the period
        (D(210), D(1290), D(1250), {}, (D(250), D(40))),
        # over-estimated: credited
        (D(210), D(1200), D(1250), {}, (D(160), D(-50))),
        # multiplier 10 (CT ratio)
        (D(100), D(12), D(10), {"multiplier": 10}, (D(120), D(20))),
        # the estimate wrapped past 99999, the real value did not
        (D(5), D(99990), D(10), {"rollover_value": D(100000)}, (D(-15), D(-20))),
        # the real value wrapped, the estimate did not
        (D(5), D(10), D(99990), {"rollover_value": D(100000)}, (D(25), D(20))),
    ],
)
def test_recalculated_consumption(consumption, real, billed, kwargs, expected):
    assert recalculated_consumption(consumption, real, billed, **kwargs) == expected


@given(
    st.lists(st.integers(0, 500), min_size=2, max_size=12),
    st.lists(st.one_of(st.none(), st.integers(-200, 200)), min_size=12, max_size=12),
)
def test_periods_together_bill_exactly_the_real_consumption(monthly_use, errors):
    """Each period starts where the previous one was billed: at the estimate
    (real value + error) when the boundary was estimated, at the real value
    otherwise; the real values become known later."""
    real = [D(1000)]
    for quantity in monthly_use:
        real.append(real[-1] + quantity)
    billed_at = list(real)
    for index in range(1, len(real) - 1):  # the last boundary is real
        if errors[index] is not None:
            billed_at[index] = max(D(0), real[index] + errors[index])
    total = D(0)
    for index in range(1, len(real)):
        # the period billed up to billed_at[index] (estimated or real) ...
        consumption = billed_at[index] - real[index - 1]
        # ... from where the previous one stopped
        quantity, _delta = recalculated_consumption(
            consumption, real[index - 1], billed_at[index - 1]
        )
        total += quantity
    assert total == real[-1] - real[0]


# ------------------------------------------------------------
# 4. Common-house needs from the main meter (RU ОДН)
# ------------------------------------------------------------


def test_residual_by_area():
    """Main 1000, units 890: 110 kWh at 0.20 = 22.00 on 80 / 40 / 30 m2:
    110 x 80/150 = 58.667 -> 58.667 kWh and 22 x 80/150 = 11.7333 -> 11.73;
    110 x 40/150 = 29.333, 5.8666 -> 5.87 (largest remainder);
    110 x 30/150 = 22.000, 4.40."""
    residual, shares = apportion_residual(
        D(1000), D(890), {"A1": D(80), "A2": D(40), "C": D(30)}, D("0.20")
    )
    assert residual == 110
    assert shares == {
        "A1": (D("58.667"), D("11.73")),
        "A2": (D("29.333"), D("5.87")),
        "C": (D("22.000"), D("4.40")),
    }


def test_negative_residual_is_credited():
    """Main 800, units 890: -90 kWh at 0.20 = -18.00, 2:1 -> -12.00 / -6.00."""
    residual, shares = apportion_residual(
        D(800), D(890), {"A1": D(80), "A2": D(40)}, D("0.20")
    )
    assert residual == -90
    assert shares == {"A1": (D(-60), D("-12.00")), "A2": (D(-30), D("-6.00"))}


def test_residual_without_area_is_refused():
    with pytest.raises(AllocationError) as info:
        apportion_residual(D(10), D(0), {"A1": D(0)}, D(1))
    assert info.value.code == codes.ZERO_WEIGHTS


@given(
    st.integers(-(10**6), 10**6),
    st.lists(st.integers(0, 500), min_size=1, max_size=20).filter(any),
    st.integers(0, 10**4),
)
def test_residual_shares_sum_exactly(residual, areas, price_cents):
    price = D(price_cents) / 100
    keys = {f"U{i}": D(a) for i, a in enumerate(areas)}
    total, shares = apportion_residual(D(residual) / 1000, D(0), keys, price)
    assert sum(q for q, _a in shares.values()) == total.quantize(D("0.001"))
    assert sum(a for _q, a in shares.values()) == round_money(total * price)


# ------------------------------------------------------------
# 5. Annual tiers count from the start of the tier year
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "first_month", "expected"),
    [
        (date(2026, 3, 15), 1, date(2026, 1, 1)),
        (date(2026, 1, 1), 1, date(2026, 1, 1)),
        (date(2026, 3, 15), 7, date(2025, 7, 1)),
        (date(2026, 7, 1), 7, date(2026, 7, 1)),
    ],
)
def test_tier_year_start(day, first_month, expected):
    assert tier_year_start(day, first_month) == expected


def test_split_tier_years():
    assert split_tier_years(date(2025, 12, 1), date(2026, 2, 28)) == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 2, 28)),
    ]
    assert split_tier_years(date(2026, 1, 1), date(2026, 1, 31)) == [
        (date(2026, 1, 1), date(2026, 1, 31))
    ]


def test_tier_year_base():
    counted = [
        (date(2025, 12, 1), date(2025, 12, 31), D(900)),  # last year
        (date(2026, 1, 1), date(2026, 1, 31), D(1500)),
        (date(2026, 2, 1), date(2026, 2, 28), D(1000)),
        (date(2026, 3, 1), date(2026, 3, 31), D(400)),  # not before March
    ]
    assert tier_year_base(counted, date(2026, 3, 1)) == 2500


def test_zhejiang_month_straddles_the_annual_threshold():
    """Zhejiang (RULES.md §4.2): <= 2760 kWh a year at 0.538, 2761-4800 at
    0.588. 2500 kWh counted in January-February; March uses 600 kWh:
    260 x 0.538 = 139.88 and 340 x 0.588 = 199.92."""
    component = Component(
        code="e",
        kind="tiered",
        label="Electricity",
        tiers=(
            Tier(D(2760), D("0.538")),
            Tier(D(4800), D("0.588")),
            Tier(None, D("0.838")),
        ),
    )
    version = TariffVersion(date(2026, 1, 1), (component,))
    counted = [
        (date(2026, 1, 1), date(2026, 1, 31), D(1500)),
        (date(2026, 2, 1), date(2026, 2, 28), D(1000)),
    ]
    usage = Usage(
        date(2026, 3, 1),
        date(2026, 3, 31),
        consumption_by_register={"T1": D(600)},
        tier_base=tier_year_base(counted, date(2026, 3, 1)),
    )
    lines = evaluate(version, usage, 31)
    assert [(line.quantity, line.amount) for line in lines] == [
        (D(260), D("139.88")),
        (D(340), D("199.92")),
    ]


# ------------------------------------------------------------
# 7. Degree-day boundaries (RULES.md §5.5)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Jan 1 -> Apr 1: 170 + 150 + 130 = 450 per mille for 900 kWh
        (datetime(2025, 2, 1), D(340)),  # 900 x 170 / 450
        (datetime(2025, 3, 1), D(640)),  # 900 x 320 / 450
        (datetime(2025, 1, 1), D(0)),
        (datetime(2025, 4, 1), D(900)),
    ],
)
def test_interpolate_degree_days(at, expected):
    before = ReadingPoint(datetime(2025, 1, 1), D(0))
    after = ReadingPoint(datetime(2025, 4, 1), D(900))
    assert interpolate_degree_days(before, after, at) == expected


def test_interpolate_degree_days_differs_from_linear():
    """Mid-February (Feb 15 00:00, 14 of 28 days): degree-days 170 + 75 = 245
    of 450 -> 900 x 245/450 = 490; linear would give 900 x 45/90 = 450."""
    before = ReadingPoint(datetime(2025, 1, 1), D(0))
    after = ReadingPoint(datetime(2025, 4, 1), D(900))
    assert degree_days(datetime(2025, 1, 1), datetime(2025, 2, 15)) == 245
    assert interpolate_degree_days(before, after, datetime(2025, 2, 15)) == 490
