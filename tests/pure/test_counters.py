# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``as_decimal``: the one way a stored number (an amount in a ``numeric``
column, which the ORM hands back as a float) is read back as a Decimal."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import MeterkitError, as_decimal, codes


@pytest.mark.parametrize(
    ("stored", "places", "expected"),
    [
        (None, None, "0"),
        (False, 6, "0.000000"),
        (0.0, 2, "0.00"),
        (0.1, None, "0.1"),
        (0.1 + 0.2, None, "0.30000000000000004"),  # float sum: the noise stays
        (0.1 + 0.2, 2, "0.30"),  # read as an amount of 2 places: exact
        (0.1 + 0.2, 6, "0.300000"),
        (12.345678, 6, "12.345678"),
        (-0.000001, 6, "-0.000001"),
        (1234567.123456, 6, "1234567.123456"),  # 13 significant digits
        (999999999.999999, 6, "999999999.999999"),  # 15: the limit of floats
        (12345.1234567891, 10, "12345.1234567891"),
        (0.0000000001, 10, "0.0000000001"),
        (2.675, 2, "2.68"),  # its shortest text is 2.675: half-even from text
        (2.665, 2, "2.66"),
        (7, 2, "7.00"),
        (Decimal("1.23456789"), 6, "1.234568"),
        ("4.5", 0, "4"),
    ],
)
def test_as_decimal_table(stored, places, expected):
    result = as_decimal(stored, places)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == Decimal(expected).as_tuple().exponent


@pytest.mark.parametrize("places", [-1, 1.5, True, "2"])
def test_as_decimal_refuses_bad_places(places):
    with pytest.raises(MeterkitError) as error:
        as_decimal(1.0, places)
    assert error.value.code == codes.INVALID_ARGUMENT


def amounts(limit, places):
    """Decimals of ``places`` places within ``-limit .. limit``."""
    return st.decimals(
        min_value=-Decimal(limit),
        max_value=Decimal(limit),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


@given(amounts("999999999.999999", 6))
def test_amount_of_6_places_round_trips_through_float(amount):
    """What numeric(16, 6) stores and the ORM reads as a float comes back as
    the very Decimal written."""
    back = as_decimal(float(amount), 6)
    assert back == amount
    assert back.as_tuple().exponent == -6


@given(amounts("99999.9999999999", 10))
def test_amount_of_10_places_round_trips_through_float(amount):
    assert as_decimal(float(amount), 10) == amount


@given(st.lists(amounts("99999.99", 2), max_size=50))
def test_sum_of_amounts_read_back_is_exact(amounts_list):
    """Summing the amounts read back as Decimals gives the exact total, which a
    sum of their floats does not always give."""
    total = sum((as_decimal(float(a), 2) for a in amounts_list), Decimal(0))
    assert total == sum(amounts_list, Decimal(0))
