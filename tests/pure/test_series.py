# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Boundary values with provenance and consumption per register over a period
(meterkit.series), and the counter helpers (meterkit.counters)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import (
    MeterkitError,
    ReadingError,
    SeriesReading,
    as_decimal,
    boundary,
    codes,
    period_usage,
    poll_slot,
    register_usage,
    total_by_register,
    truncate_counter,
)
from meterkit.estimates import degree_days
from meterkit.series import (
    CLOSING,
    DEGREE_DAYS,
    ESTIMATED,
    LINEAR,
    OPENING,
    REAL,
)

D = Decimal
T0 = datetime(2026, 1, 1)


def at(days):
    return T0 + timedelta(days=days)


def reading(key, days, value, **flags):
    return SeriesReading(key, at(days), D(value), **flags)


# ------------------------------------------------------------
# boundary
# ------------------------------------------------------------

CHAIN = [reading(1, 0, "100"), reading(2, 10, "200", estimated=True)]


@pytest.mark.parametrize(
    ("days", "value", "provenance", "keys", "estimated"),
    [
        # a real reading at the instant
        (0, "100", REAL, (1, 1), False),
        # an estimate at the instant
        (10, "200", ESTIMATED, (2, 2), True),
        # 100 + (200 - 100) x 4/10 = 140, between a real reading and an estimate
        (4, "140", LINEAR, (1, 2), True),
    ],
)
def test_boundary_provenance(days, value, provenance, keys, estimated):
    found = boundary(CHAIN, at(days))
    assert (found.value, found.provenance) == (D(value), provenance)
    assert (found.before.key, found.after.key, found.estimated) == (*keys, estimated)


def test_boundary_by_degree_days():
    """January 1 -> March 1: Jan 170 + Feb 150 = 320 per mille; at February 1,
    170/320 of the advance 320 -> 100 + 170 = 270."""
    chain = [reading(1, 0, "100"), reading(2, 59, "420")]
    found = boundary(chain, datetime(2026, 2, 1), weight=degree_days)
    assert (found.value, found.provenance) == (D(270), DEGREE_DAYS)


def test_boundary_by_degree_days_without_weight_falls_back_to_time():
    """No heating weight between the readings: linear in time."""
    chain = [reading(1, 0, "0"), reading(2, 10, "10")]
    found = boundary(chain, at(5), weight=lambda _a, _b: D(0))
    assert (found.value, found.provenance) == (D(5), LINEAR)


def test_boundary_across_a_rollover():
    """Rollover 1000: 900 then 100 (wrapped) over 10 days is 200 of advance;
    at day 5: 900 + 100 = 1000 -> 0."""
    chain = [reading(1, 0, "900"), reading(2, 10, "100", rolled_over=True)]
    assert boundary(chain, at(5), rollover_value=D(1000)).value == D(0)


@pytest.mark.parametrize(
    ("chain", "days", "code"),
    [
        ([reading(1, 5, "1")], 0, codes.MISSING_PREVIOUS),
        ([reading(1, 5, "1")], 9, codes.OUT_OF_ORDER),
        ([], 0, codes.MISSING_PREVIOUS),
    ],
)
def test_boundary_missing_reading(chain, days, code):
    with pytest.raises(ReadingError) as caught:
        boundary(chain, at(days))
    assert caught.value.code == code


def test_boundary_of_a_replaced_meter():
    old = [reading(1, 0, "10"), reading(2, 5, "15", closing=True)]
    new = [reading(3, 5, "0", opening=True), reading(4, 10, "7")]
    assert boundary(old, at(8)).provenance == CLOSING
    assert boundary(old, at(8)).value == D(15)
    assert boundary(new, at(2)).provenance == OPENING
    assert boundary(new, at(2)).value == D(0)


# ------------------------------------------------------------
# register_usage
# ------------------------------------------------------------


def test_usage_interpolates_both_boundaries():
    """Readings 100 (day 0), 150 (day 10), 250 (day 20). Period day 5 .. 15:
    start 125, end 200 -> 75; with multiplier 2 -> 150."""
    chain = [reading(1, 0, "100"), reading(2, 10, "150"), reading(3, 20, "250")]
    usage = register_usage(chain, at(5), at(15), multiplier=D(2))
    assert usage.consumption == D(150)
    assert (usage.start.value, usage.end.value) == (D(125), D(200))
    assert (usage.start.provenance, usage.end.provenance) == (LINEAR, LINEAR)
    assert usage.readings == (1, 2, 3)
    assert not usage.estimated


def test_usage_on_readings_at_the_boundaries():
    """100 at day 0, 130 at day 31: 30 exactly, both real."""
    chain = [reading(1, 0, "100"), reading(2, 31, "130")]
    usage = register_usage(chain, at(0), at(31))
    assert usage.consumption == D(30)
    assert (usage.start.provenance, usage.end.provenance) == (REAL, REAL)


def test_usage_across_a_recorded_rollover():
    """Rollover 100000: 99990 (day 0) then 10 rolled over (day 10): 20."""
    chain = [reading(1, 0, "99990"), reading(2, 10, "10", rolled_over=True)]
    usage = register_usage(chain, at(0), at(10), rollover_value=D(100000))
    assert usage.consumption == D(20)


def test_usage_with_an_estimate_is_flagged():
    chain = [reading(1, 0, "0"), reading(2, 5, "5", estimated=True), reading(3, 9, "9")]
    usage = register_usage(chain, at(0), at(9))
    assert (usage.consumption, usage.estimated) == (D(9), True)


def test_usage_refuses_a_counter_going_down():
    chain = [reading(1, 0, "50"), reading(2, 5, "40"), reading(3, 9, "60")]
    with pytest.raises(ReadingError) as caught:
        register_usage(chain, at(0), at(9))
    assert caught.value.code == codes.NEGATIVE_CONSUMPTION


def test_usage_refuses_an_empty_period():
    with pytest.raises(MeterkitError) as caught:
        register_usage(CHAIN, at(5), at(5))
    assert caught.value.code == codes.INVALID_ARGUMENT


def test_usage_across_a_replacement_per_register():
    """Old meter: 1000 on day 0, closing 1040 on day 10. New meter: opening 5
    on day 10, 25 on day 30. Period day 0 .. 30: (1040 - 1000) + (25 - 5) = 60
    (RULES.md §5.4); per register T1 the two usages add up."""
    old = [reading(1, 0, "1000"), reading(2, 10, "1040", closing=True)]
    new = [reading(3, 10, "5", opening=True), reading(4, 30, "25")]
    old_usage = register_usage(old, at(0), at(30))
    new_usage = register_usage(new, at(0), at(30))
    assert (old_usage.consumption, old_usage.end.provenance) == (D(40), CLOSING)
    assert (new_usage.consumption, new_usage.start.provenance) == (D(20), OPENING)
    totals = total_by_register({(1, "T1"): old_usage, (2, "T1"): new_usage})
    assert totals == {"T1": D(60)}


def test_usage_of_a_meter_installed_after_the_period_is_zero():
    new = [reading(3, 40, "5", opening=True), reading(4, 50, "25")]
    assert register_usage(new, at(0), at(30)).consumption == D(0)


@given(
    steps=st.lists(st.integers(min_value=0, max_value=1000), min_size=2, max_size=12),
    cut=st.integers(min_value=1, max_value=10),
)
def test_usage_is_additive_over_adjacent_periods(steps, cut):
    """Consumption over [a, c) = over [a, b) + over [b, c) for any b inside."""
    value, chain = D(0), []
    for day, step in enumerate(steps):
        value += step
        chain.append(reading(day, day * 10, value))
    end = at(10 * (len(steps) - 1))
    middle = at(min(cut, 10 * (len(steps) - 1) - 1))
    whole = register_usage(chain, at(0), end).consumption
    parts = (
        register_usage(chain, at(0), middle).consumption
        + register_usage(chain, middle, end).consumption
    )
    assert whole == parts == value - steps[0]


# ------------------------------------------------------------
# counters
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, "0"), (False, "0"), (0.1, "0.1"), (12, "12"), ("3.50", "3.50")],
)
def test_as_decimal(raw, expected):
    assert as_decimal(raw) == D(expected)
    assert str(as_decimal(raw)) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [("12.79", 1, "12.7"), ("12.79", 0, "12"), ("5", 2, "5.00"), ("0.999", 2, "0.99")],
)
def test_truncate_counter(value, decimals, expected):
    assert str(truncate_counter(D(value), decimals)) == expected


def test_truncate_counter_refuses_bad_decimals():
    with pytest.raises(MeterkitError):
        truncate_counter(D(1), -1)


@pytest.mark.parametrize(
    ("now", "interval", "expected"),
    [
        ("2026-03-01 10:07:31", 15, "2026-03-01 10:00:00"),
        ("2026-03-01 10:15:00", 15, "2026-03-01 10:15:00"),
        ("2026-03-01 23:59:59", 60, "2026-03-01 23:00:00"),
        ("2026-03-01 10:07:31", 0, "2026-03-01 10:07:00"),
        # 607 minutes into the day, floored to a multiple of 7: 602 = 10:02
        ("2026-03-01 10:07:31", 7, "2026-03-01 10:02:00"),
    ],
)
def test_poll_slot(now, interval, expected):
    slot = poll_slot(datetime.fromisoformat(now), interval)
    assert slot == datetime.fromisoformat(expected)


# ------------------------------------------------------------
# period_usage
# ------------------------------------------------------------


def test_period_usage_per_register_with_errors_collected():
    """T1: 10 -> 30 over the period (20); T2: only a reading after the start
    (missing previous). The total counts the valued registers only."""
    chains = {
        "T1": [reading(1, 0, "10"), reading(2, 10, "30")],
        "T2": [reading(3, 5, "7"), reading(4, 10, "9")],
    }
    usage = period_usage("m", chains, at(0), at(10))
    assert usage.by_register["T1"].consumption == D(20)
    assert usage.errors["T2"].code == codes.MISSING_PREVIOUS
    assert (usage.consumption, usage.estimated) == (D(20), False)


def test_period_usage_without_readings():
    usage = period_usage("m", {}, at(0), at(10))
    assert usage.by_register == {}
    assert usage.errors[None].code == codes.MISSING_PREVIOUS
