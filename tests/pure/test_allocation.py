# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Rounding, pro-rating and exact allocations (meterkit.allocation)."""

import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import (
    AllocationError,
    MeterkitError,
    allocate,
    allocate_equal,
    apportion_common,
    cash_round,
    codes,
    main_meter_residual,
    prorate,
    round_money,
)
from meterkit.allocation import invoice_line

D = Decimal


def decimals(values):
    return tuple(D(v) for v in values)


# ------------------------------------------------------------
# round_money, cash_round
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "quantum", "expected"),
    [
        ("2.675", "0.01", "2.68"),  # half-up, not banker's rounding
        ("2.665", "0.01", "2.67"),
        ("2.6749", "0.01", "2.67"),
        ("-2.675", "0.01", "-2.68"),  # away from zero on a tie
        ("3", "0.01", "3.00"),
        ("0.005", "0.01", "0.01"),
        ("-0.004", "0.01", "0.00"),
        ("12.5", "1", "13"),
        ("1234.5678", "0.001", "1234.568"),
        ("7", "0.05", "7.00"),
    ],
)
def test_round_money(amount, quantum, expected):
    result = round_money(D(amount), D(quantum))
    assert result == D(expected)
    assert str(result) == expected  # the quantum's exponent is kept


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # RULES.md §5.1 band edges (kingbill.com) and the Swiss Post example
        ("1.000", "1.00"),
        ("1.024", "1.00"),
        ("1.025", "1.05"),
        ("1.074", "1.05"),
        ("1.075", "1.10"),
        ("1.099", "1.10"),
        ("19.32", "19.30"),
        ("19.33", "19.35"),
        ("-19.33", "-19.35"),
        ("0.02", "0.00"),
        ("0.025", "0.05"),
    ],
)
def test_cash_round_five_rappen(amount, expected):
    assert str(cash_round(D(amount))) == expected


def test_cash_round_other_step():
    assert cash_round(D("12.49"), D("0.10")) == D("12.50")
    assert cash_round(D("12.44"), D("0.10")) == D("12.40")


@given(
    st.decimals(min_value=D(-(10**6)), max_value=D(10**6), places=4, allow_nan=False)
)
def test_cash_round_is_the_nearest_five_rappen(amount):
    rounded = cash_round(amount)
    assert rounded % D("0.05") == 0
    assert abs(rounded - amount) <= D("0.025")
    assert rounded == -cash_round(-amount)  # symmetric: half away from zero


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: round_money(1.5), "amount"),
        (lambda: round_money(D("1.5"), D(0)), "quantum"),
        (lambda: round_money(D("NaN")), "amount"),
        (lambda: cash_round(D(1), D("-0.05")), "step"),
        (lambda: round_money(True), "amount"),
    ],
)
def test_rounding_refuses_bad_arguments(call, field):
    with pytest.raises(AllocationError) as info:
        call()
    assert info.value.code == codes.INVALID_ARGUMENT
    assert info.value.field == field


# ------------------------------------------------------------
# prorate (RULES.md §5.2: days inclusive, actual calendar days)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "days", "period_days", "rounded"),
    [
        ("10", 31, 31, "10.00"),
        ("10", 12, 31, "3.87"),  # move-in on 20 January: 20..31 = 12 days
        ("120", 12, 365, "3.95"),  # annual basis gives another result
        ("120", 12, 366, "3.93"),  # leap year
        ("28", 1, 28, "1.00"),  # February
        ("30", 0, 30, "0.00"),
        ("100", 45, 30, "150.00"),  # more days than the basis is allowed
    ],
)
def test_prorate(amount, days, period_days, rounded):
    exact = prorate(D(amount), days, period_days)
    assert round_money(exact) == D(rounded)


def test_prorate_is_unrounded():
    assert prorate(D(10), 1, 3) == D("3.333333333333333333333333333333333")
    assert prorate(D(10), 12, 31) * 31 / 12 == pytest.approx(D(10))


@pytest.mark.parametrize(
    ("days", "period_days", "field"),
    [(-1, 30, "days"), (1, 0, "period_days"), (1, -30, "period_days")],
)
def test_prorate_refuses(days, period_days, field):
    with pytest.raises(AllocationError) as info:
        prorate(D(10), days, period_days)
    assert info.value.field == field


# ------------------------------------------------------------
# allocate: largest remainder (RULES.md §5.1 R2)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "quantum", "expected"),
    [
        ("100", [1, 1, 1], "0.01", ["33.34", "33.33", "33.33"]),
        ("100", [1, 1, 1, 1, 1, 1], "0.01", ["16.67"] * 4 + ["16.66"] * 2),
        ("0.05", [1, 1, 1], "0.01", ["0.02", "0.02", "0.01"]),
        # remainders: 0.333.., 0.666.., 0 -> the cent goes to the 2nd
        ("1.00", [1, 2, 0], "0.01", ["0.33", "0.67", "0.00"]),
        ("10", [D("0.5"), D("0.25"), D("0.25")], "0.01", ["5.00", "2.50", "2.50"]),
        ("-10", [1, 2], "0.01", ["-3.33", "-6.67"]),  # a credit
        ("1000", [50, 70, 80], "0.001", ["250.000", "350.000", "400.000"]),
        ("100.005", [1, 1], "0.01", ["50.01", "50.00"]),  # total rounded first
        ("0", [1, 3], "0.01", ["0.00", "0.00"]),
        ("7", [1], "0.05", ["7.00"]),
        ("1.00", [1, 1, 1], "0.05", ["0.35", "0.35", "0.30"]),
    ],
)
def test_allocate(total, weights, quantum, expected):
    parts = allocate(D(total), weights, D(quantum))
    assert parts == decimals(expected)
    assert sum(parts) == round_money(D(total), D(quantum))


def test_allocate_ties_go_to_the_earlier_weight():
    assert allocate(D("0.02"), [1, 1, 1]) == decimals(["0.01", "0.01", "0.00"])
    assert allocate(D("0.01"), [0, 1, 1]) == decimals(["0.00", "0.01", "0.00"])


@pytest.mark.parametrize(
    ("weights", "code"),
    [
        ([], codes.ZERO_WEIGHTS),
        ([0, 0], codes.ZERO_WEIGHTS),
        ([D(0), D("0.00")], codes.ZERO_WEIGHTS),
        ([1, -1, 2], codes.INVALID_ARGUMENT),
        ([1, 0.5], codes.INVALID_ARGUMENT),
        ([1, "2"], codes.INVALID_ARGUMENT),
    ],
)
def test_allocate_refuses(weights, code):
    with pytest.raises(AllocationError) as info:
        allocate(D(10), weights)
    assert info.value.code == code
    assert isinstance(info.value, MeterkitError)
    assert isinstance(info.value, ValueError)


def test_allocation_error_survives_pickling():
    with pytest.raises(AllocationError) as info:
        allocate(D(10), [0])
    clone = pickle.loads(pickle.dumps(info.value))
    assert type(clone) is AllocationError
    assert (clone.code, clone.field) == (codes.ZERO_WEIGHTS, "weights")


@pytest.mark.parametrize(
    ("total", "n", "expected"),
    [
        ("10", 3, ["3.34", "3.33", "3.33"]),
        ("0.01", 2, ["0.01", "0.00"]),
        ("-0.02", 3, ["-0.01", "-0.01", "0.00"]),
        ("5", 1, ["5.00"]),
    ],
)
def test_allocate_equal(total, n, expected):
    assert allocate_equal(D(total), n) == decimals(expected)


@pytest.mark.parametrize("n", [0, -1, True, 2.0])
def test_allocate_equal_refuses(n):
    with pytest.raises(AllocationError) as info:
        allocate_equal(D(10), n)
    assert info.value.code == codes.ZERO_WEIGHTS


# ------------------------------------------------------------
# allocate: properties
# ------------------------------------------------------------

amounts = st.decimals(
    min_value=D("-1000000"), max_value=D("1000000"), places=4, allow_nan=False
)
weight_lists = st.lists(
    st.decimals(min_value=D(0), max_value=D(100000), places=3, allow_nan=False),
    min_size=1,
    max_size=30,
).filter(lambda ws: sum(ws) > 0)
quanta = st.sampled_from([D("0.01"), D("0.05"), D("0.001"), D("1")])


@given(amounts, weight_lists, quanta)
def test_allocate_parts_sum_exactly_to_the_total(total, weights, quantum):
    parts = allocate(total, weights, quantum)
    assert len(parts) == len(weights)
    assert sum(parts) == round_money(total, quantum)
    for part in parts:
        assert part % quantum == 0


@given(amounts, weight_lists, quanta)
def test_allocate_parts_stay_within_one_quantum_of_the_exact_share(
    total, weights, quantum
):
    rounded = round_money(total, quantum)
    weight_sum = sum(weights)
    for part, weight in zip(allocate(total, weights, quantum), weights, strict=True):
        exact = rounded * weight / weight_sum
        assert abs(part - exact) < quantum
        if not weight:
            assert part == 0


@given(amounts, weight_lists)
def test_allocate_larger_weight_never_gets_less(total, weights):
    parts = allocate(abs(total), weights)
    for i, wi in enumerate(weights):
        for j, wj in enumerate(weights):
            if wi > wj:
                assert parts[i] >= parts[j]


@given(amounts, weight_lists)
def test_allocate_credit_mirrors_the_charge(total, weights):
    assert allocate(-total, weights) == tuple(-p for p in allocate(total, weights))


@given(amounts, st.integers(min_value=1, max_value=50))
def test_allocate_equal_differs_by_at_most_one_quantum(total, n):
    parts = allocate_equal(total, n)
    assert sum(parts) == round_money(total)
    assert max(parts) - min(parts) <= D("0.01")


# ------------------------------------------------------------
# apportion_common (RULES.md §4.5 equal / area / usage; §3.4 by area)
# ------------------------------------------------------------

UNITS_AREA = {"A-01": D(50), "A-02": D(70), "B-01": D(80)}


@pytest.mark.parametrize(
    ("common", "keys", "method", "quantum", "expected"),
    [
        (
            "1000",
            UNITS_AREA,
            "equal",
            "0.001",
            {"A-01": "333.334", "A-02": "333.333", "B-01": "333.333"},
        ),
        (
            "1000",
            UNITS_AREA,
            "area",
            "0.001",
            {"A-01": "250.000", "A-02": "350.000", "B-01": "400.000"},
        ),
        (
            # usage: the units' own consumption is the key
            "90",
            {"A-01": D(100), "A-02": D(300), "B-01": D(200)},
            "usage",
            "0.01",
            {"A-01": "15.00", "A-02": "45.00", "B-01": "30.00"},
        ),
        (
            # RU formula 11: V_odn,i = V_odn x S_i / S_total; negative ОДН credited
            "-12.5",
            UNITS_AREA,
            "area",
            "0.001",
            {"A-01": "-3.125", "A-02": "-4.375", "B-01": "-5.000"},
        ),
        (
            # a unit without consumption gets nothing by usage
            "10",
            {"A-01": D(0), "A-02": D(1)},
            "usage",
            "0.01",
            {"A-01": "0.00", "A-02": "10.00"},
        ),
    ],
)
def test_apportion_common(common, keys, method, quantum, expected):
    shares = apportion_common(D(common), keys, method, D(quantum))
    assert list(shares) == list(keys)
    assert shares == {k: D(v) for k, v in expected.items()}


@pytest.mark.parametrize(
    ("keys", "method", "code"),
    [
        ({}, "equal", codes.ZERO_WEIGHTS),
        ({}, "area", codes.ZERO_WEIGHTS),
        ({"A": D(0), "B": D(0)}, "usage", codes.ZERO_WEIGHTS),
        ({"A": D(1)}, "persons", codes.INVALID_ARGUMENT),
        ([("A", D(1))], "area", codes.INVALID_ARGUMENT),
        ({"A": D(-1), "B": D(2)}, "area", codes.INVALID_ARGUMENT),
    ],
)
def test_apportion_common_refuses(keys, method, code):
    with pytest.raises(AllocationError) as info:
        apportion_common(D(100), keys, method)
    assert info.value.code == code


def test_apportion_zero_usage_names_the_method():
    with pytest.raises(AllocationError, match="by usage: every unit's usage is 0"):
        apportion_common(D(100), {"A": D(0)}, "usage")


@given(
    amounts,
    st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.decimals(min_value=D(0), max_value=D(5000), places=2, allow_nan=False),
        min_size=1,
        max_size=20,
    ).filter(lambda d: sum(d.values()) > 0),
    st.sampled_from(["equal", "area", "usage"]),
)
def test_apportion_common_sums_to_the_common_consumption(common, keys, method):
    shares = apportion_common(common, keys, method, D("0.001"))
    assert sum(shares.values()) == round_money(common, D("0.001"))


@pytest.mark.parametrize(
    ("main", "sub_sum", "residual"),
    [("1000", "950", "50"), ("1000", "1012.5", "-12.5"), ("0", "0", "0")],
)
def test_main_meter_residual(main, sub_sum, residual):
    assert main_meter_residual(D(main), D(sub_sum)) == D(residual)


@pytest.mark.parametrize(
    ("quantity", "price", "amount", "expected"),
    [
        # 2 decimals carry the quantity: 12.5 x 0.30 = 3.75
        ("12.5", "0.30", "3.75", ("12.50", "0.30")),
        # 0.125 kWh shown as 0.13: 0.13 x 10 = 1.30, not 1.25: price 1.25 / 0.13
        ("0.125", "10", "1.25", ("0.13", "9.6153846154")),
        # a third of 100.01 kWh at 3.00 = 100.01: 33.34 x 3 = 100.02, so the
        # price is 100.01 / 33.34 = 2.9997000600 (33.34 x it = 100.0100000004)
        ("33.337", "3", "100.01", ("33.34", "2.9997000600")),
        # pro-rated fee 10 x 2 / 31 = 0.65: 1 x 0.65
        ("1", "10", "0.65", ("1.00", "0.65")),
        # quantity 0.004 shows as 0.00: one unit at the amount
        ("0.004", "1000", "4.00", ("1", "4.00")),
    ],
)
def test_invoice_line_bills_the_amount(quantity, price, amount, expected):
    shown, unit_price = invoice_line(D(quantity), D(price), D(amount), D("0.01"))
    assert (shown, unit_price) == (D(expected[0]), D(expected[1]))
    assert round_money(shown * unit_price) == D(amount)


def test_invoice_line_refuses_an_unrounded_amount():
    with pytest.raises(AllocationError, match="not rounded"):
        invoice_line(D(1), D("0.333"), D("0.333"), D("0.01"))


@given(
    st.decimals(min_value=0, max_value=100000, places=4),
    st.decimals(min_value=0, max_value=1000, places=6),
)
def test_invoice_line_always_bills_the_amount(quantity, price):
    amount = round_money(quantity * price)
    shown, unit_price = invoice_line(quantity, price, amount, D("0.01"))
    assert round_money(shown * unit_price) == amount
