# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.usage_pricing import SessionUse, UsagePrice, price_sessions

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
