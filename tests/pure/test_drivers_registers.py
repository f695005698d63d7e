# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Register maps and the pure decoding of Modbus register words."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.drivers import ConfigError, DriverError, FrameError
from meterkit.drivers.registers import (
    BUILTIN_MAPS,
    DTYPES,
    MAX_BLOCK,
    Block,
    RegisterPoint,
    decode_block,
    decode_words,
    encode_value,
    get_map,
    plan_blocks,
)

D = Decimal


@pytest.mark.parametrize(
    ("words", "dtype", "order", "scale", "expected"),
    [
        ([0x4366, 0x199A], "float32", "big", 1, D("230.1")),  # Eastron V L1
        ([0x449A, 0x5000], "float32", "big", 1, D("1234.5")),
        ([0x5000, 0x449A], "float32", "little", 1, D("1234.5")),
        ([0x7FC0, 0x0000], "float32", "big", 1, None),  # NaN
        ([0x7F80, 0x0000], "float32", "big", 1, None),  # +inf
        ([0x0000, 0x0000, 0x0001, 0xE240], "u64", "big", "0.01", D("1234.56")),  # ABB
        ([0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF], "u64", "big", "0.01", None),  # n/a
        ([0x0009, 0x0000], "s32", "little", "0.1", D("0.9")),  # EM24 LSW first
        ([0x0000, 0x0009], "s32", "big", "0.1", D("0.9")),
        ([0xFFFF, 0xFFFE], "s32", "big", "0.01", D("-0.02")),
        ([0x7FFF, 0xFFFF], "s32", "big", 1, None),
        ([0x1388], "u16", "big", "0.01", D("50.00")),
        ([0xFC18], "s16", "big", "0.001", D("-1.000")),
        ([0x7FFF], "s16", "big", 1, None),
        ([0x0001, 0x86A0], "u32", "big", "0.01", D("1000.00")),  # Acrel 0.01 kWh
        ([0x40C8, 0x1CD6, 0xE631, 0xF8A1], "float64", "big", 1, D("12345.6789")),
    ],
)
def test_decode_words(words, dtype, order, scale, expected):
    assert decode_words(words, dtype, order, D(str(scale))) == expected


@pytest.mark.parametrize(
    ("words", "dtype", "error"),
    [
        ([0x4366], "float32", FrameError),
        ([1, 2, 3], "u32", FrameError),
        ([0x10000, 0], "u32", FrameError),
        ([-1], "u16", FrameError),
        (["a"], "u16", FrameError),
        ([1], "u12", ConfigError),
    ],
)
def test_decode_words_refuses(words, dtype, error):
    with pytest.raises(error):
        decode_words(words, dtype)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dtype": "int99"}, "data type"),
        ({"table": "coil"}, "table"),
        ({"word_order": "middle"}, "word order"),
        ({"address": 70000}, "address"),
        ({"register": "T9"}, "T1..T8"),
    ],
)
def test_point_validation(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        RegisterPoint("x", **{"address": 0, **kwargs})


def test_builtin_maps_cover_the_devices_asked_for():
    expected = {
        "sdm630",
        "sdm120",
        "sdm72",
        "abb_b23",
        "abb_b24",
        "em24",
        "acrel_ddsy1352",
        "acrel_dtsd1352",
    }
    assert expected <= set(BUILTIN_MAPS)
    for code in expected:
        regmap = get_map(code)
        assert regmap.counters(), code
        keys = [p.key for p in regmap.points]
        assert len(keys) == len(set(keys)), f"{code}: duplicate keys"


@pytest.mark.parametrize(
    ("code", "address", "table", "dtype", "order"),
    [
        ("sdm630", 0x0048, "input", "float32", "big"),
        ("sdm120", 0x0048, "input", "float32", "big"),
        ("sdm72", 0x0048, "input", "float32", "big"),
        ("abb_b23", 0x5000, "holding", "u64", "big"),
        ("em24", 0x0034, "holding", "s32", "little"),
        ("acrel_ddsy1352", 0x0002, "holding", "u32", "big"),
        ("chint_ddsu666", 0x4000, "holding", "float32", "big"),
        ("chint_dtsu666", 0x401E, "holding", "float32", "big"),
    ],
)
def test_main_counter_of_each_map(code, address, table, dtype, order):
    t1 = next(p for p in get_map(code).points if p.register == "T1")
    assert (t1.address, t1.table, t1.dtype, t1.word_order) == (
        address,
        table,
        dtype,
        order,
    )


def test_unknown_map_lists_known_ones():
    with pytest.raises(ConfigError, match="sdm630"):
        get_map("nope")


def test_plan_blocks_groups_and_splits():
    points = [
        RegisterPoint("a", 0),
        RegisterPoint("b", 2),
        RegisterPoint("c", 10),
        RegisterPoint("d", 0, "u16", "holding"),
    ]
    assert [(b.table, b.start, b.count) for b in plan_blocks(points, max_gap=0)] == [
        ("input", 0, 4),
        ("input", 10, 2),
        ("holding", 0, 1),
    ]
    assert [(b.start, b.count) for b in plan_blocks(points, max_gap=8)][:1] == [(0, 12)]
    many = [RegisterPoint(f"p{i}", 2 * i) for i in range(100)]
    blocks = plan_blocks(many, max_gap=0)
    assert all(b.count <= MAX_BLOCK for b in blocks)
    assert sum(len(b.points) for b in blocks) == 100


def test_sdm630_reads_in_two_blocks():
    regmap = get_map("sdm630")
    blocks = plan_blocks(regmap.points, regmap.max_gap)
    assert [(b.start, b.count) for b in blocks] == [(0x0000, 0x004C), (0x0156, 10)]


def test_decode_block_round_trip_of_every_map():
    for regmap in BUILTIN_MAPS.values():
        for block in plan_blocks(regmap.points, regmap.max_gap):
            words = [0] * block.count
            for point in block.points:
                off = point.address - block.start
                words[off : off + point.words] = encode_value(
                    "12.3", point.dtype, point.word_order, point.scale
                )
            values = decode_block(block, words)
            for point in block.points:
                # integer registers keep what their scale can hold
                expected = (
                    D("12.3").quantize(point.scale)
                    if point.dtype[0] in "us" and point.scale >= 1
                    else D("12.3")
                )
                assert values[point.key] == expected, (regmap.code, point.key)


def test_decode_block_short_answer():
    block = Block("input", 0, 4, (RegisterPoint("a", 2),))
    with pytest.raises(FrameError, match="expects 4"):
        decode_block(block, [0, 0])


@given(
    st.lists(st.integers(min_value=-(2**17), max_value=2**17), max_size=6),
    st.sampled_from(sorted(DTYPES) + ["bogus"]),
    st.sampled_from(["big", "little"]),
)
def test_fuzz_decode_words_raises_only_driver_errors(words, dtype, order):
    try:
        value = decode_words(words, dtype, order)
    except DriverError:
        return
    assert value is None or value.is_finite()


@given(
    st.integers(min_value=0, max_value=2**32 - 2), st.sampled_from(["big", "little"])
)
def test_u32_round_trip(number, order):
    assert decode_words(encode_value(number, "u32", order), "u32", order) == number
