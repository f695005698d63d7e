# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Month starts on a site's wall clock, where estimates are stored."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.estimates import (
    local_midnight_utc,
    missing_month_starts,
    month_before,
    month_starts,
)

ZURICH = "Europe/Zurich"


@pytest.mark.parametrize(
    ("day", "tz", "expected"),
    [
        (date(2025, 1, 1), None, datetime(2025, 1, 1)),
        (date(2025, 1, 1), "UTC", datetime(2025, 1, 1)),
        (date(2025, 1, 1), ZURICH, datetime(2024, 12, 31, 23)),  # CET, UTC+1
        (date(2025, 7, 1), ZURICH, datetime(2025, 6, 30, 22)),  # CEST, UTC+2
        (date(2025, 3, 1), "America/New_York", datetime(2025, 3, 1, 5)),
        (date(2025, 3, 1), "Asia/Kolkata", datetime(2025, 2, 28, 18, 30)),
    ],
)
def test_local_midnight_utc(day, tz, expected):
    assert local_midnight_utc(day, tz) == expected


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        (datetime(2025, 8, 1), None, datetime(2025, 7, 1)),
        (datetime(2025, 1, 1), None, datetime(2024, 12, 1)),
        # 1 April local (CEST) stands for March (CET): offsets differ
        (datetime(2025, 3, 31, 22), ZURICH, datetime(2025, 2, 28, 23)),
        (datetime(2024, 12, 31, 23), ZURICH, datetime(2024, 11, 30, 23)),
    ],
)
def test_month_before(instant, tz, expected):
    assert month_before(instant, tz) == expected


@pytest.mark.parametrize(
    ("after", "until", "tz", "expected"),
    [
        (datetime(2025, 7, 1), datetime(2025, 7, 1), None, []),  # strictly after
        (
            datetime(2025, 7, 1),
            datetime(2025, 9, 1),
            None,
            [datetime(2025, 8, 1), datetime(2025, 9, 1)],  # until included
        ),
        (datetime(2025, 7, 15), datetime(2025, 8, 31), None, [datetime(2025, 8, 1)]),
        (
            datetime(2025, 2, 10),
            datetime(2025, 5, 1),
            ZURICH,
            [
                datetime(2025, 2, 28, 23),
                datetime(2025, 3, 31, 22),
                datetime(2025, 4, 30, 22),
            ],
        ),
        # a UTC instant already in the next local month
        (
            datetime(2025, 1, 31, 23, 30),
            datetime(2025, 3, 1),
            ZURICH,
            [datetime(2025, 2, 28, 23)],
        ),
    ],
)
def test_month_starts(after, until, tz, expected):
    assert month_starts(after, until, tz) == expected


@pytest.mark.parametrize(
    ("after", "until", "tz", "expected"),
    [
        # a reading at a month start closes the month before: the next month
        # start is missing
        (
            datetime(2025, 7, 1),
            datetime(2025, 9, 1),
            None,
            [datetime(2025, 8, 1), datetime(2025, 9, 1)],
        ),
        # a reading inside July: the month ending on 1 August holds it
        (datetime(2025, 7, 15), datetime(2025, 9, 1), None, [datetime(2025, 9, 1)]),
        (datetime(2025, 7, 15), datetime(2025, 8, 31), None, []),
        (
            datetime(2025, 2, 28, 23),  # 1 March local, Zurich
            datetime(2025, 5, 1),
            ZURICH,
            [datetime(2025, 3, 31, 22), datetime(2025, 4, 30, 22)],
        ),
    ],
)
def test_missing_month_starts(after, until, tz, expected):
    assert missing_month_starts(after, until, tz) == expected


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([None, ZURICH, "America/New_York", "Australia/Sydney"]),
)
def test_month_starts_are_ordered_local_month_starts(after, months, tz):
    until = datetime(after.year + months // 12 + 1, 1, 1)
    starts = month_starts(after, until, tz)
    assert starts == sorted(set(starts))
    assert all(after < start <= until for start in starts)
    for start in starts:
        assert month_before(start, tz) < start
        assert start in month_starts(month_before(start, tz), start, tz)
