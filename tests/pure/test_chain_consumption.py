# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""chain_consumption: the bulk path's maths agrees with consumption()."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import ReadingError, chain_consumption, codes, consumption

D = Decimal


@pytest.mark.parametrize(
    ("previous", "values", "multiplier", "expected"),
    [
        (None, [D("10")], 1, [D(0)]),
        (None, [D("10"), D("12.5"), D("12.5")], 1, [D(0), D("2.5"), D(0)]),
        (D("5"), [D("10"), D("30")], 1, [D(5), D(20)]),
        (D("5"), [D("10")], D("40"), [D(200)]),
        (D("0.001"), [D("0.003")], D("0.5"), [D("0.001")]),
        (None, [], 1, []),
    ],
)
def test_table(previous, values, multiplier, expected):
    assert chain_consumption(previous, values, multiplier=multiplier) == expected


@pytest.mark.parametrize(
    ("previous", "values", "row"),
    [(D(10), [D(9)], 0), (None, [D(1), D(2), D("1.99")], 2), (D(0), [D(5), D(4)], 1)],
)
def test_going_down_names_the_row(previous, values, row):
    with pytest.raises(ReadingError) as error:
        chain_consumption(previous, values)
    assert error.value.code == codes.NEGATIVE_CONSUMPTION
    assert error.value.row == row


values_st = st.lists(
    st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False),
    max_size=30,
)


@given(
    previous=st.none() | st.decimals(min_value=0, max_value=10**9, places=3),
    values=values_st,
    multiplier=st.decimals(min_value="0.001", max_value=1000, places=3),
)
def test_agrees_with_consumption_pairwise(previous, values, multiplier):
    expected = []
    prev = previous
    try:
        for value in values:
            expected.append(consumption(prev, value, multiplier=multiplier))
            prev = value
    except ReadingError as error:
        with pytest.raises(ReadingError) as got:
            chain_consumption(previous, values, multiplier=multiplier)
        assert got.value.code == error.code
        return
    assert chain_consumption(previous, values, multiplier=multiplier) == expected
