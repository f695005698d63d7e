# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit.portal: the submission window a resident sees, and the monthly
comparisons of the consumption information."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.admission import in_window
from meterkit.portal import WindowState, change_percent, window_state


@pytest.mark.parametrize(
    ("today", "first", "last", "expected"),
    [
        # 15..25: before, on the first day, inside, on the deadline, after.
        (date(2026, 3, 10), 15, 25, (False, date(2026, 3, 15), date(2026, 3, 25), 5)),
        (date(2026, 3, 15), 15, 25, (True, date(2026, 3, 15), date(2026, 3, 25), 0)),
        (date(2026, 3, 20), 15, 25, (True, date(2026, 3, 15), date(2026, 3, 25), 0)),
        (date(2026, 3, 25), 15, 25, (True, date(2026, 3, 15), date(2026, 3, 25), 0)),
        (date(2026, 3, 26), 15, 25, (False, date(2026, 4, 15), date(2026, 4, 25), 20)),
        # 25..5 wraps over the month end.
        (date(2026, 1, 30), 25, 5, (True, date(2026, 1, 25), date(2026, 2, 5), 0)),
        (date(2026, 2, 3), 25, 5, (True, date(2026, 1, 25), date(2026, 2, 5), 0)),
        (date(2026, 2, 6), 25, 5, (False, date(2026, 2, 25), date(2026, 3, 5), 19)),
        # A last day of 31 is the end of every month (28 days in Feb 2026).
        (date(2026, 2, 10), 20, 31, (False, date(2026, 2, 20), date(2026, 2, 28), 10)),
    ],
)
def test_window_state(today, first, last, expected):
    assert window_state(today, first, last) == WindowState(*expected)


def test_no_window_is_always_open():
    assert window_state(date(2026, 3, 10), 0, 0) is None


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(1, 31),
    st.integers(1, 31),
)
def test_window_state_agrees_with_admission(today, first, last):
    """Every day the portal announces is accepted by the admission, the days
    around the window are not, and 'open' means accepted today."""
    state = window_state(today, first, last)
    if state is None:  # a window that never closes (e.g. 2..1)
        days = (today + timedelta(days=n) for n in range(-62, 63))
        assert all(in_window(day, first, last) for day in days)
        return
    assert state.is_open == in_window(today, first, last)
    day = state.opens_on
    while day <= state.closes_on:
        assert in_window(day, first, last)
        day += timedelta(days=1)
    assert not in_window(state.opens_on - timedelta(days=1), first, last)
    assert not in_window(state.closes_on + timedelta(days=1), first, last)
    assert state.opens_in == max((state.opens_on - today).days, 0)


@pytest.mark.parametrize(
    ("current", "reference", "expected"),
    [
        (D("110"), D("100"), 10),
        (D("90"), D("100"), -10),
        (D("100.5"), D("100"), 1),  # 0.5 % rounds half up
        (D("99.5"), D("100"), -1),  # -0.5 % rounds half away from zero
        (D("5"), D("0"), None),
        (D("5"), None, None),
        (None, D("5"), None),
    ],
)
def test_change_percent(current, reference, expected):
    assert change_percent(current, reference) == expected
