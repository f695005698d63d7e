# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Unusual consumptions along one register chain (RULES.md §5.5)."""

from datetime import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.estimates import Interval, chain_intervals, spike_checks


def _month(month, year=2025):
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _chain(consumptions, openings=()):
    """Monthly readings from 2025-01-01: ``consumptions`` of each month after
    the first reading; positions in ``openings`` are opening readings."""
    readings = [(_month(1), D(0), 0 in openings)]
    for position, quantity in enumerate(consumptions, start=1):
        readings.append((_month(1 + position), D(quantity), position in openings))
    return readings


@pytest.mark.parametrize(
    ("consumptions", "openings", "factor", "spikes"),
    [
        # nothing to compare the first months with
        ([30], (), D(3), []),
        ([30, 300], (), D(3), [2]),  # one month of history is enough
        ([30, 30, 30, 30], (), D(3), []),
        # 300 against about 30 a month: ten times
        ([30, 30, 30, 300], (), D(3), [4]),
        ([30, 30, 30, 300], (), D(20), []),  # below a larger factor
        # after a spike the average includes it: the next normal month is fine
        ([30, 30, 30, 300, 30], (), D(3), [4]),
        # an opening (a counter started again) is never checked, and the
        # interval ending at it is no history
        ([30, 30, 30, 300], (4,), D(3), []),
        ([30, 30, 900, 30, 300], (3,), D(3), [5]),
        # positions are those of the chain even after an opening
        ([30, 30, 30, 30, 30, 300], (2,), D(3), [6]),
        # only the reference months count: a year-old high month is forgotten
        ([900, 30, 30, 30, 30, 300], (), D(3), [6]),
    ],
)
def test_spike_checks(consumptions, openings, factor, spikes):
    found = spike_checks(_chain(consumptions, openings), factor=factor)
    assert [position for position, _check in found] == spikes
    assert all(check.anomalous and check.ratio > factor for _p, check in found)


def test_spike_check_values():
    ((position, check),) = spike_checks(_chain([31, 28, 31, 300]), factor=D(3))
    assert position == 4
    # 90 in January to March (90 days): about 30.4 a month
    assert check.average_monthly == pytest.approx(D("30.44"), abs=D("0.01"))
    assert check.ratio == pytest.approx(D(300) / check.expected)


@pytest.mark.parametrize(
    ("openings", "expected"),
    [
        ((), [(1, 2, 10), (2, 3, 20), (3, 4, 30)]),
        ((0,), [(1, 2, 10), (2, 3, 20), (3, 4, 30)]),  # the first is no end
        ((2,), [(1, 2, 10), (3, 4, 30)]),
        ((1, 2, 3), []),
    ],
)
def test_chain_intervals(openings, expected):
    intervals = chain_intervals(_chain([10, 20, 30], openings))
    assert intervals == [
        Interval(_month(start), _month(end), D(quantity))
        for start, end, quantity in expected
    ]


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=24))
def test_spikes_are_checked_readings(consumptions):
    readings = _chain(consumptions)
    for position, check in spike_checks(readings, factor=D(2)):
        assert 1 <= position < len(readings)
        assert check.anomalous
        assert readings[position][1] > 2 * check.expected
