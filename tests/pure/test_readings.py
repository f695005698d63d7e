# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading values, consumption, replacement and interpolation (meterkit.readings)."""

import pickle
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from meterkit import (
    ConsumptionResult,
    MeterkitError,
    ReadingError,
    ReadingPoint,
    codes,
    consumption,
    consumption_series,
    decimal_places,
    interpolate,
    interpolate_weighted,
    parse_value,
    replacement_consumption,
)
from meterkit.readings import max_consumption

D = Decimal
UTC0 = timezone(timedelta(0))
T0 = datetime(2026, 1, 1)


def at(days=0, **kwargs):
    """An instant ``days`` (and more) after 2026-01-01 00:00 (naive UTC)."""
    return T0 + timedelta(days=days, **kwargs)


def point(days, value, **kwargs):
    return ReadingPoint(at(days), D(value), **kwargs)


# ------------------------------------------------------------
# parse_value
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, "12"),
        (0, "0"),
        (D("3.140"), "3.140"),
        ("12", "12"),
        ("  12  ", "12"),
        ("12.5", "12.5"),
        ("12,5", "12.5"),
        (" 12,5 ", "12.5"),
        ("0012", "12"),
        ("+5", "5"),
        ("5.", "5"),
        (".5", "0.5"),
        (",5", "0.5"),
        ("1 234,5", "1234.5"),
        ("1 234 567", "1234567"),
        ("1\u00a0234.5", "1234.5"),
        ("1\u202f234", "1234"),
        ("1'234.5", "1234.5"),
        ("1\u2019234", "1234"),
        ("-0", "0"),
        ("0,000", "0"),
        (0.1, "0.1"),
        (12.0, "12"),
        (1e16, "1E+16"),
        ("99999.999", "99999.999"),
        ("123456789012345678901234567890.5", "123456789012345678901234567890.5"),
    ],
)
def test_parse_value_accepts(raw, expected):
    value = parse_value(raw)
    assert isinstance(value, Decimal)
    assert value == D(expected)
    assert not value.is_signed()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "12abc",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-Infinity",
        "inf",
        "1e3",
        "1E+3",
        "1,2,3",
        "1.2.3",
        "1,234.5",
        "1.234,5",
        "12 5",
        "1 23",
        "1_000",
        "0x10",
        "\u0663",
        "--1",
        "+",
        ".",
        ",",
        True,
        False,
        None,
        [],
        {"value": 1},
        b"12",
        D("NaN"),
        D("Infinity"),
        D("-Infinity"),
        float("nan"),
        float("inf"),
    ],
)
def test_parse_value_refuses_non_numbers(raw):
    with pytest.raises(ReadingError) as info:
        parse_value(raw)
    assert info.value.code == codes.NOT_NUMERIC


@pytest.mark.parametrize("raw", [-1, "-1", "-0,5", " -12.5 ", D("-2"), -0.5, "-1 234"])
def test_parse_value_refuses_negative(raw):
    with pytest.raises(ReadingError) as info:
        parse_value(raw)
    assert info.value.code == codes.NEGATIVE_VALUE


def test_parse_value_error_names_field_and_row():
    with pytest.raises(ReadingError) as info:
        parse_value("abc", field="multiplier", row=7)
    error = info.value
    assert (error.field, error.row) == ("multiplier", 7)
    assert "multiplier on row 7" in str(error)
    assert "'abc'" in str(error)
    assert isinstance(error, MeterkitError)
    assert isinstance(error, ValueError)


def test_parse_value_error_message_is_bounded():
    with pytest.raises(ReadingError) as info:
        parse_value("x" * 10_000)
    assert len(str(info.value)) < 100


@pytest.mark.parametrize(
    ("raw", "decimals", "code"),
    [
        ("12.5", 1, None),
        ("12.50", 1, None),
        ("12.5", 3, None),
        ("12", 0, None),
        ("12.0", 0, None),
        ("12,000", 0, None),
        ("1200", 0, None),
        ("0", 0, None),
        ("12.55", 1, codes.TOO_MANY_DECIMALS),
        ("0.0001", 3, codes.TOO_MANY_DECIMALS),
        ("12.5", 0, codes.NOT_INTEGER),
        (12.5, 0, codes.NOT_INTEGER),
        ("0,1", 0, codes.NOT_INTEGER),
    ],
)
def test_parse_value_decimals(raw, decimals, code):
    if code is None:
        assert parse_value(raw, decimals=decimals) == D(str(raw).replace(",", "."))
        return
    with pytest.raises(ReadingError) as info:
        parse_value(raw, field="value", row=3, decimals=decimals)
    assert info.value.code == code
    assert "row 3" in str(info.value)


@pytest.mark.parametrize("decimals", [-1, True, "2", 1.0])
def test_parse_value_bad_decimals_argument(decimals):
    with pytest.raises(MeterkitError) as info:
        parse_value("1", decimals=decimals)
    assert info.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("value", "places"),
    [("12", 0), ("12.50", 1), ("1E+3", 0), ("0.001", 3), ("0", 0), ("1.000", 0)],
)
def test_decimal_places(value, places):
    assert decimal_places(D(value)) == places


# ------------------------------------------------------------
# consumption
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "kwargs", "expected"),
    [
        (None, "5", {}, "0"),
        ("5", "5", {}, "0"),
        ("5", "8", {}, "3"),
        ("100.5", "110.25", {}, "9.75"),
        (5, 8, {}, "3"),
        ("5", "8", {"multiplier": D(10)}, "30"),
        ("5", "8", {"multiplier": D("0.5")}, "1.5"),
        ("5", "8", {"multiplier": 40}, "120"),
        ("500", "3", {"opening": True}, "0"),
        ("500", "3", {"opening": True, "rolled_over": True}, "0"),
        (None, "3", {"rolled_over": True, "rollover_value": D(10)}, "0"),
        ("99990", "5", {"rolled_over": True, "rollover_value": D(100000)}, "15"),
        (
            "99990",
            "5",
            {"rolled_over": True, "rollover_value": D(100000), "multiplier": D(2)},
            "30",
        ),
        ("99999.9", "0.1", {"rolled_over": True, "rollover_value": D(100000)}, "0.2"),
        ("9999", "0", {"rolled_over": True, "rollover_value": 10000}, "1"),
        ("100", "200", {"rollover_value": D(100000)}, "100"),
        ("0", "99999", {"rollover_value": D(100000)}, "99999"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567891",
            {"multiplier": D("1000000")},
            "1000000",
        ),
    ],
)
def test_consumption(previous, current, kwargs, expected):
    previous = None if previous is None else D(previous)
    result = consumption(previous, D(current), **kwargs)
    assert isinstance(result, Decimal)
    assert result == D(expected)


@pytest.mark.parametrize(
    ("previous", "current", "kwargs", "code"),
    [
        ("8", "5", {}, codes.NEGATIVE_CONSUMPTION),
        ("8", "5", {"multiplier": D(3)}, codes.NEGATIVE_CONSUMPTION),
        ("8", "5", {"rollover_value": D(10)}, codes.NEGATIVE_CONSUMPTION),
        ("8", "5", {"rolled_over": True}, codes.ROLLOVER_IMPLAUSIBLE),
        (
            "5",
            "8",
            {"rolled_over": True, "rollover_value": D(10)},
            "rollover_implausible",
        ),
        (
            "5",
            "5",
            {"rolled_over": True, "rollover_value": D(10)},
            "rollover_implausible",
        ),
        (
            "12",
            "5",
            {"rolled_over": True, "rollover_value": D(10)},
            codes.ABOVE_ROLLOVER,
        ),
        (
            "10",
            "5",
            {"rolled_over": True, "rollover_value": D(10)},
            codes.ABOVE_ROLLOVER,
        ),
        ("5", "10", {"rollover_value": D(10)}, codes.ABOVE_ROLLOVER),
        ("5", "11", {"rollover_value": D(10), "rolled_over": True}, "above_rollover"),
        (None, "10", {"rollover_value": D(10)}, codes.ABOVE_ROLLOVER),
        ("1", "10", {"rollover_value": D(10), "opening": True}, codes.ABOVE_ROLLOVER),
        ("5", "-1", {}, codes.NEGATIVE_VALUE),
        ("-1", "5", {}, codes.NEGATIVE_VALUE),
        ("5", "NaN", {}, codes.NOT_NUMERIC),
        ("Infinity", "5", {}, codes.NOT_NUMERIC),
    ],
)
def test_consumption_errors(previous, current, kwargs, code):
    previous = None if previous is None else D(previous)
    with pytest.raises(ReadingError) as info:
        consumption(previous, D(current), **kwargs)
    assert info.value.code == code


def test_negative_consumption_message_gives_both_values():
    with pytest.raises(ReadingError) as info:
        consumption(D("1234.5"), D("1200.25"))
    assert "1234.5" in str(info.value)
    assert "1200.25" in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"multiplier": D(0)},
        {"multiplier": D(-1)},
        {"rollover_value": D(0)},
        {"rollover_value": D(-100)},
    ],
)
def test_consumption_bad_arguments(kwargs):
    with pytest.raises(MeterkitError) as info:
        consumption(D(1), D(2), **kwargs)
    assert info.value.code == codes.INVALID_ARGUMENT
    assert not isinstance(info.value, ReadingError)


@pytest.mark.parametrize(
    ("previous", "current", "kwargs"),
    [
        (1.0, D(2), {}),
        (D(1), 2.5, {}),
        (D(1), "2", {}),
        (D(1), True, {}),
        (D(1), D(2), {"multiplier": 1.5}),
        (D(1), D(2), {"rollover_value": 1e5}),
    ],
)
def test_consumption_refuses_floats_and_text(previous, current, kwargs):
    with pytest.raises(TypeError):
        consumption(previous, current, **kwargs)


# ------------------------------------------------------------
# consumption_series
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "kwargs", "expected"),
    [
        ([], {}, []),
        ([point(0, "7")], {}, ["0"]),
        (
            [point(0, "100"), point(1, "150"), point(2, "175.5")],
            {},
            ["0", "50", "25.5"],
        ),
        ([point(2, "175"), point(0, "100"), point(1, "150")], {}, ["0", "50", "25"]),
        ([point(0, "100"), point(1, "150")], {"multiplier": D(40)}, ["0", "2000"]),
        ([point(0, "100"), point(1, "100")], {}, ["0", "0"]),
        (
            [point(0, "99990"), point(1, "5", rolled_over=True), point(2, "20")],
            {"rollover_value": D(100000)},
            ["0", "15", "15"],
        ),
        (
            # replacement: old meter 100 -> 150, new meter opens at 2 then reads 10
            [
                point(0, "100"),
                point(1, "150"),
                point(1.5, "2", opening=True),
                point(2, "10"),
            ],
            {},
            ["0", "50", "0", "8"],
        ),
        ([point(0, "5", opening=True), point(1, "6")], {}, ["0", "1"]),
        ([point(0, "5", rolled_over=True)], {"rollover_value": D(10)}, ["0"]),
    ],
)
def test_consumption_series(points, kwargs, expected):
    results = consumption_series(points, **kwargs)
    assert [r.consumption for r in results] == [D(e) for e in expected]
    assert [r.read_at for r in results] == sorted(p.read_at for p in points)
    assert all(isinstance(r, ConsumptionResult) for r in results)


def test_consumption_series_passes_keys_and_values_through():
    points = [
        ReadingPoint(at(1), D("150"), key=("meter", 2)),
        ReadingPoint(at(0), D("100"), key=("meter", 1)),
    ]
    results = consumption_series(points)
    assert [(r.key, r.value) for r in results] == [
        (("meter", 1), D("100")),
        (("meter", 2), D("150")),
    ]


def test_consumption_series_duplicate_instant():
    points = [point(0, "1", key=1), point(1, "2", key=2), point(1, "3", key=3)]
    with pytest.raises(ReadingError) as info:
        consumption_series(points)
    assert info.value.code == codes.DUPLICATE_INSTANT
    assert "2" in str(info.value) and "3" in str(info.value)


def test_consumption_series_error_names_the_point():
    points = [point(0, "10", key="r1"), point(1, "9", key="r2")]
    with pytest.raises(ReadingError) as info:
        consumption_series(points)
    assert info.value.code == codes.NEGATIVE_CONSUMPTION
    assert "'r2'" in str(info.value)
    assert "2026-01-02" in str(info.value)


def test_consumption_series_rollover_needs_modulus():
    points = [point(0, "99990"), point(1, "5", rolled_over=True)]
    with pytest.raises(ReadingError) as info:
        consumption_series(points)
    assert info.value.code == codes.ROLLOVER_IMPLAUSIBLE


def test_consumption_series_is_stable_on_aware_datetimes():
    zurich = timezone(timedelta(hours=1))
    points = [
        ReadingPoint(datetime(2026, 1, 1, 1, tzinfo=zurich), D(5), key="a"),
        ReadingPoint(datetime(2026, 1, 1, 0, 30, tzinfo=UTC0), D(7), key="b"),
    ]
    assert [r.key for r in consumption_series(points)] == ["a", "b"]


# ------------------------------------------------------------
# replacement_consumption
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("readings", "kwargs", "expected"),
    [
        (("1000", "1200", "0", "50"), {}, "250"),
        (("1000", "1200", "5", "55"), {}, "250"),
        (("1000", "1000", "0", "0"), {}, "0"),
        (("10.5", "12.25", "0.125", "1"), {}, "2.625"),
        (("1000", "1200", "0", "50"), {"old_multiplier": D(2)}, "450"),
        (("1000", "1200", "0", "50"), {"new_multiplier": D(40)}, "2200"),
        (
            ("1000", "1200", "0", "50"),
            {"old_multiplier": D(20), "new_multiplier": D("0.5")},
            "4025",
        ),
    ],
)
def test_replacement_consumption(readings, kwargs, expected):
    result = replacement_consumption(*(D(r) for r in readings), **kwargs)
    assert result == D(expected)


@pytest.mark.parametrize(
    ("readings", "which"),
    [
        (("1200", "1000", "0", "50"), "old meter"),
        (("1000", "1200", "50", "40"), "new meter"),
    ],
)
def test_replacement_consumption_negative_part(readings, which):
    with pytest.raises(ReadingError) as info:
        replacement_consumption(*(D(r) for r in readings))
    assert info.value.code == codes.NEGATIVE_CONSUMPTION
    assert which in str(info.value)


# ------------------------------------------------------------
# interpolate / interpolate_weighted
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "when", "kwargs", "expected"),
    [
        (point(0, "100"), point(10, "200"), at(5), {}, "150"),
        (point(0, "100"), point(10, "200"), at(0), {}, "100"),
        (point(0, "100"), point(10, "200"), at(10), {}, "200"),
        (point(0, "100"), point(10, "200"), at(1), {}, "110"),
        (point(0, "100"), point(4, "200"), at(1), {}, "125"),
        (point(0, "100"), point(10, "100"), at(3), {}, "100"),
        (point(0, "0"), point(1, "86400"), at(seconds=1), {}, "1"),
        (
            point(0, "0"),
            ReadingPoint(at(seconds=1), D("1")),
            at(microseconds=1),
            {},
            "0.000001",
        ),
        (
            point(0, "100"),
            point(3, "200"),
            at(1),
            {},
            "133.33333333333333333333333333333333",
        ),
        (
            point(0, "99990"),
            point(10, "10", rolled_over=True),
            at(5),
            {"rollover_value": D(100000)},
            "0",
        ),
        (
            point(0, "99990"),
            point(10, "10", rolled_over=True),
            at(2),
            {"rollover_value": D(100000)},
            "99994",
        ),
        (
            point(0, "99990"),
            point(10, "10", rolled_over=True),
            at(8),
            {"rollover_value": D(100000)},
            "6",
        ),
        (
            point(0, "99990"),
            point(10, "10", rolled_over=True),
            at(10),
            {"rollover_value": D(100000)},
            "10",
        ),
        (point(0, "100"), point(0, "100"), at(0), {}, "100"),
        (point(0, "100"), point(10, "300"), at(5), {"rollover_value": D(1000)}, "200"),
    ],
)
def test_interpolate(before, after, when, kwargs, expected):
    result = interpolate(before, after, when, **kwargs)
    assert isinstance(result, Decimal)
    assert result == D(expected)


@pytest.mark.parametrize(
    ("before", "after", "when", "kwargs", "code"),
    [
        (point(0, "100"), point(10, "200"), at(-1), {}, codes.OUT_OF_ORDER),
        (point(0, "100"), point(10, "200"), at(11), {}, codes.OUT_OF_ORDER),
        (point(10, "100"), point(0, "200"), at(5), {}, codes.OUT_OF_ORDER),
        (point(0, "100"), point(0, "200"), at(1), {}, codes.DUPLICATE_INSTANT),
        (point(0, "200"), point(10, "100"), at(5), {}, codes.NEGATIVE_CONSUMPTION),
        (
            point(0, "99990"),
            point(10, "10", rolled_over=True),
            at(5),
            {},
            codes.ROLLOVER_IMPLAUSIBLE,
        ),
        (
            point(0, "100"),
            point(10, "200", rolled_over=True),
            at(5),
            {"rollover_value": D(1000)},
            codes.ROLLOVER_IMPLAUSIBLE,
        ),
        (
            point(0, "100"),
            point(10, "2000"),
            at(5),
            {"rollover_value": D(1000)},
            codes.ABOVE_ROLLOVER,
        ),
    ],
)
def test_interpolate_errors(before, after, when, kwargs, code):
    with pytest.raises(ReadingError) as info:
        interpolate(before, after, when, **kwargs)
    assert info.value.code == code


def test_interpolate_refuses_a_replacement():
    with pytest.raises(MeterkitError) as info:
        interpolate(point(0, "500"), point(10, "3", opening=True), at(5))
    assert info.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("before", "after", "done", "total", "kwargs", "expected"),
    [
        (point(0, "100"), point(30, "400"), "0", "300", {}, "100"),
        (point(0, "100"), point(30, "400"), "300", "300", {}, "400"),
        (point(0, "100"), point(30, "400"), "170", "1000", {}, "151"),
        (point(0, "100"), point(30, "400"), 1, 4, {}, "175"),
        (point(0, "100"), point(30, "400"), "1", "3", {}, "200"),
        (
            point(0, "900"),
            point(30, "100", rolled_over=True),
            "1",
            "2",
            {"rollover_value": D(1000)},
            "0",
        ),
        (
            point(0, "900"),
            point(30, "100", rolled_over=True),
            "3",
            "4",
            {"rollover_value": D(1000)},
            "50",
        ),
    ],
)
def test_interpolate_weighted(before, after, done, total, kwargs, expected):
    done = D(done) if isinstance(done, str) else done
    total = D(total) if isinstance(total, str) else total
    assert interpolate_weighted(before, after, done, total, **kwargs) == D(expected)


@pytest.mark.parametrize(
    ("done", "total"),
    [("-1", "10"), ("11", "10"), ("0", "0"), ("1", "-1"), ("0", "-5")],
)
def test_interpolate_weighted_bad_weights(done, total):
    with pytest.raises(MeterkitError) as info:
        interpolate_weighted(point(0, "1"), point(1, "2"), D(done), D(total))
    assert info.value.code == codes.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("before", "after", "code"),
    [
        (point(1, "1"), point(0, "2"), codes.OUT_OF_ORDER),
        (point(0, "1"), point(0, "2"), codes.DUPLICATE_INSTANT),
        (point(0, "3"), point(1, "2"), codes.NEGATIVE_CONSUMPTION),
    ],
)
def test_interpolate_weighted_bad_pairs(before, after, code):
    with pytest.raises(ReadingError) as info:
        interpolate_weighted(before, after, D(1), D(2))
    assert info.value.code == code


# ------------------------------------------------------------
# errors and codes
# ------------------------------------------------------------


def test_error_attributes_and_pickle():
    error = ReadingError(codes.NOT_NUMERIC, "value on row 3: 'x'", field="value", row=3)
    assert str(error) == "value on row 3: 'x'"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ReadingError
    assert (copy.code, copy.field, copy.row, str(copy)) == (
        codes.NOT_NUMERIC,
        "value",
        3,
        "value on row 3: 'x'",
    )
    plain = MeterkitError("bad_file", "boom")
    assert (plain.field, plain.row) == (None, None)


def test_codes_are_their_names_and_described():
    names = [name for name in dir(codes) if name.isupper() and name != "DESCRIPTIONS"]
    assert len(names) >= 16
    for name in names:
        assert getattr(codes, name) == name.lower()
        assert codes.DESCRIPTIONS[getattr(codes, name)]
    assert set(codes.DESCRIPTIONS) == {getattr(codes, name) for name in names}


def test_reading_point_is_frozen():
    reading = point(0, "1")
    with pytest.raises(AttributeError):
        reading.value = D(2)


# ------------------------------------------------------------
# properties
# ------------------------------------------------------------

values = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False)
multipliers = st.decimals(min_value="0.001", max_value=10**4, places=3)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))


@st.composite
def reading_sequences(draw):
    rollover = draw(st.sampled_from([None, D(10**3), D(10**6), D(10**9)]))
    high = rollover - D("0.001") if rollover else D(10**9)
    value = st.decimals(min_value=0, max_value=high, places=3)
    points = draw(
        st.lists(
            st.tuples(value, st.booleans(), st.booleans()), min_size=1, max_size=30
        )
    )
    return rollover, points


@given(reading_sequences(), multipliers)
def test_property_consumption_never_negative(sequence, multiplier):
    rollover, points = sequence
    previous = None
    for value, rolled_over, opening in points:
        try:
            result = consumption(
                previous,
                value,
                multiplier=multiplier,
                rollover_value=rollover,
                rolled_over=rolled_over,
                opening=opening,
            )
        except ReadingError as error:
            decreasing = previous is not None and value < previous
            if decreasing and not rolled_over and not opening:
                assert error.code == codes.NEGATIVE_CONSUMPTION
        else:
            assert result >= 0
        previous = value


@given(values, values, st.sampled_from([None, D(10**10)]), multipliers)
def test_property_decreasing_pair_without_rollover(first, second, rollover, multiplier):
    assume(second < first)
    with pytest.raises(ReadingError) as info:
        consumption(first, second, multiplier=multiplier, rollover_value=rollover)
    assert info.value.code == codes.NEGATIVE_CONSUMPTION


@given(reading_sequences(), multipliers)
def test_property_series_never_negative(sequence, multiplier):
    rollover, raw = sequence
    points = [
        ReadingPoint(at(index), value, rolled_over=rolled, opening=opening)
        for index, (value, rolled, opening) in enumerate(raw)
    ]
    try:
        results = consumption_series(
            points, multiplier=multiplier, rollover_value=rollover
        )
    except ReadingError:
        return
    assert all(result.consumption >= 0 for result in results)
    assert results[0].consumption == 0


@given(
    st.integers(min_value=1, max_value=9),
    st.data(),
)
def test_property_rollover_recovers_the_true_advance(digits, data):
    modulus = D(10**digits)
    start = data.draw(st.integers(min_value=0, max_value=10**digits - 1))
    advance = data.draw(st.integers(min_value=1, max_value=10**digits - 1))
    end = (start + advance) % 10**digits
    wrapped = end < start
    result = consumption(D(start), D(end), rollover_value=modulus, rolled_over=wrapped)
    assert result == advance


@given(values, values, instants, st.integers(min_value=1, max_value=10**13), st.data())
def test_property_interpolation_between_neighbours(v1, v2, t1, span_us, data):
    low, high = min(v1, v2), max(v1, v2)
    t2 = t1 + timedelta(microseconds=span_us)
    offset = data.draw(st.integers(min_value=0, max_value=span_us))
    when = t1 + timedelta(microseconds=offset)
    result = interpolate(ReadingPoint(t1, low), ReadingPoint(t2, high), when)
    assert low <= result <= high


@given(values, values, st.decimals(min_value=0, max_value=10**6, places=2), st.data())
def test_property_weighted_between_neighbours(v1, v2, total, data):
    assume(total > 0)
    low, high = min(v1, v2), max(v1, v2)
    done = data.draw(st.decimals(min_value=0, max_value=total, places=2))
    result = interpolate_weighted(point(0, low), point(1, high), done, total)
    assert low <= result <= high


@given(st.lists(values, min_size=1, max_size=40))
def test_property_series_sum_is_last_minus_first(raw):
    ordered = sorted(raw)
    points = [ReadingPoint(at(index), value) for index, value in enumerate(ordered)]
    results = consumption_series(points)
    assert sum((r.consumption for r in results), D(0)) == ordered[-1] - ordered[0]


@given(values, st.booleans())
def test_property_parse_value_round_trip(value, comma):
    text = format(value, "f")
    if comma:
        text = text.replace(".", ",")
    assert parse_value(f" {text} ") == value


# ------------------------------------------------------------
# Rollover plausibility (RULES.md §5.3)
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "hours", "multiplier", "expected"),
    [
        # 100000 - 99990 + 5 = 15 <= 50 kWh/h x 1 h = 50: accepted
        ("99990", "5", 1, "1", "15"),
        # exactly the limit: 100000 - 99990 + 40 = 50 <= 50
        ("99990", "40", 1, "1", "50"),
        # 100000 - 90000 + 10 = 10010 > 50 x 1 h: refused
        ("90000", "10", 1, "1", None),
        # the same wrap over 30 days: 10010 <= 50 x 720 h = 36000
        ("90000", "10", 720, "1", "10010"),
        # multiplier 10: (100000 - 99990 + 5) x 10 = 150 > 50 x 1 h
        ("99990", "5", 1, "10", None),
        # 15 minutes: 100000 - 99995 + 7 = 12 <= 50 x 0.25 = 12.5
        ("99995", "7", "0.25", "1", "12"),
    ],
)
def test_rollover_plausibility(previous, current, hours, multiplier, expected):
    """A recorded wrap is accepted only up to max rate x elapsed time."""
    later = T0 + timedelta(hours=float(hours))
    points = [
        ReadingPoint(T0, D(previous), key="p"),
        ReadingPoint(later, D(current), rolled_over=True, key="c"),
    ]
    kwargs = {
        "multiplier": D(multiplier),
        "rollover_value": D(100000),
        "max_rate": D(50),
    }
    if expected is None:
        with pytest.raises(ReadingError) as info:
            consumption_series(points, **kwargs)
        assert info.value.code == codes.ROLLOVER_IMPLAUSIBLE
        implied = (D(100000) - D(previous) + D(current)) * D(multiplier)
        assert f"implies a consumption of {implied}" in str(info.value)
    else:
        results = consumption_series(points, **kwargs)
        assert results[-1].consumption == D(expected)


def test_rollover_without_max_rate_is_not_limited():
    points = [
        ReadingPoint(T0, D(90000)),
        ReadingPoint(T0 + timedelta(minutes=1), D(10), rolled_over=True),
    ]
    assert consumption_series(points, rollover_value=D(100000))[-1].consumption == (
        D(10010)
    )
    assert max_consumption(None, T0, T0 + timedelta(hours=1)) is None
    assert max_consumption(D(2), T0, T0 + timedelta(minutes=90)) == D(3)
