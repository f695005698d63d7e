# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reading validation catalogue (meterkit.validation)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import (
    Issue,
    MeterkitError,
    ReadingError,
    ReadingPoint,
    codes,
    consumption_series,
    validate_series,
)

D = Decimal
T0 = datetime(2026, 1, 1)
E, W = "error", "warning"


def point(days, value, key=None, **kwargs):
    if isinstance(value, str):
        value = D(value)  # text values are test shorthand for Decimals
    return ReadingPoint(
        T0 + timedelta(days=days), value, key=key or f"r{days}", **kwargs
    )


def found(issues):
    return [(issue.code, issue.key, issue.severity) for issue in issues]


@pytest.mark.parametrize(
    ("points", "kwargs", "expected"),
    [
        ([], {}, []),
        ([point(0, "1")], {}, []),
        ([point(0, "1"), point(1, "2"), point(2, "2.5")], {}, []),
        ([point(0, "5"), point(1, "5")], {}, [(codes.EQUAL_READINGS, "r1", W)]),
        ([point(0, "5"), point(1, "4")], {}, [(codes.NEGATIVE_CONSUMPTION, "r1", E)]),
        (
            [point(1, "4"), point(0, "5")],
            {},
            [(codes.NEGATIVE_CONSUMPTION, "r1", E)],
        ),
        (
            [point(0, "99990"), point(1, "5", rolled_over=True)],
            {"rollover_value": D(100000)},
            [],
        ),
        (
            [point(0, "99990"), point(1, "5", rolled_over=True)],
            {},
            [(codes.ROLLOVER_IMPLAUSIBLE, "r1", E)],
        ),
        (
            [point(0, "5"), point(1, "10", rolled_over=True)],
            {"rollover_value": D(100)},
            [(codes.ROLLOVER_IMPLAUSIBLE, "r1", E)],
        ),
        (
            [point(0, "5"), point(1, "5", rolled_over=True)],
            {"rollover_value": D(100)},
            [(codes.ROLLOVER_IMPLAUSIBLE, "r1", E)],
        ),
        (
            [point(0, "5"), point(1, "100")],
            {"rollover_value": D(100)},
            [(codes.ABOVE_ROLLOVER, "r1", E)],
        ),
        (
            [point(0, "5", rolled_over=True)],
            {"rollover_value": D(100)},
            [],
        ),
        ([point(0, "5", rolled_over=True)], {}, []),
        ([point(0, "5"), point(1, "1", rolled_over=True, opening=True)], {}, []),
        (
            [point(0, "5"), point(0, "6", key="dup")],
            {},
            [(codes.DUPLICATE_INSTANT, "dup", E)],
        ),
        (
            [point(0, "5"), point(0, "5", key="dup")],
            {},
            [(codes.DUPLICATE_INSTANT, "dup", E)],
        ),
        (
            [point(0, "1"), point(10, "2")],
            {"commissioning": T0 + timedelta(days=5)},
            [(codes.BEFORE_COMMISSIONING, "r0", E)],
        ),
        (
            [point(0, "1"), point(5, "2")],
            {"commissioning": T0 + timedelta(days=5)},
            [(codes.BEFORE_COMMISSIONING, "r0", E)],
        ),
        (
            [point(0, "1"), point(10, "2")],
            {"archived_after": T0 + timedelta(days=5)},
            [(codes.ARCHIVED_METER, "r10", E)],
        ),
        (
            [point(0, "1"), point(5, "2")],
            {"archived_after": T0 + timedelta(days=5)},
            [],
        ),
        (
            [point(0, "1"), point(31, "2"), point(61, "3")],
            {"max_gap_days": 30},
            [(codes.GAP_TOO_LONG, "r31", W)],
        ),
        (
            [point(0, "1"), point(30, "2")],
            {"max_gap_days": 30},
            [],
        ),
        (
            [point(0, "1"), point(30.5, "2")],
            {"max_gap_days": 30},
            [(codes.GAP_TOO_LONG, "r30.5", W)],
        ),
        (
            [point(0, "1.25"), point(1, "2.5"), point(2, "2.50")],
            {"decimals": 1},
            [(codes.TOO_MANY_DECIMALS, "r0", E), (codes.EQUAL_READINGS, "r2", W)],
        ),
        (
            [point(0, "1.0"), point(1, "2.5")],
            {"decimals": 0},
            [(codes.NOT_INTEGER, "r1", E)],
        ),
        (
            [point(0, "-1"), point(1, "2")],
            {},
            [(codes.NEGATIVE_VALUE, "r0", E)],
        ),
        (
            [point(0, "1"), point(1, 2.5), point(2, None), point(3, "2")],
            {},
            [(codes.NOT_NUMERIC, "r1", E), (codes.NOT_NUMERIC, "r2", E)],
        ),
        (
            [point(0, "3"), point(1, D("NaN")), point(2, "1")],
            {},
            [(codes.NOT_NUMERIC, "r1", E), (codes.NEGATIVE_CONSUMPTION, "r2", E)],
        ),
        (
            [point(0, "3"), point(1, ["x"]), point(2, True), point(3, 4)],
            {},
            [(codes.NOT_NUMERIC, "r1", E), (codes.NOT_NUMERIC, "r2", E)],
        ),
        (
            # replacement: the new meter's opening reading is lower, and that is fine
            [point(0, "500"), point(1, "3", opening=True), point(2, "4")],
            {},
            [],
        ),
        (
            [point(0, "500"), point(40, "3", opening=True)],
            {"max_gap_days": 30},
            [(codes.GAP_TOO_LONG, "r40", W)],
        ),
        (
            # every problem of one reading is reported
            [point(0, "5"), point(10, "-1.25", rolled_over=True)],
            {
                "archived_after": T0 + timedelta(days=5),
                "decimals": 1,
                "max_gap_days": 7,
            },
            [
                (codes.ARCHIVED_METER, "r10", E),
                (codes.NEGATIVE_VALUE, "r10", E),
                (codes.TOO_MANY_DECIMALS, "r10", E),
                (codes.GAP_TOO_LONG, "r10", W),
                (codes.ROLLOVER_IMPLAUSIBLE, "r10", E),
            ],
        ),
    ],
)
def test_validate_series(points, kwargs, expected):
    issues = validate_series(points, **kwargs)
    assert found(issues) == expected
    assert all(isinstance(issue, Issue) for issue in issues)


def test_issue_messages_name_the_reading():
    issues = validate_series([point(0, "10", key=41), point(1, "9", key=42)])
    assert len(issues) == 1
    assert "42" in issues[0].message
    assert "2026-01-02" in issues[0].message
    assert "10" in issues[0].message and "9" in issues[0].message


def test_issue_is_frozen():
    issue = Issue(codes.EQUAL_READINGS, 1, "x", "warning")
    with pytest.raises(AttributeError):
        issue.code = "other"


def test_validate_series_accepts_any_iterable_and_none_keys():
    points = (ReadingPoint(T0 + timedelta(days=i), D(5)) for i in range(2))
    issues = validate_series(points)
    assert found(issues) == [(codes.EQUAL_READINGS, None, W)]
    assert issues[0].message.startswith("reading at 2026-01-02")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rollover_value": D(0)},
        {"rollover_value": D(-5)},
        {"rollover_value": D("NaN")},
        {"rollover_value": 1e5},
        {"max_gap_days": -1},
        {"max_gap_days": 1.5},
        {"max_gap_days": True},
        {"decimals": -1},
        {"decimals": "2"},
    ],
)
def test_validate_series_bad_arguments(kwargs):
    with pytest.raises(MeterkitError) as info:
        validate_series([point(0, "1")], **kwargs)
    assert info.value.code == codes.INVALID_ARGUMENT


# ------------------------------------------------------------
# properties
# ------------------------------------------------------------

anything = st.one_of(
    st.decimals(min_value=-100, max_value=2000, places=2),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10, max_value=2000),
    st.floats(),
    st.none(),
    st.text(max_size=5),
    st.booleans(),
)


@st.composite
def raw_series(draw, values):
    raw = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=60),
                values,
                st.booleans(),
                st.booleans(),
            ),
            max_size=25,
        )
    )
    return [
        ReadingPoint(
            T0 + timedelta(days=day), value, rolled_over=rolled, opening=opening, key=i
        )
        for i, (day, value, rolled, opening) in enumerate(raw)
    ]


@given(
    raw_series(anything),
    st.sampled_from([None, D(1000)]),
    st.sampled_from([None, 0, 7]),
    st.sampled_from([None, 0, 2]),
)
def test_property_validation_never_raises(points, rollover, max_gap, decimals):
    issues = validate_series(
        points,
        commissioning=T0 + timedelta(days=3),
        archived_after=T0 + timedelta(days=50),
        rollover_value=rollover,
        max_gap_days=max_gap,
        decimals=decimals,
    )
    assert all(issue.severity in ("error", "warning") for issue in issues)
    assert all(issue.code in codes.DESCRIPTIONS for issue in issues)


numbers = st.decimals(min_value=0, max_value=1200, places=1)


@given(raw_series(numbers), st.sampled_from([None, D(1000)]))
def test_property_validation_agrees_with_consumption(points, rollover):
    """No error issue <=> consumption_series computes the series."""
    errors = [
        issue
        for issue in validate_series(points, rollover_value=rollover)
        if issue.severity == "error"
    ]
    try:
        consumption_series(points, rollover_value=rollover)
    except ReadingError:
        assert errors
    else:
        assert not errors
