# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.usage_pricing import (
    SessionUse,
    UsagePrice,
    price_sessions,
    session_solar_kwh,
    solar_ratio,
)

EV1 = SessionUse("s1", "ev", D("7.5"), D("75"))
EV2 = SessionUse("s2", "ev", D("12.3456"), D("10"))
WASH = SessionUse("w1", "laundry", D("0.9"), D("55"))


@pytest.mark.parametrize(
    "sessions, prices, expected",
    [
        # 7.5 + 12.346 = 19.846 kWh x 0.35 = 6.9461 -> 6.95
        (
            [EV1, EV2],
            [UsagePrice("kwh", "usage_kwh", "ev", D("0.35"))],
            [("kwh", D("19.846"), D("6.9461"), D("6.95"), ("s1", "s2"))],
        ),
        # 85 minutes at 3.00/h = 4.25; shown as 1.4167 h
        (
            [EV1, EV2],
            [UsagePrice("h", "usage_hour", "ev", D("3.00"))],
            [("h", D("1.4167"), D("4.25"), D("4.25"), ("s1", "s2"))],
        ),
        # 10 minutes at 1.00/h = 0.1666... -> 0.17
        (
            [EV2],
            [UsagePrice("h", "usage_hour", "ev", D("1"))],
            [("h", D("0.1667"), D("10") / 60, D("0.17"), ("s2",))],
        ),
        # laundry per use 2.50 and per kWh 0.30; EV sessions not on laundry
        (
            [EV1, WASH],
            [
                UsagePrice("use", "usage_session", "laundry", D("2.50"), 1),
                UsagePrice("lkwh", "usage_kwh", "laundry", D("0.30"), 2),
            ],
            [
                ("use", D(1), D("2.50"), D("2.50"), ("w1",)),
                ("lkwh", D("0.900"), D("0.27"), D("0.27"), ("w1",)),
            ],
        ),
        # a kind without sessions gives no line
        ([WASH], [UsagePrice("kwh", "usage_kwh", "ev", D("0.35"))], []),
    ],
)
def test_price_sessions(sessions, prices, expected):
    lines = price_sessions(sessions, prices)
    assert [
        (li.price_key, li.quantity, li.amount_exact, li.amount, li.session_keys)
        for li in lines
    ] == expected


def test_unknown_kind_refused():
    with pytest.raises(ValueError, match="unknown usage component"):
        price_sessions([EV1], [UsagePrice("x", "energy", "ev", D(1))])


@given(
    st.lists(
        st.integers(min_value=0, max_value=10**6).map(lambda wh: D(wh) / 1000),
        max_size=20,
    ),
    st.integers(min_value=0, max_value=10**4).map(lambda c: D(c) / 100),
)
def test_kwh_lines_round_once(kwhs, price):
    """Summing then rounding once: the amount is the rounded product of the
    summed quantity, never a sum of rounded session amounts."""
    sessions = [SessionUse(i, "ev", kwh, D(0)) for i, kwh in enumerate(kwhs)]
    lines = price_sessions(sessions, [UsagePrice("k", "usage_kwh", "ev", price)])
    if not kwhs:
        assert lines == []
        return
    (line,) = lines
    assert line.quantity == sum(kwhs)
    assert abs(line.amount - line.quantity * price) <= D("0.005")


def _at(hhmm):
    hour, minute = hhmm.split(":")
    return datetime(2026, 1, 10, int(hour), int(minute))


@pytest.mark.parametrize(
    "energy, start, stop, ratios, expected",
    [
        # 11:30-12:30, 4 kWh = 1 kWh per interval: 1 + 1 + 0.5 + 0.5 = 3
        (
            D(4),
            "11:30",
            "12:30",
            {"11:30": D(1), "11:45": D(1), "12:00": D("0.5"), "12:15": D("0.5")},
            D("3.000"),
        ),
        # 11:40-12:10: 11:40-11:45 and 11:45-12:00 at 1, 12:00-12:10 at 0.5:
        # 3 kWh x (5 + 15) / 30 x 1 + 3 x 10 / 30 x 0.5 = 2 + 0.5 = 2.5
        (
            D(3),
            "11:40",
            "12:10",
            {"11:30": D(1), "11:45": D(1), "12:00": D("0.5")},
            D("2.500"),
        ),
        # 7 minutes, 1 kWh at ratio 1/3: 0.3333... -> 0.333
        (D(1), "09:01", "09:08", {"09:00": D(1) / 3}, D("0.333")),
        # no duration: the ratio of the interval holding the start
        (D(2), "09:05", "09:05", {"09:00": D("0.25")}, D("0.500")),
    ],
)
def test_session_solar_kwh(energy, start, stop, ratios, expected):
    ratios = {_at(k): v for k, v in ratios.items()}
    assert session_solar_kwh(energy, _at(start), _at(stop), ratios) == expected


def test_session_solar_kwh_missing_interval():
    with pytest.raises(KeyError):
        session_solar_kwh(D(1), _at("09:00"), _at("09:30"), {_at("09:00"): D(1)})


@pytest.mark.parametrize(
    "self_consumed, consumption, production, expected",
    [
        (D(372), D(2976), D(620), D("0.125")),
        (D(5), D(4), D(9), D(1)),
        (D(0), D(0), D(3), D(1)),
        (D(0), D(0), D(0), D(0)),
    ],
)
def test_solar_ratio(self_consumed, consumption, production, expected):
    assert solar_ratio(self_consumed, consumption, production) == expected


def test_solar_and_grid_parts_priced():
    """7.5 kWh of which 3 solar at 0.20 = 0.60, 4.5 grid at 0.30 = 1.35; a
    session without a solar part cannot be priced by part."""
    ev = SessionUse("s1", "ev", D("7.5"), D("75"), solar_kwh=D("3"))
    lines = price_sessions(
        [ev],
        [
            UsagePrice("sol", "usage_kwh", "ev", D("0.20"), 1, part="solar"),
            UsagePrice("grid", "usage_kwh", "ev", D("0.30"), 2, part="grid"),
        ],
    )
    assert [(ln.quantity, ln.amount) for ln in lines] == [
        (D("3.000"), D("0.60")),
        (D("4.500"), D("1.35")),
    ]
    with pytest.raises(ValueError):
        price_sessions(
            [EV1], [UsagePrice("sol", "usage_kwh", "ev", D("0.2"), part="solar")]
        )
