# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Prepaid balance and threshold state machine (meterkit.prepaid, RULES.md §4.4).

Every table uses the thresholds ``T``: alarm 1 at 50, alarm 2 at 20, supply back
at 30, an overdraft of 10 below zero and a hoarding limit of 1000, so the levels
are: normal >= 50 > alarm1 >= 20 > alarm2 > 0 >= zero > -10 >= locked.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import MeterkitError, codes
from meterkit.prepaid import (
    ABOVE_BALANCE,
    ABOVE_MAXIMUM,
    NOT_POSITIVE,
    RECLOSE_REFUSED,
    TOO_PRECISE,
    PrepaidError,
    Status,
    Thresholds,
    check_refund,
    check_top_up,
    evaluate,
    level_of,
    post,
    reclose,
)

D = Decimal
CENT = D("0.01")
T = Thresholds(D(50), D(20), D(30), D(10), D(1000))
NO_OVERDRAFT = Thresholds(D(50), D(20), D(30))

ON = Status()
ALARM1 = Status("on", "alarm1")
CUT = Status("off", "alarm2")
GRACE = Status("on", "alarm2", "alarm2", True)
OVERDRAFT = Status("on", "zero", "zero", True)


@pytest.mark.parametrize(
    ("previous", "balance", "supply", "level", "notify", "switched"),
    [
        # 60 >= 50: nothing happens
        (ON, "60", "on", "normal", False, None),
        # 20 <= 40 < 50: alarm 1, the tenant is told once, supply stays on
        (ON, "40", "on", "alarm1", True, None),
        (ALARM1, "35", "on", "alarm1", False, None),
        # 0 < 15 < 20: alarm 2 cuts
        (ALARM1, "15", "off", "alarm2", False, "off"),
        # straight from normal to alarm 2: told and cut
        (ON, "15", "off", "alarm2", True, "off"),
        # a top-up to 25 (< restore 30) leaves supply off though 25 >= alarm 2
        (CUT, "25", "off", "alarm1", False, None),
        # 30 = restore: back on
        (CUT, "30", "on", "alarm1", False, "on"),
        # the grace re-close holds on alarm 2 ...
        (GRACE, "5", "on", "alarm2", False, None),
        # ... but not on zero (0 <= 0)
        (GRACE, "0", "off", "zero", False, "off"),
        # the overdraft re-close runs until -10 (exclusive) ...
        (OVERDRAFT, "-9.99", "on", "zero", False, None),
        # ... and locks at -10
        (OVERDRAFT, "-10", "off", "locked", False, "off"),
        # the overdraft re-close also covers alarm 2 after a small top-up
        (OVERDRAFT, "10", "on", "alarm2", False, None),
        # a cut account stays off while deductions go on
        (Status("off", "zero"), "-50", "off", "locked", False, None),
    ],
)
def test_evaluate(previous, balance, supply, level, notify, switched):
    result = evaluate(T, D(balance), previous)
    assert (result.status.supply, result.status.level) == (supply, level)
    assert (result.notify, result.switched) == (notify, switched)


def test_restore_rearms_grace_and_overdraft():
    """Reaching restore (30) clears the re-close and the used grace."""
    result = evaluate(T, D(30), Status("on", "zero", "zero", True))
    assert result.status == Status("on", "alarm1", None, False)


def test_without_overdraft_zero_is_locked():
    """Overdraft limit 0: a balance of 0 is ``locked`` (0 <= -0): cut, no
    re-close."""
    result = evaluate(NO_OVERDRAFT, D(0), ON)
    assert (result.status.supply, result.status.level) == ("off", "locked")
    with pytest.raises(PrepaidError) as raised:
        reclose(NO_OVERDRAFT, D(0), result.status)
    assert raised.value.code == RECLOSE_REFUSED


@pytest.mark.parametrize(
    ("previous", "balance", "expected"),
    [
        # first re-close at alarm 2: the grace re-close
        (CUT, "15", Status("on", "alarm2", "alarm2", True)),
        # cut at 25 after a small top-up (below restore): also the grace one
        (Status("off", "alarm1"), "25", Status("on", "alarm1", "alarm2", True)),
        # at zero, after the grace was used: the overdraft re-close
        (
            Status("off", "zero", None, True),
            "-5",
            Status("on", "zero", "zero", True),
        ),
    ],
)
def test_reclose(previous, balance, expected):
    assert reclose(T, D(balance), previous) == expected


@pytest.mark.parametrize(
    ("previous", "balance"),
    [
        (ON, "40"),  # already on
        (Status("off", "alarm2", None, True), "15"),  # grace used
        (Status("off", "zero", "zero", True), "-5"),  # overdraft used
        (Status("off", "locked"), "-10"),  # at the limit: must recharge
    ],
)
def test_reclose_refused(previous, balance):
    with pytest.raises(PrepaidError) as raised:
        reclose(T, D(balance), previous)
    assert raised.value.code == RECLOSE_REFUSED


@pytest.mark.parametrize(
    ("balance", "amount", "code"),
    [
        ("0", "0", NOT_POSITIVE),
        ("0", "-5", NOT_POSITIVE),
        ("0", "10.005", TOO_PRECISE),
        # 990 + 20 = 1010 > 1000
        ("990", "20", ABOVE_MAXIMUM),
        # a negative balance is netted: -10 + 1010 = 1000 is allowed, 1010.01 not
        ("-10", "1010.01", ABOVE_MAXIMUM),
    ],
)
def test_top_up_refused(balance, amount, code):
    with pytest.raises(PrepaidError) as raised:
        check_top_up(T, D(balance), D(amount), CENT)
    assert raised.value.code == code


@pytest.mark.parametrize(("balance", "amount"), [("990", "10"), ("-10", "1010")])
def test_top_up_up_to_maximum(balance, amount):
    check_top_up(T, D(balance), D(amount), CENT)


def test_refund():
    """A refund of the whole balance (30) is allowed, a cent more is not."""
    check_refund(D(30), D(30), CENT)
    with pytest.raises(PrepaidError) as raised:
        check_refund(D(30), D("30.01"), CENT)
    assert raised.value.code == ABOVE_BALANCE
    with pytest.raises(PrepaidError) as raised:
        check_refund(D(30), D(0), CENT)
    assert raised.value.code == NOT_POSITIVE


def test_post():
    """10 - 12.34 = -2.34: the deduction is applied though it crosses zero; a
    later top-up of 32.34 gives 30 = restore and supply comes back."""
    balance, result = post(
        T, D(10), Status("on", "alarm2", "alarm2", True), "deduction", D("12.34"), CENT
    )
    assert balance == D("-2.34")
    assert result.switched == "off"
    balance, result = post(T, balance, result.status, "top_up", D("32.34"), CENT)
    assert (balance, result.switched) == (D(30), "on")
    with pytest.raises(MeterkitError) as raised:
        post(T, balance, result.status, "gift", D(1), CENT)
    assert raised.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("alarm1", "alarm2", "restore", "overdraft", "maximum"),
    [
        ("10", "20", "30", "0", None),  # alarm 2 above alarm 1
        ("50", "-1", "30", "0", None),  # negative alarm 2
        ("50", "20", "10", "0", None),  # restore below alarm 2
        ("50", "20", "30", "-1", None),  # negative overdraft
        ("50", "20", "30", "0", "29"),  # maximum below restore
    ],
)
def test_thresholds_refused(alarm1, alarm2, restore, overdraft, maximum):
    with pytest.raises(MeterkitError) as raised:
        Thresholds(
            D(alarm1),
            D(alarm2),
            D(restore),
            D(overdraft),
            D(maximum) if maximum else None,
        )
    assert raised.value.code == codes.INVALID_ARGUMENT


def test_level_of_bounds():
    """The bounds belong to the better level except at 0 and -limit."""
    assert [level_of(T, D(v)) for v in ("50", "20", "0.01", "0", "-10")] == [
        "normal",
        "alarm1",
        "alarm2",
        "zero",
        "locked",
    ]


moves = st.lists(
    st.tuples(
        st.sampled_from(["top_up", "deduction", "refund", "reclose"]),
        st.decimals(min_value=-50, max_value=600, places=2),
    ),
    max_size=40,
)


@given(moves)
def test_balance_is_top_ups_minus_deductions_minus_refunds(operations):
    """Whatever is accepted or refused, the balance equals accepted top-ups minus
    deductions minus refunds; supply is on at or above restore and off when
    locked; it only comes back on through restore or a re-close; it never exceeds
    the maximum through a top-up."""
    balance, status = D(0), Status("off", "zero")
    totals = {"top_up": D(0), "deduction": D(0), "refund": D(0)}
    for kind, amount in operations:
        if kind == "reclose":
            try:
                status = reclose(T, balance, status)
            except PrepaidError:
                continue
            assert status.supply == "on"
            continue
        try:
            new_balance, result = post(T, balance, status, kind, amount, CENT)
        except PrepaidError:
            continue
        if kind == "top_up":
            assert new_balance <= T.max_balance
        if result.switched == "on":
            assert new_balance >= T.restore
        balance, status = new_balance, result.status
        totals[kind] += amount
        if balance >= T.restore:
            assert status.supply == "on"
        if level_of(T, balance) == "locked":
            assert status.supply == "off"
    assert balance == totals["top_up"] - totals["deduction"] - totals["refund"]
