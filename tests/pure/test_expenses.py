# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Expense statements: a period's costs allocated to occupancies (meterkit.expenses).

Every expected amount is computed by hand in the test's docstring from RULES.md
§1.5-§1.11a, §2.5 and §5.1 (largest remainder: floor to cents, the missing cents to
the largest remainders, ties to the earlier occupancy in unit/date order).
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from meterkit import AllocationError
from meterkit.expenses import (
    Consumption,
    ExpenseInput,
    Occupancy,
    Section,
    Unit,
    allocate_period,
    co2_landlord_share,
    compare_runs,
    degree_day_permille,
    degree_days_between,
    dump_input,
    dump_result,
    fuel_consumed,
    hot_water_heat,
    load_input,
    split_heating_hot_water,
    substitute_base_share,
    substitute_building_average,
    substitute_own_history,
)

D = Decimal
Y0, Y1 = date(2025, 1, 1), date(2025, 12, 31)


def year(units, occupancies, *sections, variant="A"):
    return ExpenseInput(
        Y0, Y1, tuple(units), tuple(occupancies), tuple(sections), variant
    )


def occ(key, unit, start=Y0, end=Y1, role="tenant", persons=0):
    return Occupancy(key, unit, start, end, role, D(persons))


def totals(result):
    return {k: v for k, v in result.totals}


def two_units():
    return [Unit("A", area=D(60)), Unit("B", area=D(40))]


def test_area_key_whole_year():
    """1000.00 by area 60/40: A 600.00, B 400.00."""
    result = allocate_period(
        year(
            two_units(),
            [occ("a", "A"), occ("b", "B")],
            Section("anc", "Ancillary", D(1000)),
        )
    )
    assert totals(result) == {"a": D("600.00"), "b": D("400.00")}
    assert result.owner_total == 0


def test_occupant_change_by_days():
    """Unit A changes tenant on 1 July 2025: a1 181 days, a2 184 days of 365.

    Cents: a1 100000 x 60 x 181/365 / 100 = 29753.42..., a2 30246.57..., b 40000;
    floors sum 99999, the missing cent to a2 (remainder .57 > .42):
    a1 297.53, a2 302.47, b 400.00.
    """
    occupancies = [
        occ("a1", "A", Y0, date(2025, 6, 30)),
        occ("a2", "A", date(2025, 7, 1)),
        occ("b", "B"),
    ]
    result = allocate_period(
        year(two_units(), occupancies, Section("anc", "Anc", D(1000)))
    )
    assert totals(result) == {"a1": D("297.53"), "a2": D("302.47"), "b": D("400.00")}


def test_vacancy_is_borne_by_owner():
    """As the occupant change test with a1 a vacancy: the owner bears 297.53."""
    occupancies = [
        occ("a1", "A", Y0, date(2025, 6, 30), role="vacancy"),
        occ("a2", "A", date(2025, 7, 1)),
        occ("b", "B"),
    ]
    result = allocate_period(
        year(two_units(), occupancies, Section("anc", "Anc", D(1000)))
    )
    assert result.owner_total == D("297.53")
    assert result.sections[0].vacancy == D("297.53")


def test_heating_70_30_swiss():
    """CH VEWA 70/30 (RULES §2.5): 10000.00, consumption A 3000 kWh, B 1000 kWh.

    Consumption pool 7000: A 5250, B 1750; base pool 3000 by area 60/40: A 1800,
    B 1200. A 7050.00, B 2950.00.
    """
    section = Section(
        "heat",
        "Room heating",
        D(10000),
        consumption_share=D("0.70"),
        consumptions=(Consumption("A", D(3000)), Consumption("B", D(1000))),
    )
    result = allocate_period(year(two_units(), [occ("a", "A"), occ("b", "B")], section))
    assert totals(result) == {"a": D("7050.00"), "b": D("2950.00")}
    assert (result.sections[0].consumption_pool, result.sections[0].base_pool) == (
        D("7000.00"),
        D("3000.00"),
    )


def test_heat_cost_allocators_rating_factor():
    """HKA readings x rating factor: A 100 x 1.2 = 120, B 200 x 0.9 = 180.

    1000.00 at 50 %: consumption 500 -> A 500 x 120/300 = 200, B 300;
    base 500 by area 50/50 -> 250 each. A 450.00, B 550.00.
    """
    units = [Unit("A", area=D(50)), Unit("B", area=D(50))]
    section = Section(
        "heat",
        "Heating",
        D(1000),
        consumption_share=D("0.5"),
        consumptions=(
            Consumption("A", D(100), factor=D("1.2")),
            Consumption("B", D(200), factor=D("0.9")),
        ),
    )
    result = allocate_period(year(units, [occ("a", "A"), occ("b", "B")], section))
    assert totals(result) == {"a": D("450.00"), "b": D("550.00")}


def water_with_main_meter(residual_to):
    section = Section(
        "water",
        "Water",
        D(1000),
        consumption_share=D(1),
        consumptions=(Consumption("A", D(60)), Consumption("B", D(40))),
        main_quantity=D(110),
        residual_to=residual_to,
    )
    return allocate_period(year(two_units(), [occ("a", "A"), occ("b", "B")], section))


def test_main_minus_units_residual_line():
    """Water 1000.00 all by consumption; main meter 110 m³, units A 60 + B 40 = 100.

    Units' part round(1000 x 100/110) = 909.09, residual 90.91 (its own line).
    909.09 by 60/40: cents A 54545.4, B 36363.6, missing cent to B: 545.45, 363.64.
    Residual 90.91 by area 60/40: cents 5454.6, 3636.4, missing cent to A: 54.55,
    36.36. Totals A 600.00, B 400.00.
    """
    result = water_with_main_meter("base")
    by_pool = {(line.occupancy, line.pool): line.amount for line in result.lines}
    assert by_pool == {
        ("a", "consumption"): D("545.45"),
        ("b", "consumption"): D("363.64"),
        ("a", "residual"): D("54.55"),
        ("b", "residual"): D("36.36"),
    }
    assert result.sections[0].residual_pool == D("90.91")


def test_residual_to_owner():
    """Same residual 90.91 borne by the owner: tenants pay 909.09 only."""
    result = water_with_main_meter("owner")
    assert totals(result) == {"a": D("545.45"), "b": D("363.64")}
    assert result.owner_total == D("90.91")


def test_degree_days_vs_days():
    """§9b base heating costs by degree-days (variant A, 2025 sums to 1000 ‰).

    t1 Jan-Mar: 170 + 150 + 130 = 450 ‰ -> 450.00; t2 550.00.
    By days instead: t1 90/365 x 1000 = 246.575... -> 246.58, t2 753.42.
    """
    units = [Unit("A", area=D(100))]
    occupancies = [
        occ("t1", "A", Y0, date(2025, 3, 31)),
        occ("t2", "A", date(2025, 4, 1)),
    ]
    by_dd = Section("heat", "Heating", D(1000), time_basis="degree_days")
    assert totals(allocate_period(year(units, occupancies, by_dd))) == {
        "t1": D("450.00"),
        "t2": D("550.00"),
    }
    by_days = Section("hw", "Hot water", D(1000))
    assert totals(allocate_period(year(units, occupancies, by_days))) == {
        "t1": D("246.58"),
        "t2": D("753.42"),
    }


def test_consumption_without_interim_reading_split_by_time():
    """§9b(3): no interim reading, the unit's 3000 kWh split by degree-days.

    Heating 1000.00 at 100 % consumption, one unit: t1 (Jan-Mar, 450 ‰) 450.00,
    t2 550.00; with interim readings t1 1000 kWh, t2 2000 kWh: 333.33, 666.67
    (cents 33333.3 and 66666.6, missing cent to t2).
    """
    units = [Unit("A", area=D(100))]
    occupancies = [
        occ("t1", "A", Y0, date(2025, 3, 31)),
        occ("t2", "A", date(2025, 4, 1)),
    ]
    unit_read = Section(
        "heat",
        "Heating",
        D(1000),
        consumption_share=D(1),
        time_basis="degree_days",
        consumptions=(Consumption("A", D(3000)),),
    )
    assert totals(allocate_period(year(units, occupancies, unit_read))) == {
        "t1": D("450.00"),
        "t2": D("550.00"),
    }
    interim = Section(
        "heat",
        "Heating",
        D(1000),
        consumption_share=D(1),
        consumptions=(
            Consumption("A", D(1000), occupancy="t1"),
            Consumption("A", D(2000), occupancy="t2"),
        ),
    )
    assert totals(allocate_period(year(units, occupancies, interim))) == {
        "t1": D("333.33"),
        "t2": D("666.67"),
    }


def test_person_days():
    """Persons key by person-days: a1 2 x 181 = 362, a2 1 x 184 = 184, b 3 x 365 = 1095
    (sum 1641): 1641.00 -> 362.00, 184.00, 1095.00."""
    occupancies = [
        occ("a1", "A", Y0, date(2025, 6, 30), persons=2),
        occ("a2", "A", date(2025, 7, 1), persons=1),
        occ("b", "B", persons=3),
    ]
    section = Section("waste", "Waste", D(1641), base_key="persons")
    assert totals(allocate_period(year(two_units(), occupancies, section))) == {
        "a1": D("362.00"),
        "a2": D("184.00"),
        "b": D("1095.00"),
    }


def test_section_12_cut():
    """§12: 15 % cut of each tenant's share: A 600 -> cut 90.00, B 400 -> 60.00.

    Tenants pay 510.00 and 340.00; the owner bears 150.00."""
    section = Section("heat", "Heating", D(1000), cut_percent=D(15))
    result = allocate_period(year(two_units(), [occ("a", "A"), occ("b", "B")], section))
    assert totals(result) == {"a": D("510.00"), "b": D("340.00")}
    assert result.owner_total == D("150.00")
    assert result.sections[0].cut == D("150.00")


def test_co2_step_model():
    """CO2KostAufG: 3000 kg over 100 m² in 365 days = 30 kg/m²/a -> step 27-<32,
    landlord 40 % of the CO2 cost 200.00 = 80.00, credited by heating share 600/400:
    A 48.00, B 32.00. A pays 552.00, B 368.00; the owner bears 80.00."""
    section = Section(
        "heat",
        "Heating",
        D(1000),
        co2_cost=D(200),
        co2_kg=D(3000),
        co2_area=D(100),
    )
    result = allocate_period(year(two_units(), [occ("a", "A"), occ("b", "B")], section))
    assert totals(result) == {"a": D("552.00"), "b": D("368.00")}
    assert result.owner_total == D("80.00")
    assert result.sections[0].co2_kg_per_m2 == D("30.00")
    assert result.sections[0].co2_landlord_rate == D("0.40")


@pytest.mark.parametrize(
    ("kg", "area", "days", "residential", "expected"),
    [
        (D("1199"), D(100), 365, True, D("0")),  # 11.99 < 12: tenant 100 %
        (D("1200"), D(100), 365, True, D("0.10")),  # 12.00: second step
        (D("5199"), D(100), 365, True, D("0.80")),  # 51.99
        (D("5200"), D(100), 365, True, D("0.95")),  # >= 52: landlord 95 %
        # half year: 1500 x 365 / (100 x 181) = 30.248 -> 27 to < 32: 40 %
        (D("1500"), D(100), 181, True, D("0.40")),
        (D("9999"), D(100), 365, False, D("0.50")),  # non-residential 50/50
    ],
)
def test_co2_steps(kg, area, days, residential, expected):
    assert co2_landlord_share(kg, area, days, residential)[1] == expected


def test_substitutes_over_25_percent_go_by_area():
    """§9a(2): A (60 % of the area) has a substitute value -> all 1000.00 by area:
    A 600.00, B 400.00 (not by consumption 900/100)."""
    section = Section(
        "heat",
        "Heating",
        D(1000),
        consumption_share=D("0.7"),
        consumptions=(
            Consumption("A", D(900), substitute=True),
            Consumption("B", D(100)),
        ),
    )
    result = allocate_period(year(two_units(), [occ("a", "A"), occ("b", "B")], section))
    assert totals(result) == {"a": D("600.00"), "b": D("400.00")}
    assert result.sections[0].base_only_reason == "substitutes_over_25_percent"


def test_substitutes_at_25_percent_keep_consumption():
    """Four units of 25 m², one substituted (exactly 25 %, not more): 1000.00 at 50 %,
    consumption 100/100/100/200 -> 500 x 1/5 = 100 (x3), 200; base 125 each:
    225.00, 225.00, 225.00, 325.00."""
    units = [Unit(c, area=D(25)) for c in "ABCD"]
    section = Section(
        "heat",
        "Heating",
        D(1000),
        consumption_share=D("0.5"),
        consumptions=(
            Consumption("A", D(100), substitute=True),
            Consumption("B", D(100)),
            Consumption("C", D(100)),
            Consumption("D", D(200)),
        ),
    )
    occupancies = [occ(c.lower(), c) for c in "ABCD"]
    result = allocate_period(year(units, occupancies, section))
    assert totals(result) == {
        "a": D("225.00"),
        "b": D("225.00"),
        "c": D("225.00"),
        "d": D("325.00"),
    }


@pytest.mark.parametrize(
    ("start", "end", "variant", "expected"),
    [
        # a calendar year: the whole table, 1000 in every variant
        (Y0, Y1, "A", D(1000)),
        (date(2024, 1, 1), date(2024, 12, 31), "C", D(1000)),
        # January to March: 170 + 150 + 130
        (Y0, date(2025, 3, 31), "B", D(450)),
        # June to August: A the 40 block; C 14 + 13 + 13
        (date(2025, 6, 1), date(2025, 8, 31), "A", D(40)),
        (date(2025, 6, 1), date(2025, 8, 31), "C", D(40)),
        # A: July alone, 31 of the block's 92 days: 40 x 31 / 92 = 13.478260...
        (date(2025, 7, 1), date(2025, 7, 31), "A", D("13.478261")),
        # B: June 1-15, 15 of 30 days of 40/3: 6.666666...
        (date(2025, 6, 1), date(2025, 6, 15), "B", D("6.666667")),
        # July to June (heating year): 1000 again
        (date(2024, 7, 1), date(2025, 6, 30), "A", D(1000)),
        # one January day: 170 / 31 = 5.483870...
        (Y0, Y0, "A", D("5.483871")),
    ],
)
def test_degree_days_between(start, end, variant, expected):
    """RULES §1.9 per-mille of a span of days (inclusive)."""
    assert degree_days_between(start, end, variant) == expected


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=800),
    variant=st.sampled_from(["A", "B", "C"]),
)
def test_degree_days_between_is_the_sum_of_its_days(start, days, variant):
    """The span's per-mille (summed month by month) is the sum of the exact
    per-mille of each of its days, kept to 1e-6."""
    end = start + timedelta(days=days)
    by_day = sum(
        (
            degree_day_permille(start + timedelta(days=i), variant)
            for i in range(days + 1)
        ),
        Fraction(0),
    )
    expected = (D(by_day.numerator) / D(by_day.denominator)).quantize(
        D("1e-6"), ROUND_HALF_UP
    )
    assert degree_days_between(start, end, variant) == expected


def test_degree_days_between_refuses_a_reversed_span():
    with pytest.raises(AllocationError):
        degree_days_between(Y1, Y0)


def test_substitute_values():
    """Own history: 1200 kWh over 1000 ‰, this period 900 ‰ -> 1080.
    Building average: (1000 + 3000) / (50 + 100) m² x 60 m² = 1600."""
    assert substitute_own_history(D(1200), D(1000), D(900)) == D(1080)
    assert substitute_building_average(
        [(D(1000), D(50)), (D(3000), D(100))], D(60)
    ) == D(1600)


def test_substitute_base_share():
    """§9a(2): A 60 m² substituted of 60 + 40 m² = 3/5 (> 1/4); none: 0; B of
    an empty base: 0 (nothing to weigh)."""
    bases = {"A": D(60), "B": D(40)}
    assert substitute_base_share(bases, {"A"}) == Fraction(3, 5)
    assert substitute_base_share(bases, set()) == 0
    assert substitute_base_share({"A": D(0), "B": None}, {"B"}) == 0


def test_amount_exact_beside_the_rounded_amount():
    """1000.00 by area 1/3 each (three units of 10 m²): exact 333.333333 each
    (to 1e-6); rounded by largest remainder: 333.34, 333.33, 333.33. A 15 %
    cut of 333.34 is exactly 50.001 -> 50.00 rounded."""
    units = [Unit(c, area=D(10)) for c in "ABC"]
    section = Section("anc", "Ancillary", D(1000), cut_percent=D(15))
    result = allocate_period(
        year(units, [occ("a", "A"), occ("b", "B"), occ("c", "C")], section)
    )
    base = [line for line in result.lines if line.pool == "base"]
    assert [line.amount for line in base] == [D("333.34"), D("333.33"), D("333.33")]
    assert [line.amount_exact for line in base] == [D("333.333333")] * 3
    cut = next(line for line in result.lines if line.pool == "cut")
    assert (cut.amount, cut.amount_exact) == (D("-50.00"), D("-50.001000"))


def test_degree_day_variants():
    """A: June day 40/92; B: 40/3/30 = 4/9; C: July 13/31; Feb of a leap year 150/29;
    variant A over 2025 sums to exactly 1000."""
    assert degree_day_permille(date(2025, 6, 1), "A") == Fraction(40, 92)
    assert degree_day_permille(date(2025, 6, 1), "B") == Fraction(4, 9)
    assert degree_day_permille(date(2025, 7, 1), "C") == Fraction(13, 31)
    assert degree_day_permille(date(2024, 2, 1)) == Fraction(150, 29)
    total = sum(degree_day_permille(Y0 + timedelta(days=i)) for i in range(365))
    assert total == 1000


def test_section_9_formula_and_split():
    """§9(2): Q = 2.5 x 100 m³ x (60 - 10) = 12500 kWh; x 1.11 (gross) = 13875;
    without volume 32 x 500 m² = 16000. Split of joint 10000.00 with 12500 of
    50000 kWh: hot water 2500.00, heating 7500.00; plus own costs (HKA rental 100
    to heating, meter rental 50 to hot water): 7600.00 / 2550.00."""
    assert hot_water_heat(D(100), D(60)) == D(12500)
    assert hot_water_heat(D(100), D(60), gross_calorific=True) == D(13875)
    assert hot_water_heat(area=D(500)) == D(16000)
    assert split_heating_hot_water(D(10000), D(50000), D(12500)) == (
        D("7500.00"),
        D("2500.00"),
    )
    assert split_heating_hot_water(D(10000), D(50000), D(12500), D(100), D(50)) == (
        D("7600.00"),
        D("2550.00"),
    )


def test_fuel_bought_plus_opening_minus_closing():
    """Oil: opening 2000 l (1600.00), bought 10000 l (9000.00), closing 3000 l.
    Consumed 9000 l; average 10600 / 12000 per l; closing worth 2650.00;
    cost 10600 - 2650 = 7950.00."""
    quantity, cost = fuel_consumed(D(10000), D(2000), D(3000), D(9000), D(1600))
    assert (quantity, cost) == (D(9000), D(7950))
    with pytest.raises(AllocationError, match="closing stock"):
        fuel_consumed(D(10), D(0), D(11), D(10), D(0))


@pytest.mark.parametrize(
    ("occupancies", "units", "section", "message"),
    [
        (
            [occ("a", "A", Y0, date(2025, 6, 30)), occ("b", "B")],
            two_units(),
            Section("anc", "Anc", D(100)),
            "unit A has no occupancy from 2025-07-01 to 2025-12-31",
        ),
        (
            [occ("a1", "A"), occ("a2", "A", date(2025, 6, 1)), occ("b", "B")],
            two_units(),
            Section("anc", "Anc", D(100)),
            "unit A: occupancy a2 overlaps",
        ),
        (
            [occ("a", "A"), occ("b", "B")],
            [Unit("A", area=D(60)), Unit("B")],
            Section("anc", "Ancillary", D(100)),
            "section Ancillary: unit B has no area",
        ),
        (
            [occ("a", "A"), occ("b", "B")],
            two_units(),
            Section(
                "heat",
                "Heating",
                D(100),
                consumption_share=D("0.7"),
                consumptions=(Consumption("A", D(5)),),
            ),
            "no consumption .* for unit B",
        ),
        (
            [occ("a", "A"), occ("b", "B")],
            two_units(),
            Section(
                "w",
                "Water",
                D(100),
                consumption_share=D(1),
                consumptions=(Consumption("A", D(5)), Consumption("B", D(5))),
                main_quantity=D(9),
            ),
            "main meter .* measured less than the units",
        ),
        (
            [occ("a", "A"), occ("b", "B")],
            two_units(),
            Section("w", "Waste", D(100), base_key="persons"),
            "the base key sums to 0",
        ),
    ],
)
def test_bad_input_names_the_record(occupancies, units, section, message):
    with pytest.raises(AllocationError, match=message):
        allocate_period(year(units, occupancies, section))


def test_compare_runs():
    """The ancillary cost goes from 1000.00 to 1100.00 (area 60/40): a 600.00 ->
    660.00 (+60.00), b 400.00 -> 440.00 (+40.00); the section is listed."""
    units, occupancies = two_units(), [occ("a", "A"), occ("b", "B")]
    old_input = year(units, occupancies, Section("anc", "Anc", D(1000)))
    new_input = year(units, occupancies, Section("anc", "Anc", D(1100)))
    sections, changes = compare_runs(
        dump_input(old_input),
        dump_result(allocate_period(old_input)),
        dump_input(new_input),
        dump_result(allocate_period(new_input)),
    )
    assert sections == (("anc", D(1000), D(1100)),)
    assert changes == (
        ("a", D("600.00"), D("660.00"), D("60.00")),
        ("b", D("400.00"), D("440.00"), D("40.00")),
    )


# ------------------------------------------------------------------
# properties
# ------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=100000, places=2)


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 6))
    units, occupancies, consumptions = [], [], []
    for i in range(count):
        code = f"U{i}"
        units.append(
            Unit(
                code,
                area=draw(st.decimals(min_value=1, max_value=500, places=2)),
                thousandths=D(draw(st.integers(1, 1000))),
            )
        )
        change = draw(st.one_of(st.none(), st.integers(1, 364)))
        if change is None:
            occupancies.append(occ(f"{code}-1", code, persons=draw(st.integers(0, 4))))
        else:
            cut = Y0 + timedelta(days=change)
            role = draw(st.sampled_from(["tenant", "vacancy"]))
            occupancies.append(
                occ(f"{code}-1", code, Y0, cut - timedelta(days=1), role, 1)
            )
            occupancies.append(occ(f"{code}-2", code, cut, Y1, "tenant", 2))
        consumptions.append(Consumption(code, draw(st.integers(1, 10000))))
    heating = draw(money)
    sections = (
        Section(
            "heat",
            "Heating",
            heating,
            consumption_share=D("0.7"),
            time_basis="degree_days",
            consumptions=tuple(consumptions),
            cut_percent=draw(st.sampled_from([D(0), D(15)])),
            co2_cost=min(heating, draw(st.sampled_from([D(0), D("150.55")]))),
            co2_kg=D(4000),
            co2_area=D(200),
        ),
        Section("anc", "Ancillary", draw(money), base_key="thousandths"),
        Section("hw", "Hot water", -draw(money), base_key="units"),
    )
    return ExpenseInput(Y0, Y1, tuple(units), tuple(occupancies), sections)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_every_pool_sums_exactly(expense_input):
    result = allocate_period(expense_input)
    for section, outcome in zip(expense_input.sections, result.sections, strict=True):
        lines = [line for line in result.lines if line.section == section.code]
        for pool in ("consumption", "base", "residual"):
            amounts = [line.amount for line in lines if line.pool == pool]
            if amounts:
                assert (
                    sum(amounts)
                    == {
                        "consumption": outcome.consumption_pool,
                        "base": outcome.base_pool,
                        "residual": outcome.residual_pool,
                    }[pool]
                )
        borne = outcome.cut + outcome.co2_landlord + outcome.residual_owner
        assert sum(line.amount for line in lines) + borne == section.cost
    borne = sum(
        (s.cut + s.co2_landlord + s.residual_owner for s in result.sections), D(0)
    )
    assert sum(v for _k, v in result.totals) + borne == sum(
        s.cost for s in expense_input.sections
    )
    vacancy = sum((v for k, v in result.totals if _is_vacancy(expense_input, k)), D(0))
    assert result.owner_total == vacancy + borne


def _is_vacancy(expense_input, key):
    return next(o for o in expense_input.occupancies if o.key == key).role == "vacancy"


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_recompute_from_stored_input_is_identical(expense_input):
    first = allocate_period(expense_input)
    again = allocate_period(load_input(dump_input(expense_input)))
    assert again == first
    assert (
        again.input_hash == first.input_hash and again.output_hash == first.output_hash
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.decimals(min_value=1, max_value=300, places=1), min_size=1, max_size=5),
    st.integers(1, 364),
    st.decimals(min_value=0, max_value=50000, places=2),
)
def test_split_at_occupant_change_sums_to_whole(areas, change, cost):
    """Cutting the year at an occupant change (costs pro-rated by days, the first
    part rounded to the cent, the second the rest) and adding both runs gives the
    whole year's pool within a cent, and each occupancy's amount within two cents
    (each run rounds once per share)."""
    cut = Y0 + timedelta(days=change)
    units = [Unit(f"U{i}", area=a) for i, a in enumerate(areas)]
    occupancies = [
        occ("U0-1", "U0", Y0, cut - timedelta(days=1)),
        occ("U0-2", "U0", cut),
    ]
    occupancies += [occ(f"U{i}-1", f"U{i}") for i in range(1, len(areas))]
    whole = allocate_period(
        ExpenseInput(
            Y0, Y1, tuple(units), tuple(occupancies), (Section("a", "A", cost),)
        )
    )
    first_cost = (cost * change / 365).quantize(D("0.01"))
    parts = []
    for start, end, amount in (
        (Y0, cut - timedelta(days=1), first_cost),
        (cut, Y1, cost - first_cost),
    ):
        parts.append(
            allocate_period(
                ExpenseInput(
                    start,
                    end,
                    tuple(units),
                    tuple(occupancies),
                    (Section("a", "A", amount),),
                )
            )
        )
    summed = {}
    for part in parts:
        for key, amount in part.totals:
            summed[key] = summed.get(key, D(0)) + amount
    assert (
        sum(s.base_pool for p in parts for s in p.sections)
        == whole.sections[0].base_pool
    )
    for key, amount in whole.totals:
        assert abs(summed[key] - amount) <= D("0.02")
