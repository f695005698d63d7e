# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Modbus register maps as data, and the pure decoding of register words.

A :class:`RegisterMap` lists :class:`RegisterPoint` items: what quantity, at which
0-based wire address, in which table (``input`` = FC04, ``holding`` = FC03), with
which data type, word order and scale, and, for billing counters, which meter
register (T1..T8) the value feeds. :func:`plan_blocks` groups points into as few
block reads (at most 125 registers) as the map allows; :func:`decode_block`
turns the words of a block back into values.

Sources of the maps: Eastron SDM630/SDM120/SDM72 data sheets (FC04 FLOAT32),
ABB B21/B23/B24 Modbus manual 2CMC485003M0201, Carlo Gavazzi EM24 protocol
(INT32 low word first), Acrel DDSY1352 and DTSD1352 manuals.
"""

import math
import struct
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..readings import REGISTER_NAMES
from .errors import CONFIG, FRAME_LENGTH, ConfigError, FrameError

#: data type -> (number of 16-bit words, struct format of the big-endian bytes)
DTYPES = {
    "u16": (1, ">H"),
    "s16": (1, ">h"),
    "u32": (2, ">I"),
    "s32": (2, ">i"),
    "u64": (4, ">Q"),
    "s64": (4, ">q"),
    "float32": (2, ">f"),
    "float64": (4, ">d"),
}
#: "not available" sentinels of integer registers (ABB documents these)
SENTINELS = {
    "u16": {0xFFFF},
    "s16": {0x7FFF},
    "u32": {0xFFFFFFFF},
    "s32": {0x7FFFFFFF},
    "u64": {0xFFFFFFFFFFFFFFFF},
    "s64": {0x7FFFFFFFFFFFFFFF},
}
TABLES = ("input", "holding")
WORD_ORDERS = ("big", "little")
REGISTERS = REGISTER_NAMES
MAX_BLOCK = 125


@dataclass(frozen=True)
class RegisterPoint:
    """One value of a device.

    ``quantity`` is a stable code (``energy_import``, ``energy_export``,
    ``energy_total``, ``voltage``, ``current``, ``power``, ``frequency``,
    ``power_factor``, ...); ``phase`` is ``L1``..``L3`` or empty; ``register`` is
    the meter register (T1..T8) that a counter feeds, empty for live values.
    The decoded value is ``raw * scale`` in ``unit``.
    """

    quantity: str
    address: int
    dtype: str = "float32"
    table: str = "input"
    word_order: str = "big"
    scale: Decimal = Decimal(1)
    unit: str = ""
    phase: str = ""
    register: str = ""

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ConfigError(CONFIG, f"unknown data type {self.dtype!r}")
        if self.table not in TABLES:
            raise ConfigError(CONFIG, f"unknown register table {self.table!r}")
        if self.word_order not in WORD_ORDERS:
            raise ConfigError(CONFIG, f"unknown word order {self.word_order!r}")
        if not 0 <= self.address <= 0xFFFF:
            raise ConfigError(CONFIG, f"address {self.address} out of 0..65535")
        if self.register and self.register not in REGISTERS:
            raise ConfigError(CONFIG, f"register {self.register!r} is not T1..T8")
        object.__setattr__(self, "scale", Decimal(str(self.scale)))

    @property
    def words(self):
        return DTYPES[self.dtype][0]

    @property
    def key(self):
        return f"{self.quantity}_{self.phase}" if self.phase else self.quantity


@dataclass(frozen=True)
class RegisterMap:
    """A device model's registers. ``max_gap``: unused registers a block read
    may span (0 for devices that refuse undefined addresses)."""

    code: str
    name: str
    points: tuple
    max_gap: int = 0
    probe: RegisterPoint | None = None
    notes: str = ""

    def counters(self):
        return tuple(p for p in self.points if p.register)


@dataclass(frozen=True)
class Block:
    table: str
    start: int
    count: int
    points: tuple = field(default_factory=tuple)


def plan_blocks(points, max_gap=0, max_count=MAX_BLOCK):
    """Group points into block reads per table: contiguous (or within
    ``max_gap`` unused registers) and at most ``max_count`` registers each."""
    blocks = []
    for table in TABLES:
        todo = sorted((p for p in points if p.table == table), key=lambda p: p.address)
        current = []
        start = end = 0
        for point in todo:
            p_end = point.address + point.words
            if current and (
                point.address - end > max_gap or max(end, p_end) - start > max_count
            ):
                blocks.append(Block(table, start, end - start, tuple(current)))
                current = []
            if not current:
                start, end = point.address, p_end
            current.append(point)
            end = max(end, p_end)
        if current:
            blocks.append(Block(table, start, end - start, tuple(current)))
    return blocks


def decode_words(words, dtype, word_order="big", scale=Decimal(1)):
    """Value of ``words`` (16-bit ints) as ``dtype``, times ``scale``.

    :return: a Decimal, or None for NaN, infinity and "not available" sentinels.
    :raise FrameError: wrong number of words or a word outside 0..65535.
    """
    size, fmt = DTYPES.get(dtype, (None, None))
    if size is None:
        raise ConfigError(CONFIG, f"unknown data type {dtype!r}")
    words = list(words)
    if len(words) != size:
        raise FrameError(
            FRAME_LENGTH, f"{dtype} needs {size} registers, got {len(words)}"
        )
    if any(not isinstance(w, int) or not 0 <= w <= 0xFFFF for w in words):
        raise FrameError(FRAME_LENGTH, f"register value out of 0..65535 in {words}")
    if word_order == "little":
        words.reverse()
    raw = struct.unpack(fmt, b"".join(w.to_bytes(2, "big") for w in words))[0]
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return None
        value = _shortest(raw, dtype)
    else:
        unsigned = int.from_bytes(
            b"".join(w.to_bytes(2, "big") for w in words), "big", signed=False
        )
        if unsigned in SENTINELS.get(dtype, ()):
            return None
        value = Decimal(raw)
    try:
        return value * Decimal(str(scale))
    except InvalidOperation as error:  # pragma: no cover - scale is validated
        raise ConfigError(CONFIG, f"bad scale {scale!r}") from error


def _shortest(raw, dtype):
    """The shortest decimal that reads back as the same float32/float64, so a
    device's 230.1 stays 230.1 and not 230.10000610351562."""
    if dtype == "float64":
        return Decimal(repr(raw))
    for digits in range(6, 10):
        text = format(raw, f".{digits}g")
        if struct.pack(">f", float(text)) == struct.pack(">f", raw):
            return Decimal(text)
    return Decimal(repr(raw))  # pragma: no cover - 9 digits always round-trip


def encode_value(value, dtype, word_order="big", scale=Decimal(1)):
    """Inverse of :func:`decode_words` (for simulators and writes)."""
    size, fmt = DTYPES[dtype]
    raw = Decimal(str(value)) / Decimal(str(scale))
    number = float(raw) if fmt[-1] in "fd" else int(raw.to_integral_value())
    try:
        data = struct.pack(fmt, number)
    except (struct.error, OverflowError) as error:
        raise ConfigError(CONFIG, f"{value} does not fit a {dtype}: {error}") from error
    words = [int.from_bytes(data[i : i + 2], "big") for i in range(0, 2 * size, 2)]
    if word_order == "little":
        words.reverse()
    return words


def decode_block(block, words):
    """``{point.key: Decimal | None}`` of a block read.

    :raise FrameError: fewer words than the block spans.
    """
    words = list(words)
    if len(words) < block.count:
        raise FrameError(
            FRAME_LENGTH,
            f"block {block.table}@{block.start} expects {block.count} registers, "
            f"got {len(words)}",
        )
    values = {}
    for point in block.points:
        offset = point.address - block.start
        values[point.key] = decode_words(
            words[offset : offset + point.words],
            point.dtype,
            point.word_order,
            point.scale,
        )
    return values


# ------------------------------------------------------------
# BUILT-IN MAPS
# ------------------------------------------------------------


def _eastron(code, name, extra, phases=("L1", "L2", "L3")):
    points = []
    for i, phase in enumerate(phases):
        ph = phase if len(phases) > 1 else ""
        points += [
            RegisterPoint("voltage", 0x0000 + 2 * i, unit="V", phase=ph),
            RegisterPoint("current", 0x0006 + 2 * i, unit="A", phase=ph),
            RegisterPoint("power", 0x000C + 2 * i, unit="W", phase=ph),
        ]
    points += [
        RegisterPoint("frequency", 0x0046, unit="Hz"),
        RegisterPoint("energy_import", 0x0048, unit="kWh", register="T1"),
        RegisterPoint("energy_export", 0x004A, unit="kWh"),
        RegisterPoint("energy_total", 0x0156, unit="kWh"),
    ]
    points += extra
    return RegisterMap(
        code,
        name,
        tuple(points),
        max_gap=64,
        probe=RegisterPoint("voltage", 0x0000, unit="V"),
        notes="FC04, IEEE-754 float32, high word first; values in engineering units.",
    )


def _abb(code, name):
    points = [
        RegisterPoint(
            "energy_import",
            0x5000,
            "u64",
            "holding",
            scale="0.01",
            unit="kWh",
            register="T1",
        ),
        RegisterPoint(
            "energy_export", 0x5004, "u64", "holding", scale="0.01", unit="kWh"
        ),
    ]
    for i, phase in enumerate(("L1", "L2", "L3")):
        points += [
            RegisterPoint(
                "voltage",
                0x5B00 + 2 * i,
                "u32",
                "holding",
                scale="0.1",
                unit="V",
                phase=phase,
            ),
            RegisterPoint(
                "current",
                0x5B0C + 2 * i,
                "u32",
                "holding",
                scale="0.01",
                unit="A",
                phase=phase,
            ),
        ]
    points += [
        RegisterPoint("power", 0x5B14, "s32", "holding", scale="0.01", unit="W"),
        RegisterPoint("frequency", 0x5B2C, "u16", "holding", scale="0.01", unit="Hz"),
        RegisterPoint("power_factor", 0x5B3A, "s16", "holding", scale="0.001"),
    ]
    return RegisterMap(
        code,
        name,
        tuple(points),
        max_gap=0,
        probe=RegisterPoint("frequency", 0x5B2C, "u16", "holding", scale="0.01"),
        notes="FC03, big-endian integers with fixed scaling; 0xFFFF.. = not available.",
    )


def _em24():
    kw = {"dtype": "s32", "table": "holding", "word_order": "little"}
    points = []
    for i, phase in enumerate(("L1", "L2", "L3")):
        points += [
            RegisterPoint(
                "voltage", 0x0000 + 2 * i, scale="0.1", unit="V", phase=phase, **kw
            ),
            RegisterPoint(
                "current", 0x000C + 2 * i, scale="0.001", unit="A", phase=phase, **kw
            ),
            RegisterPoint(
                "power", 0x0012 + 2 * i, scale="0.1", unit="W", phase=phase, **kw
            ),
        ]
    points += [
        RegisterPoint("power_total", 0x0028, scale="0.1", unit="W", **kw),
        RegisterPoint("frequency", 0x0033, "u16", "holding", scale="0.1", unit="Hz"),
        RegisterPoint(
            "energy_import", 0x0034, scale="0.1", unit="kWh", register="T1", **kw
        ),
        RegisterPoint("energy_export", 0x004E, scale="0.1", unit="kWh", **kw),
    ]
    return RegisterMap(
        "em24",
        "Carlo Gavazzi EM24",
        tuple(points),
        max_gap=32,
        probe=RegisterPoint("model", 0x000B, "u16", "holding"),
        notes="FC03, INT32 low word first (word order little), scaled integers.",
    )


def _acrel_ddsy1352():
    kw = {"table": "holding"}
    points = [
        RegisterPoint("energy_import", 0x0000, "u32", scale="0.01", unit="kWh", **kw),
    ]
    for i, reg in enumerate(("T1", "T2", "T3", "T4")):
        points.append(
            RegisterPoint(
                "energy_import",
                0x0002 + 2 * i,
                "u32",
                scale="0.01",
                unit="kWh",
                phase=f"T{i + 1}",
                register=reg,
                **kw,
            )
        )
    points += [
        RegisterPoint("voltage", 0x000B, "u16", scale="0.1", unit="V", **kw),
        RegisterPoint("current", 0x000C, "u16", scale="0.01", unit="A", **kw),
        RegisterPoint("power", 0x000D, "s16", scale="1", unit="W", **kw),
        RegisterPoint("power_factor", 0x0010, "s16", scale="0.001", **kw),
    ]
    return RegisterMap(
        "acrel_ddsy1352",
        "Acrel DDSY1352 (single-phase prepaid)",
        tuple(points),
        max_gap=4,
        probe=RegisterPoint("voltage", 0x000B, "u16", "holding", scale="0.1"),
        notes="FC03, UINT32 high word first; spike/peak/flat/valley = T1..T4. "
        "Power register is 0.001 kW = 1 W.",
    )


def _acrel_dtsd1352():
    kw = {"table": "holding", "dtype": "u32", "unit": "kWh", "scale": "0.01"}
    points = [RegisterPoint("energy_total", 0x0000, **kw)]
    for i in range(4):
        points.append(
            RegisterPoint(
                "energy_total",
                0x0002 + 2 * i,
                phase=f"T{i + 1}",
                register=f"T{i + 1}",
                **kw,
            )
        )
    points += [
        RegisterPoint("energy_import", 0x000A, **kw),
        RegisterPoint("energy_export", 0x0014, **kw),
    ]
    return RegisterMap(
        "acrel_dtsd1352",
        "Acrel DTSD1352 / ADL3000-E (three-phase)",
        tuple(points),
        max_gap=12,
        probe=RegisterPoint("energy_total", 0x0000, "u32", "holding"),
        notes="FC03; energy = raw x PT x CT x 0.01 kWh: set the meter's multiplier "
        "to PT x CT.",
    )


def _chint():
    kw = {"table": "holding"}
    ddsu = RegisterMap(
        "chint_ddsu666",
        "CHINT DDSU666 (single phase)",
        (
            RegisterPoint("voltage", 0x2000, unit="V", **kw),
            RegisterPoint("current", 0x2002, unit="A", **kw),
            RegisterPoint("power", 0x2004, unit="kW", **kw),
            RegisterPoint("power_factor", 0x200A, **kw),
            RegisterPoint("frequency", 0x200E, unit="Hz", **kw),
            RegisterPoint("energy_import", 0x4000, unit="kWh", register="T1", **kw),
            RegisterPoint("energy_export", 0x400A, unit="kWh", **kw),
        ),
        max_gap=0,
        probe=RegisterPoint("voltage", 0x2000, table="holding"),
        notes="FC03, IEEE-754 float32, high word first (CHINT, often met beside "
        "Acrel meters).",
    )
    dtsu = RegisterMap(
        "chint_dtsu666",
        "CHINT DTSU666 (three phase)",
        (
            RegisterPoint("energy_import", 0x401E, unit="kWh", register="T1", **kw),
            RegisterPoint("energy_export", 0x4028, unit="kWh", **kw),
        ),
        max_gap=0,
        probe=RegisterPoint("energy_import", 0x401E, table="holding"),
        notes="FC03, float32 high word first; energies only (the live values "
        "need the PT/CT ratios of the device).",
    )
    return ddsu, dtsu


def _io_module():
    return RegisterMap(
        "relay4",
        "4-relay I/O module (coils 0..3)",
        (),
        probe=None,
        notes="Relays on coils 0..3 (FC05 write, FC01 read back).",
    )


BUILTIN_MAPS = {
    m.code: m
    for m in (
        _eastron(
            "sdm630",
            "Eastron SDM630",
            [
                RegisterPoint("power_total", 0x0034, unit="W"),
                RegisterPoint("energy_import", 0x015A, unit="kWh", phase="L1"),
                RegisterPoint("energy_import", 0x015C, unit="kWh", phase="L2"),
                RegisterPoint("energy_import", 0x015E, unit="kWh", phase="L3"),
            ],
        ),
        _eastron("sdm120", "Eastron SDM120 / SDM230", [], phases=("",)),
        _eastron(
            "sdm72",
            "Eastron SDM72D-M",
            [
                RegisterPoint("power_total", 0x0034, unit="W"),
            ],
        ),
        _abb("abb_b23", "ABB B23"),
        _abb("abb_b24", "ABB B24"),
        _em24(),
        _acrel_ddsy1352(),
        _acrel_dtsd1352(),
        *_chint(),
        _io_module(),
    )
}


def get_map(code):
    """A built-in map by code.

    :raise ConfigError: unknown code (the message lists the known ones)."""
    try:
        return BUILTIN_MAPS[code]
    except KeyError:
        raise ConfigError(
            CONFIG,
            f"unknown register map {code!r}; known: {', '.join(sorted(BUILTIN_MAPS))}",
        ) from None
