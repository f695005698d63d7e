# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading governance: submission windows, expired verification, the nightly
verification decision, and data-quality checks across meters."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import ConsumptionResult, MeterRules, ReadingPoint, admission_error, codes
from meterkit.admission import in_window, local_day
from meterkit.quality import balance_issue, limit_issues, replacement_issue
from meterkit.validation import validate_series
from meterkit.verification import (
    RULE_COMMISSIONING,
    RULE_LAST_VERIFICATION,
    RULE_NEXT_DATE,
    add_years,
    verification_check,
)

WINDOW = MeterRules(window=(15, 25), tz="Europe/Zurich")


@pytest.mark.parametrize(
    ("rules", "read_at", "code"),
    [
        (WINDOW, datetime(2025, 3, 15, 0, 0), None),
        (WINDOW, datetime(2025, 3, 25, 12, 0), None),
        (WINDOW, datetime(2025, 3, 14, 12, 0), codes.OUTSIDE_WINDOW),
        (WINDOW, datetime(2025, 3, 26, 0, 0), codes.OUTSIDE_WINDOW),
        # 23:30 UTC on the 14th is the 15th in Zurich (UTC+1 in March)
        (WINDOW, datetime(2025, 3, 14, 23, 30), None),
        # 22:30 UTC on the 25th is the 26th in Zurich in summer (UTC+2)
        (WINDOW, datetime(2025, 7, 25, 22, 30), codes.OUTSIDE_WINDOW),
        (
            MeterRules(window=(15, 25)),
            datetime(2025, 3, 14, 23, 30),
            codes.OUTSIDE_WINDOW,
        ),
        (MeterRules(window=(25, 5)), datetime(2025, 3, 2), None),
        (MeterRules(window=(25, 5)), datetime(2025, 3, 28), None),
        (MeterRules(window=(25, 5)), datetime(2025, 3, 10), codes.OUTSIDE_WINDOW),
        (MeterRules(window=(20, 31)), datetime(2025, 2, 28), None),
        (MeterRules(window=(15, 25)), date(2025, 3, 20), None),
        (
            MeterRules(verification_until=date(2025, 3, 1)),
            datetime(2025, 3, 1, 23, 0),
            None,
        ),
        (
            MeterRules(verification_until=date(2025, 3, 1)),
            datetime(2025, 3, 2),
            codes.VERIFICATION_EXPIRED,
        ),
        # expired verification is checked before the window
        (
            MeterRules(verification_until=date(2025, 3, 1), window=(15, 25)),
            datetime(2025, 3, 2),
            codes.VERIFICATION_EXPIRED,
        ),
        (
            MeterRules(blocked=codes.READINGS_DISABLED, window=(15, 25)),
            datetime(2025, 3, 20),
            codes.READINGS_DISABLED,
        ),
        # integers only is decimals=0
        (MeterRules(decimals=0, window=(1, 31)), datetime(2025, 3, 20), None),
    ],
)
def test_admission_governance(rules, read_at, code):
    assert admission_error(rules, "T1", read_at, D(12)) == code


def test_integers_only():
    rules = MeterRules(decimals=0, window=(1, 31))
    assert admission_error(rules, "T1", datetime(2025, 3, 1), D("12.5")) == (
        codes.NOT_INTEGER
    )


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(1, 31),
    st.integers(1, 31),
)
def test_window_wrap_is_the_complement(day, first, last):
    """A wrapped window 25..5 accepts exactly the days 6..24 refuses."""
    if first > last + 1:
        assert in_window(day, first, last) != in_window(day, last + 1, first - 1)


def test_local_day_of_a_date_is_itself():
    assert local_day(date(2025, 1, 1), "Asia/Tokyo") == date(2025, 1, 1)


TODAY = date(2026, 5, 10)


@pytest.mark.parametrize(
    ("kwargs", "due", "rule", "deadline"),
    [
        ({}, None, None, None),
        ({"commissioning": date(2010, 1, 1)}, None, None, None),  # no interval
        ({"last_date": date(2010, 1, 1)}, None, None, None),
        ({"next_date": date(2026, 5, 10)}, False, RULE_NEXT_DATE, date(2026, 5, 10)),
        ({"next_date": date(2026, 5, 9)}, True, RULE_NEXT_DATE, date(2026, 5, 9)),
        # the next date decides alone, even when older data says otherwise
        (
            {
                "next_date": date(2027, 1, 1),
                "commissioning": date(2010, 1, 1),
                "interval_years": 4,
            },
            False,
            RULE_NEXT_DATE,
            date(2027, 1, 1),
        ),
        (
            {"last_date": date(2022, 5, 10), "interval_years": 4},
            False,
            RULE_LAST_VERIFICATION,
            date(2026, 5, 10),
        ),
        (
            {"last_date": date(2022, 5, 9), "interval_years": 4},
            True,
            RULE_LAST_VERIFICATION,
            date(2026, 5, 9),
        ),
        # the last verification wins over the commissioning
        (
            {
                "last_date": date(2024, 1, 1),
                "commissioning": date(2010, 1, 1),
                "interval_years": 6,
            },
            False,
            RULE_LAST_VERIFICATION,
            date(2030, 1, 1),
        ),
        (
            {"commissioning": date(2020, 5, 11), "interval_years": 6},
            False,
            RULE_COMMISSIONING,
            date(2026, 5, 11),
        ),
        (
            {"commissioning": date(2019, 5, 11), "interval_years": 6},
            True,
            RULE_COMMISSIONING,
            date(2025, 5, 11),
        ),
        ({"commissioning": date(2019, 5, 11), "interval_years": 0}, None, None, None),
    ],
)
def test_verification_check(kwargs, due, rule, deadline):
    decision = verification_check(TODAY, **kwargs)
    assert (decision.due, decision.rule, decision.deadline) == (due, rule, deadline)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2020, 6, 30), 6, date(2026, 6, 30)),
    ],
)
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected


def _result(cons, key=1):
    return ConsumptionResult(key, datetime(2025, 3, 1), D(10), D(cons))


@pytest.mark.parametrize(
    ("cons", "minimum", "maximum", "code"),
    [
        (5, None, None, None),
        (5, 1, 10, None),
        (10, 1, 10, None),
        (11, 1, 10, codes.ABOVE_LIMIT),
        (0, 1, 10, codes.BELOW_LIMIT),
        (0, None, 10, None),
    ],
)
def test_limit_issues(cons, minimum, maximum, code):
    issues = limit_issues([_result(cons)], minimum=minimum, maximum=maximum)
    assert [issue.code for issue in issues] == ([code] if code else [])


@pytest.mark.parametrize(
    ("main", "subs", "tolerance", "severity"),
    [
        (100, [50, 45], 5, None),
        (100, [50, 44], 5, "warning"),
        (100, [50, 56], 5, "error"),
        (100, [50, 55], 5, None),
        (0, [0], 5, None),
        (0, [1], 5, "error"),
        (100, [], 5, "warning"),
    ],
)
def test_balance_issue(main, subs, tolerance, severity):
    issue = balance_issue(D(main), [D(s) for s in subs], D(tolerance), key="M")
    assert (issue.severity if issue else None) == severity
    if issue:
        assert issue.code == codes.BALANCE_MISMATCH
        assert issue.key == "M"


def test_replacement_issue():
    assert replacement_issue(True) is None
    issue = replacement_issue(False, key=7, label="meter HW-1")
    assert issue.code == codes.REPLACEMENT_WITHOUT_CLOSING
    assert "HW-1" in issue.message


@pytest.mark.parametrize(
    ("opening", "require", "codes_"),
    [
        (False, False, []),
        (False, True, [codes.MISSING_PREVIOUS]),
        (True, True, []),
    ],
)
def test_missing_previous(opening, require, codes_):
    points = [
        ReadingPoint(datetime(2025, 1, 1), D(10), opening=opening, key=1),
        ReadingPoint(datetime(2025, 2, 1), D(20), key=2),
    ]
    issues = validate_series(points, require_previous=require)
    assert [issue.code for issue in issues] == codes_


def test_new_codes_are_described():
    for code in (
        codes.OUTSIDE_WINDOW,
        codes.VERIFICATION_EXPIRED,
        codes.READINGS_DISABLED,
        codes.CONSUMPTION_SPIKE,
        codes.ABOVE_LIMIT,
        codes.BELOW_LIMIT,
        codes.BALANCE_MISMATCH,
    ):
        assert codes.DESCRIPTIONS[code]
        assert code == code.lower()
