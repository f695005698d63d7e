# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What billing needs of meterkit.series: the settlement carry of estimates,
degree-day boundaries, the maximum-rate check of rollovers and the texts of a
boundary on a calculation sheet (RULES.md §5.3, §5.5; RU п. 61)."""

import pickle
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import (
    MissingReading,
    ReadingError,
    SeriesReading,
    boundary,
    boundary_text,
    codes,
    period_usage,
    register_usage,
)
from meterkit.estimates import degree_days
from meterkit.series import DEGREE_DAYS, OPENING, shown_quantity, shown_time

D = Decimal
JAN1, FEB1, MAR1 = datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1)


def reading(key, read_at, value, **flags):
    return SeriesReading(key, read_at, D(value), **flags)


# ------------------------------------------------------------
# settlement carry of estimates
# ------------------------------------------------------------

REAL = [reading(1, JAN1, "1000"), reading(2, FEB1, "1290"), reading(3, MAR1, "1500")]
WRAPPED = [
    reading(1, JAN1, "9000"),
    reading(2, FEB1, "20", rolled_over=True),
    reading(3, MAR1, "520"),
]


@pytest.mark.parametrize(
    ("chain", "options", "carried", "consumption", "recalculation"),
    [
        # nothing carried: the real 1500 - 1290 = 210
        (REAL, {}, None, "210", "0"),
        # January billed up to 1250 on estimates: 210 + (1290 - 1250) = 250
        (REAL, {}, "1250", "250", "40"),
        # billed up to 1330 (too much): 210 + (1290 - 1330) = 170, 40 credited
        (REAL, {}, "1330", "170", "-40"),
        # multiplier 2: 210 x 2 = 420, plus (1290 - 1250) x 2 = 80 -> 500
        (REAL, {"multiplier": D(2)}, "1250", "500", "80"),
        # rollover 10000: 520 - 20 = 500; billed up to 9990 before the wrap:
        # 20 - 9990 = -9970 is the long way round, the short one is +30 -> 530
        (WRAPPED, {"rollover_value": D(10000)}, "9990", "530", "30"),
    ],
)
def test_carried_estimate_is_settled(
    chain, options, carried, consumption, recalculation
):
    usage = register_usage(
        chain,
        FEB1,
        MAR1,
        carried=None if carried is None else D(carried),
        **options,
    )
    assert usage.consumption == D(consumption)
    assert usage.recalculation == D(recalculation)
    assert usage.carried == (None if carried is None else D(carried))


def test_meter_installed_in_the_period_carries_nothing():
    """A new meter opening at 5 on February 10, 25 on March 1: 20; the value
    billed on the old meter's estimate is not its own."""
    chain = [
        reading(1, datetime(2026, 2, 10), "5", opening=True),
        reading(2, MAR1, "25"),
    ]
    usage = register_usage(chain, FEB1, MAR1, carried=D(1250))
    assert (usage.consumption, usage.recalculation, usage.carried) == (D(20), 0, None)
    assert usage.start.provenance == OPENING


def test_period_usage_carries_per_register():
    """T1 carries 1250 (210 + 40 = 250), T2 nothing (10 -> 30: 20)."""
    chains = {"T1": REAL, "T2": [reading(4, FEB1, "10"), reading(5, MAR1, "30")]}
    usage = period_usage("m", chains, FEB1, MAR1, carried={"T1": D(1250)})
    assert usage.by_register["T1"].consumption == D(250)
    assert usage.by_register["T2"].consumption == D(20)
    assert usage.consumption == D(270)


@given(
    start=st.integers(min_value=0, max_value=10_000),
    real=st.integers(min_value=0, max_value=10_000),
    estimate=st.integers(min_value=0, max_value=10_000),
    last=st.integers(min_value=0, max_value=10_000),
)
def test_two_periods_with_a_carried_estimate_bill_the_real_consumption(
    start, real, estimate, last
):
    """January billed on an estimate E at February 1, February with the real
    reading R there and E carried: together (E - S) + (L - R + (R - E)) =
    L - S, the real consumption of both months, whatever E."""
    real, estimate, last = start + real, start + estimate, start + real + last
    january = register_usage(
        [reading(1, JAN1, start), reading(2, FEB1, estimate, estimated=True)],
        JAN1,
        FEB1,
    )
    chain = [reading(1, JAN1, start), reading(3, FEB1, real), reading(4, MAR1, last)]
    february = register_usage(chain, FEB1, MAR1, carried=D(estimate))
    whole = register_usage(chain, JAN1, MAR1)
    assert january.consumption + february.consumption == whole.consumption


# ------------------------------------------------------------
# degree-day boundaries
# ------------------------------------------------------------

HEAT = [reading(1, JAN1, "100"), reading(2, MAR1, "420")]


@pytest.mark.parametrize(
    ("at", "value"),
    [
        # 15 days of January: 170 x 15/31 = 82.2581 of 320 per mille, of an
        # advance of 320: 100 + 82.2581 = 182.2581
        (datetime(2026, 1, 16), "182.2581"),
        # January 170: 100 + 170 = 270
        (FEB1, "270.0000"),
        # January 170 + 14 of 28 days of February 150 = 245: 345
        (datetime(2026, 2, 15), "345.0000"),
        # half of January 16 (12 h): 170 x 15.5/31 = 85: 185
        (datetime(2026, 1, 16, 12), "185.0000"),
    ],
)
def test_boundary_by_degree_days_table(at, value):
    found = boundary(HEAT, at, weight=degree_days)
    assert found.provenance == DEGREE_DAYS
    assert found.value.quantize(D("0.0001")) == D(value)


def test_usage_by_degree_days():
    """February of the heat chain: 420 at March 1 (real) - 270 at February 1
    (degree-days) = 150; linear in time it would be 420 - (100 + 320 x 31/59)
    = 151.86."""
    usage = register_usage(HEAT, FEB1, MAR1, weight=degree_days)
    assert usage.consumption == D(150)
    linear = register_usage(HEAT, FEB1, MAR1)
    assert linear.consumption.quantize(D("0.01")) == D("151.86")


@given(day=st.integers(min_value=1, max_value=58))
def test_degree_day_periods_add_up(day):
    """Valuing January-February split anywhere by degree-days equals the
    whole: 320."""
    cut = datetime.fromordinal(JAN1.toordinal() + day)
    first = register_usage(HEAT, JAN1, cut, weight=degree_days).consumption
    second = register_usage(HEAT, cut, MAR1, weight=degree_days).consumption
    assert (first + second).quantize(D("0.000001")) == D(320)


# ------------------------------------------------------------
# rollover maximum-rate check
# ------------------------------------------------------------

ROLLED = [
    reading(1, JAN1, "900"),
    reading(2, datetime(2026, 1, 11), "100", rolled_over=True),
]


@pytest.mark.parametrize(
    ("max_rate", "consumption"),
    [
        # no limit: 1000 - 900 + 100 = 200 across the wrap
        (None, "200"),
        # at most 1 per hour x 240 h = 240 >= 200
        ("1", "200"),
        # at most 0.8333 per hour x 240 h = 199.992 < 200: implausible
        ("0.8333", None),
        ("0.5", None),
    ],
)
def test_rollover_within_the_maximum_rate(max_rate, consumption):
    options = {"rollover_value": D(1000)}
    if max_rate:
        options["max_rate"] = D(max_rate)
    if consumption is None:
        with pytest.raises(ReadingError) as caught:
            register_usage(ROLLED, JAN1, datetime(2026, 1, 11), **options)
        assert caught.value.code == codes.ROLLOVER_IMPLAUSIBLE
        return
    usage = register_usage(ROLLED, JAN1, datetime(2026, 1, 11), **options)
    assert usage.consumption == D(consumption)


def test_rollover_check_inside_a_period():
    """The wrap is checked between the readings around it: 900 (Jan 1) to 100
    wrapped (Jan 11) is 200 in 240 h; over January 1-21 at most 0.5 per hour
    it is refused even though the period is longer."""
    chain = [*ROLLED, reading(3, datetime(2026, 1, 21), "150")]
    with pytest.raises(ReadingError) as caught:
        register_usage(
            chain,
            JAN1,
            datetime(2026, 1, 21),
            rollover_value=D(1000),
            max_rate=D("0.5"),
        )
    assert caught.value.code == codes.ROLLOVER_IMPLAUSIBLE


# ------------------------------------------------------------
# missing readings and texts
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "after", "code"),
    [
        (datetime(2025, 12, 1), False, codes.MISSING_PREVIOUS),
        (datetime(2026, 4, 1), True, codes.OUT_OF_ORDER),
    ],
)
def test_missing_reading_names_its_side(at, after, code):
    with pytest.raises(MissingReading) as caught:
        boundary(REAL, at)
    assert (caught.value.code, caught.value.at, caught.value.after) == (
        code,
        at,
        after,
    )
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.code, again.at, again.after) == (code, at, after)


ZURICH_CHAIN = [
    reading(1, datetime(2025, 12, 15), "900"),
    reading(2, JAN1, "1000"),
    reading(3, FEB1, "1300", estimated=True),
]


@pytest.mark.parametrize(
    ("chain", "at", "weight", "decimals", "tz", "expected"),
    [
        # a real reading: 1000.00 at 01:00 local (UTC+1)
        (ZURICH_CHAIN, JAN1, None, 2, "Europe/Zurich", ("1000.00", "2026-01-01 01:00")),
        # an estimate, no decimals, in UTC
        (ZURICH_CHAIN, FEB1, None, 0, None, ("1300", "2026-02-01 00:00", "est")),
        # local midnight (31 Dec 23:00 UTC): 900 + 100 x 407 h / 408 h =
        # 999.7549.. -> 999.75, between 900.00 and 1000.00 at local time
        (
            ZURICH_CHAIN,
            datetime(2025, 12, 31, 23),
            None,
            2,
            "Europe/Zurich",
            (
                "999.75",
                "2026-01-01 00:00",
                "between",
                ("900.00", "2025-12-15 01:00", "1000.00", "2026-01-01 01:00"),
            ),
        ),
        # by degree-days: 270 on February 1 between 100 and 420
        (
            HEAT,
            FEB1,
            degree_days,
            0,
            None,
            (
                "270",
                "2026-02-01 00:00",
                "degree-days",
                ("100", "2026-01-01 00:00", "420", "2026-03-01 00:00"),
            ),
        ),
        # a meter opened on January 10 at 5: its opening reading, at its instant
        (
            [reading(1, datetime(2026, 1, 10), "5", opening=True)],
            JAN1,
            None,
            3,
            None,
            ("5.000", "2026-01-10 00:00"),
        ),
    ],
)
def test_boundary_text(chain, at, weight, decimals, tz, expected):
    text = boundary_text(boundary(chain, at, weight=weight), decimals, tz)
    assert (text.value, text.at) == expected[:2]
    assert text.estimated == ("est" in expected)
    assert text.interpolated == (len(expected) == 4)
    assert text.degree_days == ("degree-days" in expected)
    if text.interpolated:
        assert (
            text.before_value,
            text.before_at,
            text.after_value,
            text.after_at,
        ) == expected[3]


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [("999.7549", 2, "999.75"), ("0.005", 2, "0.01"), ("12", 3, "12.000")],
)
def test_shown_quantity(value, decimals, text):
    assert shown_quantity(D(value), decimals) == text


def test_shown_time_in_summer():
    """July 1 00:00 UTC is 02:00 in Zurich (UTC+2)."""
    assert shown_time(datetime(2026, 7, 1), "Europe/Zurich") == "2026-07-01 02:00"
