# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit.uvi: hot water (HeizKV §9(2)) and heat cost allocator units in
kWh and the normed average user of the monthly consumption information
(§6a(2) Nr. 1 and 3)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import codes
from meterkit.errors import MeterkitError
from meterkit.uvi import allocator_kwh, hot_water_kwh, normed_average, rated_units


@pytest.mark.parametrize(
    ("volume", "temperature", "expected"),
    [
        # 2.5 x 1 x (60 - 10) = 125
        (D(1), D(60), D(125)),
        # 2.5 x 3.2 x (60 - 10) = 400
        (D("3.2"), D(60), D(400)),
        # 2.5 x 2 x (55 - 10) = 225
        (D(2), D(55), D(225)),
        # 2.5 x 0.004 x (50 - 10) = 0.4
        (D("0.004"), D(50), D("0.4")),
        (D(0), D(60), D(0)),
        (None, D(60), None),
    ],
)
def test_hot_water_kwh(volume, temperature, expected):
    assert hot_water_kwh(volume, temperature) == expected


def test_hot_water_default_temperature_is_60():
    # 2.5 x 2 x (60 - 10) = 250
    assert hot_water_kwh(D(2)) == D(250)


@pytest.mark.parametrize("temperature", [D(10), D(5), D(-1)])
def test_hot_water_temperature_above_cold_water(temperature):
    with pytest.raises(MeterkitError) as error:
        hot_water_kwh(D(1), temperature)
    assert error.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("units", "rating_factor", "expected"),
    [
        # 120 units read x rating 1.25 = 150
        (D(120), D("1.25"), D(150)),
        # 80 x 0.8 = 64
        (D(80), D("0.8"), D(64)),
        # 45.5 x 2 = 91
        (D("45.5"), D(2), D(91)),
        # 0 x 1.3 = 0; nothing collected stays nothing
        (D(0), D("1.3"), D(0)),
        (None, D("1.3"), None),
    ],
)
def test_rated_units(units, rating_factor, expected):
    assert rated_units(units, rating_factor) == expected


@pytest.mark.parametrize("rating_factor", [D(0), D("-0.5")])
def test_rating_factor_above_zero(rating_factor):
    with pytest.raises(MeterkitError) as error:
        rated_units(D(10), rating_factor)
    assert error.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("rated", "kwh_per_unit", "expected"),
    [
        # the three radiators above: 150 + 64 + 91 = 305 rated units,
        # x 0.42 kWh per unit = 128.1 kWh
        (D(305), D("0.42"), D("128.1")),
        # 80 x 0.5 = 40
        (D(80), D("0.5"), D(40)),
        # no factor known (0 or None), or nothing collected: no kWh
        (D(80), D(0), None),
        (D(80), None, None),
        (None, D("0.5"), None),
    ],
)
def test_allocator_kwh(rated, kwh_per_unit, expected):
    assert allocator_kwh(rated, kwh_per_unit) == expected


def test_allocator_kwh_factor_not_negative():
    with pytest.raises(MeterkitError) as error:
        allocator_kwh(D(80), D("-0.1"))
    assert error.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("consumptions", "unit_area", "expected"),
    [
        # (90 + 110) / (60 + 40) = 2 kWh/m², x 60 m² = 120
        ([(D(90), D(60)), (D(110), D(40))], D(60), D(120)),
        # the same building for the 40 m² unit: 2 x 40 = 80
        ([(D(90), D(60)), (D(110), D(40))], D(40), D(80)),
        # a unit without area is left out: 90 / 60 = 1.5, x 50 = 75
        ([(D(90), D(60)), (D(500), None), (D(7), D(0))], D(50), D(75)),
        # 10 / 3 x 3 = 10 (no rounding inside)
        ([(D(10), D(3))], D(3), D(10)),
        # no area anywhere, or none for the unit: no normed user
        ([(D(90), None)], D(50), None),
        ([(D(90), D(60))], None, None),
        ([(D(90), D(60))], D(0), None),
        ([], D(50), None),
    ],
)
def test_normed_average(consumptions, unit_area, expected):
    result = normed_average(consumptions, unit_area)
    if expected is None:
        assert result is None
    else:
        assert result.quantize(D("0.000001")) == expected


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=10_000, places=3),
            st.decimals(min_value=1, max_value=500, places=2),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_normed_users_sum_to_the_building(units):
    """The normed users of all units with an area add up to the building's
    consumption of those units."""
    total = sum((normed_average(units, area) for _c, area in units), start=D(0))
    assert abs(total - sum(c for c, _a in units)) < D("1e-12")
