# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The owner statement, the grid meter reconciliation and the ratios of a
self-consumption community (meterkit.solar_owner, RULES.md §2.1-2.2)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.solar import clean_list, clean_series
from meterkit.solar_owner import grid_difference, owner_statement, ratio

D = Decimal
Q = timedelta(minutes=15)
T0 = datetime(2026, 6, 1)


@pytest.mark.parametrize(
    ("lines", "export_kwh", "price", "dso", "fee", "expected"),
    [
        # 93 x 0.20 = 18.60 and 279 x 0.20 = 55.80: 372 kWh, 74.40; export
        # 248 x 0.085 = 21.08; net 74.40 + 21.08 - 500 - 30 = -434.52
        (
            [(D(93), D("18.60")), (D(279), D("55.80"))],
            D(248),
            D("0.085"),
            D(500),
            D(30),
            (D(372), D("74.40"), D("21.08"), D("-434.52")),
        ),
        # 10.5 x 0.0775 = 0.81375 -> 0.81 (half-up at the cent)
        ([], D("10.5"), D("0.0775"), D(0), D(0), (D(0), D(0), D("0.81"), D("0.81"))),
        # 1 x 0.125 = 0.125 -> 0.13 (a tie rounds up)
        (
            [(D(1), D(1))],
            D(1),
            D("0.125"),
            D(0),
            D(0),
            (D(1), D(1), D("0.13"), D("1.13")),
        ),
    ],
)
def test_owner_statement(lines, export_kwh, price, dso, fee, expected):
    statement = owner_statement(lines, export_kwh, price, dso, fee)
    assert (
        statement.solar_kwh,
        statement.solar_amount,
        statement.export_amount,
        statement.net_amount,
    ) == expected


@pytest.mark.parametrize(
    ("meter", "computed", "tolerance", "expected"),
    [
        # 2630 - 2604 = 26 <= 1 % x 2630 = 26.3: not flagged
        (D(2630), D(2604), D(1), (D(26), False)),
        # 2640 - 2604 = 36 > 26.4: flagged
        (D(2640), D(2604), D(1), (D(36), True)),
        # the meter under the computed value: 240 - 248 = -8 > 2 % x 248 = 4.96
        (D(240), D(248), D(2), (D(-8), True)),
        # nothing on either side
        (D(0), D(0), D(1), (D(0), False)),
        # no meter data at all: -372 flagged
        (D(0), D(372), D(5), (D(-372), True)),
    ],
)
def test_grid_difference(meter, computed, tolerance, expected):
    assert grid_difference(meter, computed, tolerance) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (D(372), D(2976), D("12.50")),
        (D(372), D(620), D("60.00")),
        (D(1), D(3), D("33.33")),
        (D(2), D(3), D("66.67")),
        (D(5), D(0), None),
    ],
)
def test_ratio(part, whole, expected):
    assert ratio(part, whole) == expected


@given(
    st.decimals(min_value=0, max_value=10**6, places=4),
    st.decimals(min_value=0, max_value=10**6, places=4),
)
def test_grid_difference_symmetric_flag(a, b):
    """The flag does not depend on which side is the meter."""
    assert grid_difference(a, b, 1)[1] == grid_difference(b, a, 1)[1]


@given(
    st.lists(
        st.one_of(st.none(), st.integers(min_value=-50, max_value=500)),
        min_size=1,
        max_size=40,
    )
)
def test_clean_list_is_clean_series_on_the_grid(values):
    """meterkit.solar.clean_list (the array path of the sharing) cleans and
    flags exactly as clean_series does on the same values keyed by start."""
    starts = [T0 + k * Q for k in range(len(values))]
    rows = {s: v for s, v in zip(starts, values, strict=True) if v is not None}
    expected = clean_series("pv", rows, starts, D(1) / 4, production=True, scaled=True)
    assert clean_list("pv", list(values), starts, D(1) / 4, production=True) == expected
