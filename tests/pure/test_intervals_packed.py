# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Packed months of interval data (meterkit.intervals): the bytes PostgreSQL's
``int4send``/``int8send`` write, decoded and placed on a grid."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit.intervals import pack_month, place_packed, unpack_month

#: 1 January 2026 00:00 UTC in seconds since the epoch
JAN = 1_767_225_600
#: 1 February 2026 00:00 UTC: JAN + 31 days x 86,400 s
FEB = JAN + 2_678_400


def test_bytes_are_big_endian():
    """900 s = 0x384 -> 00 00 03 84; 10,000 units = 0x2710 -> 00 .. 27 10."""
    seconds, units = pack_month([0, 900], [1, 10000])
    assert seconds == bytes([0, 0, 0, 0, 0, 0, 3, 0x84])
    assert units == bytes(7) + b"\x01" + bytes(6) + b"\x27\x10"
    offsets, values = unpack_month(seconds, units)
    assert (list(offsets), list(values)) == ([0, 900], [1, 10000])


def pack(key, base, pairs):
    return (key, base, *pack_month([s for s, _v in pairs], [v for _s, v in pairs]))


@pytest.mark.parametrize(
    ("first", "end", "step", "packs", "expected"),
    [
        # the whole grid, one month: copied as it is
        (
            JAN,
            JAN + 3600,
            900,
            [pack("a", JAN, [(0, 1), (900, 2), (1800, 3), (2700, 4)])],
            {"a": [1, 2, 3, 4]},
        ),
        # a run starting at slot 2 (00:30), cut at the window's end
        (
            JAN,
            JAN + 2700,
            900,
            [pack("a", JAN, [(1800, 5), (2700, 6)])],
            {"a": [None, None, 5]},
        ),
        # window 23:00 the day before: December's last hour, January's first
        (
            JAN - 3600,
            JAN + 1800,
            900,
            [
                pack(
                    "a",
                    JAN - 31 * 86400,
                    [(31 * 86400 - 1800, 7), (31 * 86400 - 900, 8)],
                ),
                pack("a", JAN, [(0, 9), (900, 10), (1800, 11)]),
            ],
            {"a": [None, None, 7, 8, 9, 10]},
        ),
        # a gap and an off-grid value (00:05) placed one by one: 00:05 left out
        (
            JAN,
            JAN + 3600,
            900,
            [pack("a", JAN, [(0, 1), (300, 9), (1800, 3)])],
            {"a": [1, None, 3, None]},
        ),
        # on a 5-minute grid 00:05 is slot 1
        (
            JAN,
            JAN + 900,
            300,
            [pack("a", JAN, [(0, 1), (300, 9), (1800, 3)])],
            {"a": [1, 9, None]},
        ),
        # only values outside the window: the key is absent
        (JAN + 3600, JAN + 7200, 900, [pack("a", JAN, [(0, 1), (900, 2)])], {}),
        # only an off-grid value inside the window: present, all None
        (
            JAN,
            JAN + 1800,
            900,
            [pack("a", JAN, [(0, 1), (900, 2)]), pack("b", JAN, [(600, 4)])],
            {"a": [1, 2], "b": [None, None]},
        ),
        # a window starting off the quarter-hour: no value on its grid
        (JAN + 60, JAN + 960, 900, [pack("a", JAN, [(0, 1), (900, 2)])], {"a": [None]}),
        # an empty pack is skipped
        (JAN, JAN + 900, 900, [("a", JAN, b"", b"")], {}),
        # February after January, one key: the second month fills its slots
        (
            FEB - 900,
            FEB + 900,
            900,
            [pack("a", JAN, [(2678400 - 900, 1)]), pack("a", FEB, [(0, 2)])],
            {"a": [1, 2]},
        ),
    ],
)
def test_place_packed(first, end, step, packs, expected):
    assert place_packed(first, end, step, packs) == expected


def naive(first, end, step, months):
    """The placement written plainly, value by value."""
    count = -(-(end - first) // step)
    result = {}
    for key, base, pairs in months:
        for offset, value in pairs:
            at = base + offset - first
            if 0 <= at < end - first:
                placed = result.setdefault(key, [None] * count)
                if at % step == 0:
                    placed[at // step] = value
    return result


def numbered(offsets, runs):
    """``(offset, value)`` pairs, values 1, 2...; with ``runs``, offsets
    starting on the quarter-hour become a run of quarter-hours."""
    if runs and offsets and offsets[0] % 900 == 0:
        offsets = range(offsets[0], offsets[0] + 900 * len(offsets), 900)
    return [(offset, k + 1) for k, offset in enumerate(offsets)]


offsets_st = st.lists(
    st.one_of(st.integers(0, 200).map(lambda k: k * 900), st.integers(0, 180000)),
    unique=True,
    max_size=40,
).map(sorted)


@given(
    months=st.lists(
        st.tuples(st.sampled_from("ab"), st.sampled_from([JAN, FEB]), offsets_st),
        max_size=4,
        unique_by=lambda m: (m[0], m[1]),
    ),
    shift=st.integers(-3600, 200000),
    length=st.integers(1, 200000),
    step=st.sampled_from([300, 900, 3600]),
    runs=st.booleans(),
)
def test_place_packed_as_value_by_value(months, shift, length, step, runs):
    """Whatever the offsets (runs of the grid or not), the placement equals
    the plain one."""
    months = [(key, base, numbered(offsets, runs)) for key, base, offsets in months]
    first = JAN + shift
    packs = [pack(key, base, pairs) for key, base, pairs in months]
    assert place_packed(first, first + length, step, packs) == naive(
        first, first + length, step, months
    )
