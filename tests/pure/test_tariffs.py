# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tariff evaluation, tariff changes inside a period (meterkit.tariffs).

Worked examples: RULES.md §4.2 (Beijing monthly and Zhejiang annual tiers), §4.3
(two-part tariff: capacity, maximum demand, 105 % contract rule), §5.2 (pro-rated
fixed charges), Climkit components (fixed rates, per-register energy, area charges).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import (
    Component,
    Segment,
    TariffError,
    TariffVersion,
    Tier,
    Usage,
    codes,
    evaluate,
    evaluate_period,
    split_period,
    split_usage,
)
from meterkit.tariffs import basis_pieces

D = Decimal
JAN1 = date(2026, 1, 1)
JAN31 = date(2026, 1, 31)

BEIJING = (
    Tier(D(240), D("0.4883")),
    Tier(D(400), D("0.5383")),
    Tier(None, D("0.7883")),
)
ZHEJIANG = (
    Tier(D(2760), D("0.538")),
    Tier(D(4800), D("0.588")),
    Tier(None, D("0.838")),
)


def version(*components, date_from=JAN1):
    return TariffVersion(date_from, tuple(components))


def usage(start=JAN1, end=JAN31, **kwargs):
    return Usage(start, end, **kwargs)


def amounts(lines):
    return [str(line.amount) for line in lines]


def total(lines):
    return sum((line.amount for line in lines), D(0))


# ------------------------------------------------------------
# Tiers (RULES.md §4.2)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwh", "mode", "expected", "tiers"),
    [
        # cumulative: 240 x 0.4883 = 117.192; 60 x 0.5383 = 32.298
        ("300", "cumulative", ["117.19", "32.30"], [1, 2]),
        ("240", "cumulative", ["117.19"], [1]),
        ("240.001", "cumulative", ["117.19", "0.00"], [1, 2]),
        ("100", "cumulative", ["48.83"], [1]),
        # 117.192 + 160 x 0.5383 = 86.128 + 100 x 0.7883 = 78.83
        ("500", "cumulative", ["117.19", "86.13", "78.83"], [1, 2, 3]),
        ("0", "cumulative", ["0.00"], [1]),
        # independent (all units at the tier reached): 300 x 0.5383
        ("300", "independent", ["161.49"], [2]),
        ("240", "independent", ["117.19"], [1]),  # upto is inclusive
        ("400", "independent", ["215.32"], [2]),
        ("500", "independent", ["394.15"], [3]),
        ("0", "independent", ["0.00"], [1]),
    ],
)
def test_beijing_monthly_tiers(kwh, mode, expected, tiers):
    component = Component("e", "tiered", "Electricity", tiers=BEIJING, tier_mode=mode)
    lines = evaluate(
        version(component), usage(consumption_by_register={"T1": D(kwh)}), 31
    )
    assert amounts(lines) == expected
    assert [line.tier for line in lines] == tiers
    assert sum(line.quantity for line in lines) == D(kwh)


@pytest.mark.parametrize(
    ("before", "kwh", "expected"),
    [
        # annual tiers: a month straddles the 2760 kWh threshold
        # 60 x 0.538 = 32.28; 140 x 0.588 = 82.32
        ("2700", "200", ["32.28", "82.32"]),
        ("0", "200", ["107.60"]),
        ("4800", "100", ["83.80"]),
        ("4700", "200", ["58.80", "83.80"]),
    ],
)
def test_zhejiang_annual_tiers_count_from_the_tier_year(before, kwh, expected):
    component = Component("e", "tiered", "Electricity", tiers=ZHEJIANG)
    lines = evaluate(
        version(component),
        usage(consumption_by_register={"T1": D(kwh)}, tier_base=D(before)),
        31,
    )
    assert amounts(lines) == expected


def test_tier_thresholds_pro_rated_on_move_in():
    # moved in on 16 January: 16 of 31 days, thresholds 240 x 16/31 = 123.87...
    component = Component(
        "e", "tiered", "Electricity", tiers=BEIJING, tier_prorate=True
    )
    lines = evaluate(
        version(component),
        usage(date(2026, 1, 16), JAN31, consumption_by_register={"T1": D(150)}),
        31,
    )
    threshold = D(240) * D(16) / D(31)
    assert lines[0].quantity == threshold
    assert lines[1].quantity == D(150) - threshold
    assert [line.tier for line in lines] == [1, 2]


@given(
    st.decimals(min_value=D(0), max_value=D(5000), places=3, allow_nan=False),
    st.decimals(min_value=D(0), max_value=D(5000), places=3, allow_nan=False),
)
def test_cumulative_never_exceeds_independent_with_rising_prices(a, b):
    low, high = sorted([a, b])

    def charge(kwh, mode):
        component = Component("e", "tiered", "E", tiers=BEIJING, tier_mode=mode)
        lines = evaluate(
            version(component), usage(consumption_by_register={"T1": kwh}), 31
        )
        return total(lines)

    assert charge(low, "cumulative") <= charge(high, "cumulative")  # monotone
    assert charge(high, "cumulative") <= charge(high, "independent")


# ------------------------------------------------------------
# Energy, time-of-use, minimum charge
# ------------------------------------------------------------


def test_energy_per_register_and_all_registers():
    ht = Component("ht", "energy", "High tariff", D("0.2845"), register="T1")
    nt = Component("nt", "energy", "Low tariff", D("0.2150"), register="T2")
    grid = Component("grid", "energy", "Grid use", D("0.0912"), sequence=20)
    lines = evaluate(
        version(grid, nt, ht),
        usage(consumption_by_register={"T1": D("812.5"), "T2": D("1250")}),
        31,
    )
    # 812.5 x 0.2845 = 231.15625; 1250 x 0.2150 = 268.75; 2062.5 x 0.0912 = 188.1
    assert [line.component_code for line in lines] == ["nt", "ht", "grid"]
    assert amounts(lines) == ["268.75", "231.16", "188.10"]
    assert lines[2].quantity == D("2062.5")
    assert lines[0].register == "T2"


def test_time_of_use_bands():
    prices = {"critical": "1.2", "peak": "1.0", "flat": "0.6", "valley": "0.25"}
    components = [
        Component(f"e_{band}", "tou_energy", band.title(), D(price), band=band)
        for band, price in prices.items()
    ]
    consumption = {"critical": D(10), "peak": D(60), "flat": D(70), "valley": D(100)}
    lines = evaluate(version(*components), usage(consumption_by_band=consumption), 31)
    # peak-to-valley 4:1, critical = peak + 20 % (RULES.md §4.1)
    assert amounts(lines) == ["12.00", "60.00", "42.00", "25.00"]
    assert [line.band for line in lines] == list(prices)


def test_tiers_combined_with_time_of_use_as_surcharges():
    surcharges = (
        Tier(D(240), D(0)),
        Tier(D(400), D("0.05")),
        Tier(None, D("0.30")),
    )
    version_ = version(
        Component("peak", "tou_energy", "Peak", D("0.60"), band="peak"),
        Component("valley", "tou_energy", "Valley", D("0.30"), band="valley"),
        Component("tiers", "tiered", "Tier surcharge", tiers=surcharges, sequence=20),
    )
    lines = evaluate(
        version_,
        usage(
            consumption_by_register={"T1": D(300), "T2": D(200)},
            consumption_by_band={"peak": D(300), "valley": D(200)},
        ),
        31,
    )
    # 300 x 0.60 + 200 x 0.30; surcharge on 500 kWh: 160 x 0.05 + 100 x 0.30
    assert amounts(lines) == ["180.00", "60.00", "0.00", "8.00", "30.00"]
    assert total(lines) == D("278.00")


@pytest.mark.parametrize(
    ("kwh", "start", "minimum", "expected"),
    [
        ("10", JAN1, "20", ["2.50", "17.50"]),  # 10 x 0.25 < 20: top-up
        ("100", JAN1, "20", ["25.00"]),  # above the minimum: no line
        ("80", JAN1, "20", ["20.00"]),  # exactly the minimum
        # partial period: the minimum is pro-rated, 20 x 16/31 = 10.32
        ("10", date(2026, 1, 16), "20", ["2.50", "7.82"]),
        ("0", JAN1, "20", ["0.00", "20.00"]),
    ],
)
def test_minimum_charge(kwh, start, minimum, expected):
    component = Component(
        "e",
        "energy",
        "Energy",
        D("0.25"),
        register="T1",
        minimum_charge=D(minimum),
    )
    lines = evaluate(
        version(component),
        usage(start, JAN31, consumption_by_register={"T1": D(kwh)}),
        31,
    )
    assert amounts(lines) == expected
    if len(lines) == 2:
        assert "minimum charge" in lines[1].explanation
        assert lines[1].tier is None


def test_minimum_charge_on_tiers_counts_every_tier():
    component = Component("e", "tiered", "E", tiers=BEIJING, minimum_charge=D("150"))
    lines = evaluate(
        version(component), usage(consumption_by_register={"T1": D(300)}), 31
    )
    assert amounts(lines) == ["117.19", "32.30", "0.51"]
    assert total(lines) == D(150)


# ------------------------------------------------------------
# Per-period charges (RULES.md §5.2), two-part tariff (§4.3)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "start", "period_days", "extra", "expected"),
    [
        # Climkit fixed rate, full month
        (Component("f", "fixed", "Meter fee", D(10)), JAN1, 31, {}, "10.00"),
        # move-in on 20 January: 12/31 of the monthly fee
        (
            Component("f", "fixed", "Meter fee", D(10)),
            date(2026, 1, 20),
            31,
            {},
            "3.87",
        ),
        # annual fee on an annual basis: 120 x 12/365
        (Component("f", "fixed", "Fee", D(120)), date(2026, 1, 20), 365, {}, "3.95"),
        # area charge: 2.50 per m2 and month x 85 m2
        (
            Component("a", "area", "Property fee", D("2.5")),
            JAN1,
            31,
            {"area": D(85)},
            "212.50",
        ),
        (
            Component("a", "area", "Property fee", D("2.5")),
            date(2026, 1, 17),
            31,
            {"area": D(85)},
            "102.82",  # 212.5 x 15/31 = 102.822...
        ),
        # capacity method: 315 kVA x 30 per kVA and month
        (
            Component("c", "demand_capacity", "Basic", D(30), capacity=D(315)),
            JAN1,
            31,
            {},
            "9450.00",
        ),
        # demand method: 480.4 kW x 40
        (
            Component("d", "demand_peak", "Demand", D(40)),
            JAN1,
            31,
            {"peak_demand": D("480.4")},
            "19216.00",
        ),
    ],
)
def test_period_charges(component, start, period_days, extra, expected):
    lines = evaluate(version(component), usage(start, JAN31, **extra), period_days)
    assert amounts(lines) == [expected]
    line = lines[0]
    assert line.days == (JAN31 - start).days + 1
    assert line.period_days == period_days
    assert line.amount == round(
        line.quantity * line.unit_price * line.days / line.period_days, 2
    )


@pytest.mark.parametrize(
    ("peak", "ratio", "expected", "quantities"),
    [
        # contract 1000 kW at 40: up to 105 % the contract value is billed
        ("800", "1.05", ["40000.00"], ["1000"]),
        ("1050", "1.05", ["40000.00"], ["1000"]),
        # above: 1050 x 40 + (1100 - 1050) x 80
        ("1100", "1.05", ["42000.00", "4000.00"], ["1050.00", "50.00"]),
        # older variant: (actual - contract) x 2
        ("1100", "1", ["40000.00", "8000.00"], ["1000", "100"]),
    ],
)
def test_contract_demand(peak, ratio, expected, quantities):
    component = Component(
        "d",
        "demand_peak",
        "Demand",
        D(40),
        capacity=D(2500),  # 40 % of it is the least contract demand
        contract_demand=D(1000),
        excess_ratio=D(ratio),
    )
    lines = evaluate(version(component), usage(peak_demand=D(peak)), 31)
    assert amounts(lines) == expected
    assert [line.quantity for line in lines] == [D(q) for q in quantities]
    assert [line.tier for line in lines] == [1, 2][: len(lines)]


@pytest.mark.parametrize(
    ("contract", "peak", "expected", "quantities", "floor"),
    [
        # declared 399 < 40 % x 1000 = 400: billed 400 x 40 = 16000.00
        ("399", "300", ["16000.00"], ["400.0"], "400.0"),
        # declared 100, peak 500 > 1.05 x 400 = 420: 420 x 40 = 16800.00 and
        # (500 - 420) x 80 = 6400.00
        ("100", "500", ["16800.00", "6400.00"], ["420.00", "80.00"], "400.0"),
        # declared 400 = 40 %: billed as declared, no floor
        ("400", "300", ["16000.00"], ["400"], None),
    ],
)
def test_contract_demand_floor(contract, peak, expected, quantities, floor):
    """RULES.md §4.3: a contract demand below 40 % of the capacity is billed as
    40 % of it (not refused, not ignored), and the line says so."""
    component = Component(
        "d",
        "demand_peak",
        "Demand",
        D(40),
        capacity=D(1000),
        contract_demand=D(contract),
    )
    # January: 31 days of a 31-day basis, no pro-rating
    lines = evaluate(version(component), usage(peak_demand=D(peak)), 31)
    assert amounts(lines) == expected
    assert [line.quantity for line in lines] == [D(q) for q in quantities]
    assert lines[0].contract_floor == (D(floor) if floor else None)
    if floor:
        assert f"contract {contract} < 40 % of capacity 1000" in lines[0].explanation


# ------------------------------------------------------------
# Lines explain themselves
# ------------------------------------------------------------


def test_line_carries_its_explanation():
    component = Component(
        "e", "tiered", "Electricity", tiers=BEIJING, register="T1", key=42
    )
    lines = evaluate(
        version(component, date_from=date(2025, 7, 1)),
        usage(consumption_by_register={"T1": D(300)}),
        31,
    )
    first = lines[0]
    assert first.version_date == date(2025, 7, 1)
    assert (first.start, first.end, first.days, first.period_days) == (
        JAN1,
        JAN31,
        31,
        31,
    )
    assert (first.label, first.kind, first.register, first.key) == (
        "Electricity",
        "tiered",
        "T1",
        42,
    )
    assert first.explanation == "tier 1 (0..240): 240 x 0.4883"
    assert lines[1].explanation == "tier 2 (240..400): 60 x 0.5383"


# ------------------------------------------------------------
# Bad tariffs and missing usage
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Component("x", "flat", "X"), "unknown kind"),
        (lambda: Component("", "fixed", "X"), "no code"),
        (lambda: Component("x", "tou_energy", "X", D(1)), "needs a band"),
        (lambda: Component("x", "demand_capacity", "X", D(1)), "capacity"),
        (lambda: Component("x", "energy", "X", 0.25), "must be a Decimal"),
        (lambda: Component("x", "tiered", "X", tiers=()), "last tier"),
        (
            lambda: Component("x", "tiered", "X", tiers=(Tier(D(10), D(1)),)),
            "last tier",
        ),
        (
            lambda: Component(
                "x",
                "tiered",
                "X",
                tiers=(Tier(D(10), D(1)), Tier(D(5), D(2)), Tier(None, D(3))),
            ),
            "tier 2 ends at 5",
        ),
        (
            lambda: Component(
                "x", "tiered", "X", tiers=(Tier(None, D(1)), Tier(None, D(2)))
            ),
            "only the last tier",
        ),
        (
            lambda: Component(
                "x", "tiered", "X", tiers=BEIJING, tier_mode="progressive"
            ),
            "unknown tier mode",
        ),
        (
            lambda: Component("x", "energy", "X", D(1), tiers=BEIJING),
            "only a tiered",
        ),
        (
            lambda: version(
                Component("x", "fixed", "X", D(1)), Component("x", "fixed", "Y", D(2))
            ),
            "used twice",
        ),
    ],
)
def test_bad_tariffs_are_refused(build, message):
    with pytest.raises(TariffError, match=message) as info:
        build()
    assert info.value.code == codes.BAD_TARIFF


@pytest.mark.parametrize(
    ("component", "kwargs", "field"),
    [
        (
            Component("e", "energy", "E", D(1), register="T2"),
            {"consumption_by_register": {"T1": D(1)}},
            "consumption_by_register",
        ),
        (Component("e", "energy", "E", D(1)), {}, "consumption_by_register"),
        (
            Component("e", "tou_energy", "E", D(1), band="peak"),
            {"consumption_by_band": {"valley": D(1)}},
            "consumption_by_band",
        ),
        (Component("a", "area", "A", D(1)), {}, "area"),
        (Component("d", "demand_peak", "D", D(1)), {}, "peak_demand"),
        (
            Component("t", "tiered", "T", tiers=BEIJING),
            {"consumption_by_register": {"T1": D(-5)}},
            "consumption_by_register",
        ),
    ],
)
def test_missing_usage_is_named(component, kwargs, field):
    with pytest.raises(TariffError) as info:
        evaluate(version(component), usage(**kwargs), 31)
    assert info.value.code == codes.MISSING_USAGE
    assert info.value.field == field
    assert repr(component.code) in str(info.value)


@pytest.mark.parametrize("period_days", [0, -31, 30.5, True])
def test_period_days_must_be_a_positive_integer(period_days):
    with pytest.raises(TariffError) as info:
        evaluate(version(), usage(), period_days)
    assert info.value.field == "period_days"


def test_usage_period_must_not_end_before_it_starts():
    with pytest.raises(TariffError, match="ends"):
        Usage(JAN31, JAN1)


# ------------------------------------------------------------
# Tariff changes inside a period
# ------------------------------------------------------------

V_JAN = version(Component("f", "fixed", "Fee", D(10)))
V_MID = version(Component("f", "fixed", "Fee", D(12)), date_from=date(2026, 1, 16))
V_FEB = version(Component("f", "fixed", "Fee", D(14)), date_from=date(2026, 2, 1))
V_OLD = version(Component("f", "fixed", "Fee", D(9)), date_from=date(2025, 1, 1))


@pytest.mark.parametrize(
    ("versions", "start", "end", "expected"),
    [
        ([V_JAN], JAN1, JAN31, [(JAN1, JAN31, V_JAN)]),
        ([V_OLD, V_JAN], JAN1, JAN31, [(JAN1, JAN31, V_JAN)]),
        (
            [V_FEB, V_MID, V_JAN],  # any order
            JAN1,
            JAN31,
            [(JAN1, date(2026, 1, 15), V_JAN), (date(2026, 1, 16), JAN31, V_MID)],
        ),
        # a change on the first day of the period does not split it
        ([V_JAN, V_MID], date(2026, 1, 16), JAN31, [(date(2026, 1, 16), JAN31, V_MID)]),
        # a change on the last day makes a one-day segment
        (
            [V_JAN, V_FEB],
            JAN1,
            date(2026, 2, 1),
            [(JAN1, JAN31, V_JAN), (date(2026, 2, 1), date(2026, 2, 1), V_FEB)],
        ),
        (
            [V_OLD, V_JAN, V_MID, V_FEB],
            date(2025, 12, 1),
            date(2026, 2, 28),
            [
                (date(2025, 12, 1), date(2025, 12, 31), V_OLD),
                (JAN1, date(2026, 1, 15), V_JAN),
                (date(2026, 1, 16), JAN31, V_MID),
                (date(2026, 2, 1), date(2026, 2, 28), V_FEB),
            ],
        ),
    ],
)
def test_split_period(versions, start, end, expected):
    assert split_period(start, end, versions) == tuple(
        Segment(*triple) for triple in expected
    )


def test_split_period_refuses():
    with pytest.raises(TariffError) as info:
        split_period(date(2025, 12, 31), JAN31, [V_JAN])
    assert info.value.code == codes.NO_TARIFF_VERSION
    with pytest.raises(TariffError, match="two tariff versions start"):
        split_period(JAN1, JAN31, [V_JAN, version(date_from=JAN1)])
    with pytest.raises(TariffError, match="ends"):
        split_period(JAN31, JAN1, [V_JAN])


def test_fixed_fee_changes_mid_month():
    lines = evaluate_period([V_JAN, V_MID], usage(), 31)
    # 10 x 15/31 = 4.838..; 12 x 16/31 = 6.193..
    assert amounts(lines) == ["4.84", "6.19"]
    assert [(line.start, line.end, line.days) for line in lines] == [
        (JAN1, date(2026, 1, 15), 15),
        (date(2026, 1, 16), JAN31, 16),
    ]
    assert [line.version_date for line in lines] == [JAN1, date(2026, 1, 16)]


def test_split_usage_pro_rates_by_days_and_sums_exactly():
    segments = split_period(JAN1, JAN31, [V_JAN, V_MID])
    whole = usage(
        consumption_by_register={"T1": D(100), "T2": D("12.3456")},
        consumption_by_band={"peak": D(1)},
        peak_demand=D(50),
        area=D(70),
    )
    first, second = split_usage(whole, segments)
    assert first.consumption_by_register == {"T1": D("48.387"), "T2": D("5.9737")}
    assert second.consumption_by_register == {"T1": D("51.613"), "T2": D("6.3719")}
    assert first.consumption_by_band["peak"] + second.consumption_by_band["peak"] == D(
        1
    )
    assert (first.peak_demand, second.area) == (D(50), D(70))
    assert (first.period_end, second.period_start) == (
        date(2026, 1, 15),
        date(2026, 1, 16),
    )


def test_split_usage_needs_segments_covering_the_period():
    segments = split_period(JAN1, date(2026, 1, 20), [V_JAN])
    with pytest.raises(TariffError, match="do not cover") as info:
        split_usage(usage(consumption_by_register={"T1": D(1)}), segments)
    assert info.value.field == "segments"


def test_usage_by_segment_from_readings_at_the_change_date():
    energy = Component("e", "energy", "Energy", D("0.20"), register="T1")
    dearer = Component("e", "energy", "Energy", D("0.30"), register="T1")
    versions = [version(energy), version(dearer, date_from=date(2026, 1, 16))]
    parts = [
        usage(JAN1, date(2026, 1, 15), consumption_by_register={"T1": D(40)}),
        usage(date(2026, 1, 16), JAN31, consumption_by_register={"T1": D(60)}),
    ]
    whole = usage(consumption_by_register={"T1": D(100)})
    lines = evaluate_period(versions, whole, 31, usage_by_segment=parts)
    assert amounts(lines) == ["8.00", "18.00"]
    # without readings at the change date: 100 x 15/31 and 100 x 16/31
    lines = evaluate_period(versions, whole, 31)
    assert amounts(lines) == ["9.68", "15.48"]


def test_usage_by_segment_must_match_the_segments():
    versions = [V_JAN, V_MID]
    with pytest.raises(TariffError, match="2 tariff segments"):
        evaluate_period(versions, usage(), 31, usage_by_segment=[usage()])
    wrong = [usage(JAN1, date(2026, 1, 14)), usage(date(2026, 1, 15), JAN31)]
    with pytest.raises(TariffError, match="segment usage 1") as info:
        evaluate_period(versions, usage(), 31, usage_by_segment=wrong)
    assert info.value.row == 1


def test_tiers_run_on_across_a_tariff_change():
    cheap = Component("e", "tiered", "E", tiers=BEIJING)
    dearer = Component(
        "e",
        "tiered",
        "E",
        tiers=tuple(Tier(t.upto, t.price + D("0.1")) for t in BEIJING),
    )
    versions = [version(cheap), version(dearer, date_from=date(2026, 1, 16))]
    parts = [
        usage(JAN1, date(2026, 1, 15), consumption_by_register={"T1": D(200)}),
        usage(date(2026, 1, 16), JAN31, consumption_by_register={"T1": D(100)}),
    ]
    lines = evaluate_period(
        versions,
        usage(consumption_by_register={"T1": D(300)}),
        31,
        usage_by_segment=parts,
    )
    # 200 in tier 1 at the old price, then 40 more in tier 1 and 60 in tier 2 at
    # the new prices: the second half does not restart at tier 1
    assert [(line.tier, line.quantity) for line in lines] == [
        (1, D(200)),
        (1, D(40)),
        (2, D(60)),
    ]
    independent = [
        version(Component("e", "tiered", "E", tiers=BEIJING, tier_mode="independent")),
        version(
            Component("e", "tiered", "E", tiers=BEIJING, tier_mode="independent"),
            date_from=date(2026, 1, 16),
        ),
    ]
    lines = evaluate_period(
        independent,
        usage(consumption_by_register={"T1": D(300)}),
        31,
        usage_by_segment=parts,
    )
    # the tier is chosen on the month's 300 kWh, for both segments
    assert [line.tier for line in lines] == [2, 2]


def test_tiered_register_changes_with_the_tariff():
    on_t1 = version(Component("e", "tiered", "E", tiers=BEIJING, register="T1"))
    on_t2 = version(
        Component("e", "tiered", "E", tiers=BEIJING, register="T2"),
        date_from=date(2026, 1, 16),
    )
    parts = [
        usage(JAN1, date(2026, 1, 15), consumption_by_register={"T1": D(100)}),
        usage(date(2026, 1, 16), JAN31, consumption_by_register={"T2": D(50)}),
    ]
    lines = evaluate_period(
        [on_t1, on_t2],
        usage(consumption_by_register={"T1": D(100), "T2": D(50)}),
        31,
        usage_by_segment=parts,
    )
    assert [(line.register, line.quantity) for line in lines] == [
        ("T1", D(100)),
        ("T2", D(50)),
    ]


# Property: a period split at a date with an identical version equals the sum of its
# halves. Every line is rounded half-up, so each line is off its exact value by at
# most quantum/2; with L lines in the split and unsplit evaluations together, the
# totals differ by at most L x 0.005. Before rounding they are equal.

money = st.decimals(min_value=D(0), max_value=D(500), places=4, allow_nan=False)
kwh = st.decimals(min_value=D(0), max_value=D(20000), places=3, allow_nan=False)


@st.composite
def linear_tariffs(draw):
    components = [
        Component("ht", "energy", "HT", draw(money), register="T1"),
        Component("nt", "energy", "NT", draw(money), register="T2"),
        Component("peak", "tou_energy", "Peak", draw(money), band="peak"),
        Component("fee", "fixed", "Fee", draw(money)),
        Component("area", "area", "Area", draw(money)),
        Component("cap", "demand_capacity", "Cap", draw(money), capacity=D(315)),
        Component("dem", "demand_peak", "Demand", draw(money)),
        Component(
            "tier",
            "tiered",
            "Tiers",
            tiers=BEIJING,
            register="T1",
            tier_mode=draw(st.sampled_from(["cumulative", "independent"])),
        ),
    ]
    return tuple(components)


@given(
    linear_tariffs(),
    kwh,
    kwh,
    kwh,
    st.integers(min_value=2, max_value=31),
    st.sampled_from([28, 30, 31, 365]),
)
def test_split_at_a_date_equals_the_sum_of_its_halves(
    components, t1, t2, peak, change_day, period_days
):
    whole = usage(
        consumption_by_register={"T1": t1, "T2": t2},
        consumption_by_band={"peak": peak},
        peak_demand=D("123.4"),
        area=D("85.5"),
    )
    unsplit = evaluate_period([version(*components)], whole, period_days)
    split = evaluate_period(
        [
            version(*components),
            version(*components, date_from=date(2026, 1, change_day)),
        ],
        whole,
        period_days,
    )
    tolerance = (len(split) + len(unsplit)) * D("0.005")
    assert abs(total(split) - total(unsplit)) <= tolerance
    for code in {c.code for c in components}:
        mine = [line for line in split if line.component_code == code]
        theirs = [line for line in unsplit if line.component_code == code]
        assert abs(total(mine) - total(theirs)) <= (len(mine) + len(theirs)) * D(
            "0.005"
        )
        # the consumption is neither lost nor invented by the split
        if code not in ("fee", "area", "cap", "dem"):
            assert sum(line.quantity for line in mine) == sum(
                line.quantity for line in theirs
            )


@given(linear_tariffs(), kwh, st.integers(min_value=2, max_value=31))
def test_split_with_readings_equals_the_sum_of_its_halves(components, t1, change_day):
    change = date(2026, 1, change_day)
    first_share = t1 * (change_day - 1) / 31
    first_share = first_share.quantize(D("0.001"))
    parts = [
        usage(
            JAN1,
            date(2026, 1, change_day - 1),
            consumption_by_register={"T1": first_share, "T2": D(0)},
            consumption_by_band={"peak": D(0)},
            peak_demand=D(10),
            area=D(50),
        ),
        usage(
            change,
            JAN31,
            consumption_by_register={"T1": t1 - first_share, "T2": D(0)},
            consumption_by_band={"peak": D(0)},
            peak_demand=D(10),
            area=D(50),
        ),
    ]
    whole = usage(
        consumption_by_register={"T1": t1, "T2": D(0)},
        consumption_by_band={"peak": D(0)},
        peak_demand=D(10),
        area=D(50),
    )
    unsplit = evaluate_period([version(*components)], whole, 31)
    split = evaluate_period(
        [version(*components), version(*components, date_from=change)],
        whole,
        31,
        usage_by_segment=parts,
    )
    tolerance = (len(split) + len(unsplit)) * D("0.005")
    assert abs(total(split) - total(unsplit)) <= tolerance


# ------------------------------------------------------------
# Per-period charges: months and years of the basis
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "basis", "expected"),
    [
        ("2026-01-01", "2026-01-31", "month", [("2026-01-01", "2026-01-31", 31)]),
        ("2026-01-10", "2026-01-20", "month", [("2026-01-10", "2026-01-20", 31)]),
        (
            "2026-01-16",
            "2026-03-05",
            "month",
            [
                ("2026-01-16", "2026-01-31", 31),
                ("2026-02-01", "2026-02-28", 28),
                ("2026-03-01", "2026-03-05", 31),
            ],
        ),
        ("2028-02-01", "2028-02-29", "month", [("2028-02-01", "2028-02-29", 29)]),
        ("2026-03-01", "2026-03-01", "month", [("2026-03-01", "2026-03-01", 31)]),
        ("2026-01-01", "2026-06-30", "year", [("2026-01-01", "2026-06-30", 365)]),
        (
            "2027-12-01",
            "2028-01-31",
            "year",
            [("2027-12-01", "2027-12-31", 365), ("2028-01-01", "2028-01-31", 366)],
        ),
    ],
)
def test_basis_pieces(start, end, basis, expected):
    pieces = basis_pieces(date.fromisoformat(start), date.fromisoformat(end), basis)
    assert pieces == tuple(
        (date.fromisoformat(a), date.fromisoformat(b), days) for a, b, days in expected
    )


@pytest.mark.parametrize(
    ("start", "end", "basis", "field"),
    [
        (JAN31, JAN1, "month", "end"),
        (JAN1, JAN31, "week", "basis"),
    ],
)
def test_basis_pieces_refuses(start, end, basis, field):
    with pytest.raises(TariffError) as caught:
        basis_pieces(start, end, basis)
    assert caught.value.code == codes.INVALID_ARGUMENT
    assert caught.value.field == field


@given(
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.integers(0, 800),
    st.sampled_from(["month", "year"]),
)
def test_basis_pieces_cover_the_period(start, length, basis):
    """The pieces follow each other without gap, cover the period exactly,
    and none is longer than its basis."""
    end = start + timedelta(days=length)
    pieces = basis_pieces(start, end, basis)
    assert pieces[0][0] == start
    assert pieces[-1][1] == end
    for (_a, b, _d), (c, _e, _f) in zip(pieces, pieces[1:], strict=False):
        assert c == b + timedelta(days=1)
    assert sum((b - a).days + 1 for a, b, _d in pieces) == length + 1
    assert all((b - a).days + 1 <= days for a, b, days in pieces)
