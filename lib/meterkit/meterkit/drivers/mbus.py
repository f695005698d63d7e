# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Wired M-Bus (EN 13757-2 link layer, EN 13757-3 application layer).

:func:`parse_frame` decodes the single character (ACK), short and long frames;
the variable data structure of a long frame (CI 0x72 / 0x7A / 0x78) becomes an
:class:`MBusFrame` whose :class:`DataRecord` values are normalised to base units
(Wh, J, m³, kg, s, W, m³/h, °C, K, bar, V, A) the way libmbus does, so that
the real frames of its test corpus decode to its expected values. Bad input
only ever raises :class:`~meterkit.drivers.errors.FrameError`.

:func:`build_*` make the master's frames (SND_NKE, REQ_UD2, secondary-address
selection) and a slave's RSP_UD (used by simulators and tests).
:class:`MBusClient` talks to an M-Bus master or an M-Bus-to-Ethernet converter
in transparent mode over TCP (or any object with ``read``/``write``).
"""

import socket
import struct
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .errors import (
    CONFIG,
    CONNECTION,
    DEVICE_EXCEPTION,
    FRAME_CHECKSUM,
    FRAME_EMPTY,
    FRAME_MALFORMED,
    FRAME_TRUNCATED,
    FRAME_UNSUPPORTED,
    TIMEOUT,
    ConfigError,
    DeviceError,
    DriverError,
    FrameError,
    TransportError,
)
from .result import DeviceResult

ACK = 0xE5
SND_NKE = 0x40
REQ_UD2 = 0x5B
SND_UD = 0x53
RSP_UD = 0x08
ADDRESS_SECONDARY = 0xFD
ADDRESS_BROADCAST = 0xFF
MAX_DIFE = 10
MAX_VIFE = 10
MAX_RECORDS = 200

MEDIUM = {
    0x00: "Other",
    0x01: "Oil",
    0x02: "Electricity",
    0x03: "Gas",
    0x04: "Heat: Outlet",
    0x05: "Steam",
    0x06: "Hot water",
    0x07: "Water",
    0x08: "Heat Cost Allocator",
    0x09: "Compressed Air",
    0x0A: "Cooling load meter: Outlet",
    0x0B: "Cooling load meter: Inlet",
    0x0C: "Heat: Inlet",
    0x0D: "Heat / Cooling load meter",
    0x0E: "Bus/System",
    0x0F: "Unknown Medium",
    0x15: "Hot water",
    0x16: "Cold water",
    0x17: "Dual water",
    0x18: "Pressure",
    0x19: "A/D Converter",
}
FUNCTIONS = (
    "Instantaneous value",
    "Maximum value",
    "Minimum value",
    "Value during error state",
)
DATA_SIZE = {
    0: 0,
    1: 1,
    2: 2,
    3: 3,
    4: 4,
    5: 4,
    6: 6,
    7: 8,
    8: 0,
    9: 1,
    10: 2,
    11: 3,
    12: 4,
    14: 6,
}
BCD = {9, 10, 11, 12, 14}
TIME_UNITS = (
    (Decimal(1), "s"),
    (Decimal(60), "s"),
    (Decimal(3600), "s"),
    (Decimal(86400), "s"),
)


@dataclass(frozen=True)
class DataRecord:
    """One variable data record.

    ``value`` is a Decimal in ``unit`` (normalised), ``text`` the value of
    strings, dates and raw manufacturer data. ``raw`` is the record's hex.
    """

    quantity: str
    unit: str
    value: Decimal | None
    text: str
    function: str
    storage: int
    tariff: int
    subunit: int
    raw: str


@dataclass(frozen=True)
class MBusFrame:
    kind: str  # "ack", "short", "long"
    c_field: int
    address: int
    ci_field: int = 0
    identification: str = ""
    manufacturer: str = ""
    version: int = 0
    medium: str = ""
    access_number: int = 0
    status: int = 0
    records: tuple = ()
    more_records_follow: bool = False
    manufacturer_data: str = ""
    raw: str = ""

    @property
    def secondary_address(self):
        return secondary_text(
            self.identification, self.manufacturer, self.version, self._medium_code
        )

    @property
    def _medium_code(self):
        for code, name in MEDIUM.items():
            if name == self.medium:
                return code
        return 0xFF

    def record(self, quantity, storage=0, tariff=0, function="Instantaneous value"):
        for rec in self.records:
            if (rec.quantity, rec.storage, rec.tariff, rec.function) == (
                quantity,
                storage,
                tariff,
                function,
            ) and rec.value is not None:
                return rec
        return None


# ------------------------------------------------------------
# VIF TABLES
# ------------------------------------------------------------


def _primary_vif(vif):
    """(quantity, unit, exponent) of a primary VIF (without extension bit)."""
    n = vif & 0x07
    table = (
        (0x00, 0x07, "Energy", "Wh", n - 3),
        (0x08, 0x0F, "Energy", "J", n),
        (0x10, 0x17, "Volume", "m^3", n - 6),
        (0x18, 0x1F, "Mass", "kg", n - 3),
        (0x28, 0x2F, "Power", "W", n - 3),
        (0x30, 0x37, "Power", "J/h", n),
        (0x38, 0x3F, "Volume flow", "m^3/h", n - 6),
        (0x40, 0x47, "Volume flow", "m^3/min", n - 7),
        (0x48, 0x4F, "Volume flow", "m^3/s", n - 9),
        (0x50, 0x57, "Mass flow", "kg/h", n - 3),
    )
    for low, high, quantity, unit, exp in table:
        if low <= vif <= high:
            return quantity, unit, exp, Decimal(1)
    n2 = vif & 0x03
    table2 = (
        (0x58, "Flow temperature", "°C"),
        (0x5C, "Return temperature", "°C"),
        (0x60, "Temperature difference", "K"),
        (0x64, "External temperature", "°C"),
        (0x68, "Pressure", "bar"),
    )
    for low, quantity, unit in table2:
        if low <= vif <= low + 3:
            return quantity, unit, n2 - 3, Decimal(1)
    if 0x20 <= vif <= 0x27:
        factor, unit = TIME_UNITS[vif & 0x03]
        return ("On time" if vif < 0x24 else "Operating time"), unit, 0, factor
    if 0x70 <= vif <= 0x77:
        factor, unit = TIME_UNITS[vif & 0x03]
        return (
            ("Averaging Duration" if vif < 0x74 else "Actuality Duration"),
            unit,
            0,
            factor,
        )
    named = {
        0x6C: "Time Point (date)",
        0x6D: "Time Point (time & date)",
        0x6E: "Units for H.C.A.",
        0x78: "Fabrication No",
        0x79: "Enhanced identification",
        0x7A: "Bus Address",
        0x7E: "Any VIF",
        0x7F: "Manufacturer specific",
    }
    return named.get(vif, "Reserved"), "", 0, Decimal(1)


def _fd_vif(vife):
    """Main extension table (VIF 0xFD)."""
    v = vife & 0x7F
    if v <= 0x03:
        return "Credit", "currency units", (v & 0x03) - 3, Decimal(1)
    if 0x04 <= v <= 0x07:
        return "Debit", "currency units", (v & 0x03) - 3, Decimal(1)
    if 0x40 <= v <= 0x4F:
        return "Voltage", "V", (v & 0x0F) - 9, Decimal(1)
    if 0x50 <= v <= 0x5F:
        return "Current", "A", (v & 0x0F) - 12, Decimal(1)
    named = {
        0x08: "Access Number",
        0x09: "Medium",
        0x0A: "Manufacturer",
        0x0B: "Parameter set identification",
        0x0C: "Model / Version",
        0x0D: "Hardware version",
        0x0E: "Firmware version",
        0x0F: "Software version",
        0x10: "Customer location",
        0x11: "Customer",
        0x16: "Password",
        0x17: "Error flags",
        0x1A: "Digital output",
        0x1B: "Digital input",
        0x1C: "Baudrate",
        0x60: "Reset counter",
        0x61: "Cumulation counter",
        0x74: "Remaining battery life",
        0x3A: "Dimensionless",
    }
    return named.get(v, "Reserved"), "", 0, Decimal(1)


def _fb_vif(vife):
    """First extension table (VIF 0xFB)."""
    v = vife & 0x7F
    n = v & 0x01
    table = (
        (0x00, "Energy", "Wh", n + 5),
        (0x08, "Energy", "J", n + 8),
        (0x10, "Volume", "m^3", n + 2),
        (0x18, "Mass", "kg", n + 5),
        (0x28, "Power", "W", n + 5),
        (0x30, "Power", "J/h", n + 8),
    )
    for low, quantity, unit, exp in table:
        if low <= v <= low + 1:
            return quantity, unit, exp, Decimal(1)
    return "Reserved", "", 0, Decimal(1)


# ------------------------------------------------------------
# DECODING
# ------------------------------------------------------------


def decode_bcd(data):
    """Value of little-endian BCD bytes; a top nibble 0xF means negative.

    :raise FrameError: a digit above 9 (the meter's error marker)."""
    digits = "".join(f"{b:02X}" for b in reversed(data))
    negative = digits[:1] == "F"
    if negative:
        digits = digits[1:]
    if not digits.isdigit():
        raise FrameError(FRAME_MALFORMED, f"invalid BCD digits {digits!r}")
    value = int(digits or "0")
    return -value if negative else value


def _date_g(data):
    day, month = data[0] & 0x1F, data[1] & 0x0F
    year = ((data[0] & 0xE0) >> 5) | ((data[1] & 0xF0) >> 1)
    return f"{2000 + year:04d}-{month:02d}-{day:02d}"


def _datetime_f(data):
    minute, hour = data[0] & 0x3F, data[1] & 0x1F
    day, month = data[2] & 0x1F, data[3] & 0x0F
    year = ((data[2] & 0xE0) >> 5) | ((data[3] & 0xF0) >> 1)
    return f"{2000 + year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00"


def _datetime_i(data):
    second, minute, hour = data[0] & 0x3F, data[1] & 0x3F, data[2] & 0x1F
    day, month = data[3] & 0x1F, data[4] & 0x0F
    year = ((data[3] & 0xE0) >> 5) | ((data[4] & 0xF0) >> 1)
    return (
        f"{2000 + year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    )


def _need(data, pos, count, what):
    if pos + count > len(data):
        raise FrameError(
            FRAME_TRUNCATED,
            f"premature end of data in {what} at byte {pos}",
            raw=bytes(data).hex(" "),
        )


def _read_value(data, pos, coding, what):
    """(number | None, text, new position) of one record's data field."""
    if coding == 0x0D:
        _need(data, pos, 1, what)
        lvar = data[pos]
        pos += 1
        if lvar <= 0xBF:
            _need(data, pos, lvar, what)
            chunk = bytes(reversed(data[pos : pos + lvar]))
            return None, chunk.decode("latin-1"), pos + lvar
        if lvar <= 0xDF:
            size = lvar & 0x0F
            _need(data, pos, size, what)
            number = decode_bcd(data[pos : pos + size])
            return (-number if lvar >= 0xD0 else number), "", pos + size
        if lvar <= 0xEF:
            size = lvar - 0xE0
            _need(data, pos, size, what)
            number = int.from_bytes(data[pos : pos + size], "little", signed=True)
            return number, "", pos + size
        if lvar <= 0xF4:  # binary data of 4 x (LVAR - 0xEC) bytes
            size = 4 * (lvar - 0xEC)
            _need(data, pos, size, what)
            return (
                None,
                bytes(reversed(data[pos : pos + size])).hex(" ").upper(),
                pos + size,
            )
        raise FrameError(FRAME_UNSUPPORTED, f"variable length code 0x{lvar:02X}")
    size = DATA_SIZE.get(coding)
    if size is None:
        raise FrameError(FRAME_MALFORMED, f"data field 0x{coding:X} in {what}")
    _need(data, pos, size, what)
    chunk = bytes(data[pos : pos + size])
    if coding in BCD:
        try:
            return decode_bcd(chunk), "", pos + size
        except FrameError:
            return None, chunk.hex(), pos + size
    if coding == 0x05:
        number = struct.unpack("<f", chunk)[0]
        if number != number or number in (float("inf"), float("-inf")):
            return None, "NaN", pos + size
        return Decimal(repr(number)), "", pos + size
    if size == 0:
        return None, "", pos
    return int.from_bytes(chunk, "little", signed=True), chunk.hex(), pos + size


def _read_vif(data, pos):
    """(quantity, unit, exponent, factor, new pos, text VIF)."""
    _need(data, pos, 1, "VIF")
    vif = data[pos]
    pos += 1
    plain = ""
    if vif in (0x7C, 0xFC):
        _need(data, pos, 1, "VIF")
        length = data[pos]
        _need(data, pos + 1, length, "VIF")
        plain = bytes(reversed(data[pos + 1 : pos + 1 + length])).decode("latin-1")
        pos += 1 + length
        spec = (plain, "", 0, Decimal(1))
    elif vif in (0xFD, 0xFB):
        _need(data, pos, 1, "VIFE")
        vife = data[pos]
        spec = _fd_vif(vife) if vif == 0xFD else _fb_vif(vife)
        pos += 1
        vif = vife  # the extension bit of the VIFE says whether more follow
    else:
        spec = _primary_vif(vif & 0x7F)
    quantity, unit, exp, factor = spec
    count = 0
    while vif & 0x80:
        count += 1
        if count > MAX_VIFE:
            raise FrameError(
                FRAME_MALFORMED, f"more than {MAX_VIFE} VIFE at byte {pos}"
            )
        _need(data, pos, 1, "VIFE")
        vif = data[pos]
        pos += 1
        ext = vif & 0x7F
        if 0x70 <= ext <= 0x77:  # multiplicative correction factor 10^(nnn-6)
            exp += (ext & 0x07) - 6
        elif ext == 0x7D:  # multiplicative correction factor 10^3
            exp += 3
    return quantity, unit, exp, factor, pos, plain


def _read_record(data, pos):
    """(DataRecord | marker, new position). Markers: "filler", "mfr", "more"."""
    start = pos
    dif = data[pos]
    pos += 1
    if dif == 0x2F:
        return "filler", pos
    if dif in (0x0F, 0x1F):
        return ("more" if dif == 0x1F else "mfr"), pos
    coding = dif & 0x0F
    function = FUNCTIONS[(dif >> 4) & 0x03]
    storage, tariff, subunit = (dif >> 6) & 0x01, 0, 0
    ext, count = dif & 0x80, 0
    while ext:
        count += 1
        if count > MAX_DIFE:
            raise FrameError(
                FRAME_MALFORMED, f"more than {MAX_DIFE} DIFE at byte {pos}"
            )
        _need(data, pos, 1, "DIFE")
        dife = data[pos]
        pos += 1
        storage |= (dife & 0x0F) << (1 + 4 * (count - 1))
        tariff |= ((dife >> 4) & 0x03) << (2 * (count - 1))
        subunit |= ((dife >> 6) & 0x01) << (count - 1)
        ext = dife & 0x80
    quantity, unit, exp, factor, pos, _plain = _read_vif(data, pos)
    number, text, pos = _read_value(data, pos, coding, quantity)
    value = None
    if quantity.startswith("Time Point"):
        chunk = bytes(data[pos - DATA_SIZE.get(coding, 0) : pos])
        if coding == 0x02:
            text = _date_g(chunk)
        elif coding == 0x04:
            text = _datetime_f(chunk)
        elif coding == 0x06:
            text = _datetime_i(chunk)
    elif number is not None:
        value = (Decimal(number) * factor).scaleb(exp)
    record = DataRecord(
        quantity=quantity,
        unit=unit,
        value=value,
        text=text,
        function=function,
        storage=storage,
        tariff=tariff,
        subunit=subunit,
        raw=bytes(data[start:pos]).hex(" "),
    )
    return record, pos


def _manufacturer(code):
    return "".join(chr(((code >> shift) & 0x1F) + 64) for shift in (10, 5, 0))


def _header(data, ci):
    """(header dict, position of the first record)."""
    if ci == 0x72:
        _need(data, 0, 12, "header")
        ident = "".join(f"{b:02X}" for b in reversed(data[0:4]))
        return {
            "identification": ident,
            "manufacturer": _manufacturer(int.from_bytes(data[4:6], "little")),
            "version": data[6],
            "medium": MEDIUM.get(data[7], "Unknown Medium"),
            "access_number": data[8],
            "status": data[9],
        }, 12
    if ci == 0x7A:
        _need(data, 0, 4, "header")
        return {"access_number": data[0], "status": data[1]}, 4
    if ci == 0x78:
        return {}, 0
    raise FrameError(FRAME_UNSUPPORTED, f"CI field 0x{ci:02X} is not variable data")


def _long_body(data, hexed):
    """C field .. last data byte of a long frame, after the envelope checks."""
    if data[0] != 0x68:
        raise FrameError(
            FRAME_MALFORMED, f"unknown start byte 0x{data[0]:02X}", raw=hexed
        )
    if len(data) < 6:
        raise FrameError(FRAME_TRUNCATED, "long frame header under 6 bytes", raw=hexed)
    length = data[1]
    if data[2] != length or data[3] != 0x68:
        raise FrameError(FRAME_MALFORMED, "long frame header mismatch", raw=hexed)
    if len(data) < length + 6:
        raise FrameError(
            FRAME_TRUNCATED,
            f"long frame of {length + 6} bytes has {len(data)}",
            raw=hexed,
        )
    if len(data) > length + 6:
        raise FrameError(FRAME_MALFORMED, "bytes after the stop byte", raw=hexed)
    if data[-1] != 0x16:
        raise FrameError(FRAME_MALFORMED, "long frame without stop byte", raw=hexed)
    if length < 3:
        raise FrameError(FRAME_MALFORMED, "long frame shorter than C, A, CI", raw=hexed)
    body = data[4 : 4 + length]
    if sum(body) & 0xFF != data[4 + length]:
        raise FrameError(FRAME_CHECKSUM, "long frame checksum", raw=hexed)
    return body


def parse_frame(raw):
    """Decode one M-Bus frame.

    :param raw: bytes, or hex text (spaces allowed).
    :raise FrameError: empty, truncated, bad checksum or stop byte, malformed
        records, unsupported CI field.
    :raise DeviceError: the meter answered with an application error (CI 0x70).
    """
    try:
        data = bytes.fromhex(raw) if isinstance(raw, str) else bytes(raw)
    except (ValueError, TypeError) as error:
        raise FrameError(FRAME_MALFORMED, f"not M-Bus bytes: {error}") from error
    if not data:
        raise FrameError(FRAME_EMPTY, "empty frame")
    hexed = data.hex(" ")
    if data[0] == ACK:
        if len(data) != 1:
            raise FrameError(FRAME_MALFORMED, "bytes after ACK", raw=hexed)
        return MBusFrame("ack", 0, 0, raw=hexed)
    if data[0] == 0x10:
        if len(data) < 5:
            raise FrameError(FRAME_TRUNCATED, "short frame under 5 bytes", raw=hexed)
        if data[4] != 0x16 or len(data) != 5:
            raise FrameError(
                FRAME_MALFORMED, "short frame without stop byte", raw=hexed
            )
        if (data[1] + data[2]) & 0xFF != data[3]:
            raise FrameError(FRAME_CHECKSUM, "short frame checksum", raw=hexed)
        return MBusFrame("short", data[1], data[2], raw=hexed)
    body = _long_body(data, hexed)
    c_field, address, ci = body[0], body[1], body[2]
    try:
        return _parse_variable(body[3:], c_field, address, ci, hexed)
    except DriverError as error:
        error.raw = hexed
        raise


APPLICATION_ERRORS = {
    0: "unspecified error",
    1: "unimplemented CI field",
    2: "buffer too long",
    3: "too many records",
    4: "premature end of record",
    5: "more than 10 DIFE",
    6: "more than 10 VIFE",
    8: "application busy",
    9: "too many readouts",
}


def _parse_variable(data, c_field, address, ci, hexed):
    if ci == 0x70:
        code = data[0] if data else 0
        raise DeviceError(
            DEVICE_EXCEPTION,
            f"the meter reports an application error: "
            f"{APPLICATION_ERRORS.get(code, 'unspecified error')}",
            raw=hexed,
            exception_code=code,
        )
    if ci in (0x51, 0x52, 0x53, 0x50):  # a master's SND_UD: data, not records
        return MBusFrame(
            "long", c_field, address, ci, raw=hexed, manufacturer_data=bytes(data).hex()
        )
    header, pos = _header(data, ci)
    records, more, mfr = [], False, ""
    while pos < len(data):
        record, pos = _read_record(data, pos)
        if record == "filler":
            continue
        if record in ("mfr", "more"):
            more = record == "more"
            mfr = bytes(data[pos:]).hex(" ").upper()
            records.append(
                DataRecord(
                    "Manufacturer specific",
                    "",
                    None,
                    mfr,
                    "Manufacturer specific",
                    0,
                    0,
                    0,
                    mfr,
                )
            )
            break
        records.append(record)
        if len(records) > MAX_RECORDS:
            raise FrameError(FRAME_MALFORMED, f"more than {MAX_RECORDS} records")
    return MBusFrame(
        "long",
        c_field,
        address,
        ci,
        records=tuple(records),
        more_records_follow=more,
        manufacturer_data=mfr,
        raw=hexed,
        **header,
    )


# ------------------------------------------------------------
# BUILDING FRAMES
# ------------------------------------------------------------


def _long(c_field, address, ci, payload=b""):
    body = bytes([c_field, address, ci]) + bytes(payload)
    if len(body) > 255:
        raise ConfigError(CONFIG, "long frame payload over 252 bytes")
    return (
        bytes([0x68, len(body), len(body), 0x68])
        + body
        + bytes([sum(body) & 0xFF, 0x16])
    )


def build_short(c_field, address):
    return bytes([0x10, c_field, address, (c_field + address) & 0xFF, 0x16])


def build_snd_nke(address):
    return build_short(SND_NKE, address)


def build_req_ud2(address, fcb=False):
    return build_short(REQ_UD2 | (0x20 if fcb else 0), address)


def parse_secondary(text):
    """Bytes of a 16-character secondary address ``IIIIIIIIMMMMVVMM`` (ID,
    manufacturer, version, medium; ``F`` is a wildcard nibble)."""
    text = (text or "").strip().upper()
    if len(text) != 16 or any(c not in "0123456789ABCDEF" for c in text):
        raise ConfigError(CONFIG, f"secondary address {text!r} is not 16 hex digits")
    ident = bytes.fromhex(text[0:8])[::-1]
    manuf = bytes.fromhex(text[8:12])[::-1]
    return ident + manuf + bytes.fromhex(text[12:16])


def secondary_text(identification, manufacturer, version, medium_code):
    code = 0
    for char in (manufacturer or "@@@")[:3].ljust(3, "@"):
        code = (code << 5) | ((ord(char) - 64) & 0x1F)
    return f"{identification:0>8}{code:04X}{version:02X}{medium_code:02X}"


def build_select(secondary):
    return _long(SND_UD, ADDRESS_SECONDARY, 0x52, parse_secondary(secondary))


def build_rsp_ud(
    address,
    identification,
    manufacturer,
    medium,
    records,
    version=1,
    access_number=1,
    status=0,
):
    """A slave's RSP_UD with a CI 0x72 header and ``records`` (bytes each)."""
    code = 0
    for char in manufacturer[:3]:
        code = (code << 5) | ((ord(char) - 64) & 0x1F)
    header = (
        bytes.fromhex(f"{int(identification):08d}")[::-1]
        + code.to_bytes(2, "little")
        + bytes([version, medium, access_number, status, 0, 0])
    )
    return _long(RSP_UD, address, 0x72, header + b"".join(records))


def datetime_f_bytes(when):
    """The 4 bytes of a type F date-time (minute resolution, years 2000-2127)."""
    year = when.year - 2000
    if not 0 <= year <= 127:
        raise ConfigError(CONFIG, f"year {when.year} outside type F's 2000..2127")
    return bytes(
        [
            when.minute & 0x3F,
            when.hour & 0x1F,
            (when.day & 0x1F) | ((year & 0x07) << 5),
            (when.month & 0x0F) | ((year & 0x78) << 1),
        ]
    )


def bcd_bytes(value, size):
    """``size`` little-endian BCD bytes of a non-negative integer."""
    return bytes.fromhex(f"{int(value):0{2 * size}d}")[::-1]


# ------------------------------------------------------------
# TRANSPORT
# ------------------------------------------------------------


class MBusClient:
    """An M-Bus master behind a TCP converter (transparent mode).

    :param timeout: seconds to wait for an answer (M-Bus at 2400 baud needs
        about 1 s for a full 255-byte telegram); ``retries`` extra attempts.
    """

    def __init__(self, host, port, *, timeout=2.0, retries=1, stream=None):
        self.host, self.port = host, int(port or 0)
        self.timeout, self.retries = float(timeout), int(retries)
        self._sock = None
        self._stream = stream
        self._trace = []

    @property
    def label(self):
        return f"{self.host}:{self.port}"

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    def connect(self):
        if self._stream is not None:
            return
        try:
            self._sock = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as error:
            raise TransportError(CONNECTION, f"{self.label}: {error}") from error

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._stream is not None and hasattr(self._stream, "close"):
            self._stream.close()

    def take_trace(self):
        trace, self._trace = self._trace, []
        return "\n".join(trace)

    def _send(self, frame):
        self._trace.append("> " + frame.hex(" "))
        try:
            if self._stream is not None:
                self._stream.write(frame)
            else:
                if self._sock is None:
                    raise TransportError(CONNECTION, f"{self.label}: not connected")
                self._sock.sendall(frame)
        except OSError as error:
            raise TransportError(CONNECTION, f"{self.label}: {error}") from error

    def _recv_exact(self, count, deadline):
        chunks, size = [], 0
        while size < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TransportError(
                    TIMEOUT,
                    f"{self.label}: no answer in {self.timeout}s",
                    raw=b"".join(chunks).hex(" "),
                )
            try:
                if self._stream is not None:
                    chunk = self._stream.read(count - size)
                else:
                    self._sock.settimeout(left)
                    chunk = self._sock.recv(count - size)
            except TimeoutError:
                continue
            except OSError as error:
                raise TransportError(CONNECTION, f"{self.label}: {error}") from error
            if not chunk:
                if self._stream is not None:
                    continue
                raise TransportError(
                    CONNECTION,
                    f"{self.label}: connection closed",
                    raw=b"".join(chunks).hex(" "),
                )
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)

    def receive(self):
        """One frame from the bus (ACK, short or long), decoded."""
        deadline = time.monotonic() + self.timeout
        head = self._recv_exact(1, deadline)
        if head[0] == 0x68:
            head += self._recv_exact(3, deadline)
            head += self._recv_exact(head[1] + 2, deadline)
        elif head[0] == 0x10:
            head += self._recv_exact(4, deadline)
        self._trace.append("< " + head.hex(" "))
        return parse_frame(head)

    def _exchange(self, frame):
        last = None
        for _attempt in range(self.retries + 1):
            self._send(frame)
            try:
                return self.receive()
            except (TransportError, FrameError) as error:
                if getattr(error, "code", None) == CONNECTION:
                    raise
                last = error
                self._drain()
        raise last

    def _drain(self):
        """Drop late bytes of a timed-out answer so that they cannot be taken
        for the next one."""
        if self._sock is None:
            return
        self._sock.settimeout(0.05)
        try:
            while self._sock.recv(512):
                pass
        except OSError:
            pass

    def ping(self, address):
        """SND_NKE: True when the slave acknowledges."""
        try:
            return self._exchange(build_snd_nke(address)).kind == "ack"
        except DriverError as error:
            if error.code == CONNECTION:
                raise
            return False

    def select(self, secondary):
        """Select a slave by secondary address: True on ACK; False on no
        answer; FrameError on a collision (several slaves answered)."""
        try:
            self._send(build_select(secondary))
            frame = self.receive()
        except TransportError as error:
            if error.code == TIMEOUT:
                return False
            raise
        return frame.kind == "ack"

    def request(self, address):
        """REQ_UD2 and the decoded RSP_UD (address 0xFD after a selection)."""
        frame = self._exchange(build_req_ud2(address))
        if frame.kind != "long":
            raise FrameError(
                FRAME_MALFORMED, f"expected RSP_UD, got {frame.kind}", raw=frame.raw
            )
        return frame

    def read(
        self,
        address=None,
        secondary=None,
        now=None,
        register_count=1,
        max_telegrams=4,
        quantity=None,
    ):
        """Read one meter by primary or secondary address into a DeviceResult.

        A meter whose answer says "more records follow" (DIF 0x1F) is asked
        again with the frame count bit toggled, up to ``max_telegrams``; the
        records of all telegrams are decoded together."""
        started = time.monotonic()
        self.take_trace()
        if secondary:
            if not self.select(secondary):
                raise TransportError(
                    TIMEOUT,
                    f"{self.label}: {secondary} not selected",
                    raw=self.take_trace(),
                )
            address = ADDRESS_SECONDARY
        if address is None:
            raise ConfigError(CONFIG, "a primary or a secondary address is needed")
        frame = self.request(int(address))
        fcb, count = True, 1
        while frame.more_records_follow and count < max_telegrams:
            following = self._exchange(build_req_ud2(int(address), fcb=fcb))
            if following.kind != "long":
                break
            frame = _merged(frame, following)
            fcb, count = not fcb, count + 1
        values, counters, device_time = frame_values(frame, register_count, quantity)
        return DeviceResult(
            address=secondary or str(address),
            values=values,
            counters=counters,
            raw=self.take_trace(),
            read_at=now,
            device_time=device_time,
            elapsed=time.monotonic() - started,
            extra={"secondary": frame.secondary_address, "medium": frame.medium},
        )

    def scan_primary(self, addresses=range(0, 251)):
        return [a for a in addresses if self.ping(a)]

    def scan_secondary(self, mask="FFFFFFFFFFFFFFFF", depth=0):
        """Secondary addresses found by the wildcard search of EN 13757-3
        (digit by digit over the identification number)."""
        found = []
        try:
            answered = self.select(mask)
            collision = False
        except FrameError:
            answered, collision = True, True
        if not answered:
            return found
        self._drain()
        if not collision:
            frame = self.request(ADDRESS_SECONDARY)
            return [frame.secondary_address]
        if depth >= 8:
            return found
        for digit in "0123456789":
            found += self.scan_secondary(
                mask[:depth] + digit + mask[depth + 1 :], depth + 1
            )
        return found


def _merged(first, following):
    """``first`` with the records of a following telegram appended."""
    records = tuple(r for r in first.records if r.function != "Manufacturer specific")
    return MBusFrame(
        first.kind,
        first.c_field,
        first.address,
        first.ci_field,
        first.identification,
        first.manufacturer,
        first.version,
        first.medium,
        first.access_number,
        first.status,
        records + following.records,
        following.more_records_follow,
        following.manufacturer_data,
        first.raw + "\n" + following.raw,
    )


ENERGY_TO_KWH = {"Wh": Decimal("0.001"), "J": Decimal(1) / Decimal(3600000)}


def _plain(value):
    """Without trailing zeros and never in exponent notation (4E+4)."""
    return (
        value.quantize(Decimal(1))
        if value == value.to_integral()
        else value.normalize()
    )


def frame_values(frame, register_count=1, quantity=None):
    """(values, counters, device time) of a decoded RSP_UD.

    Counters: the current (storage 0) ``quantity`` (``Energy`` in kWh or
    ``Volume`` in m³); by default the energy, else the volume. Tariff 0 feeds
    T1 on a single-register meter, tariff n feeds Tn otherwise.
    """
    values, counters, device_time = {}, {}, None
    for rec in frame.records:
        if rec.storage:
            continue
        key = rec.quantity.lower().replace(" ", "_")
        if rec.tariff:
            key = f"{key}_t{rec.tariff}"
        if rec.function != FUNCTIONS[0]:
            key = f"{key}_{rec.function.split()[0].lower()}"
        if rec.value is not None:
            values.setdefault(key, rec.value)
        if (
            rec.quantity == "Time Point (time & date)"
            and rec.text
            and device_time is None
        ):
            try:
                device_time = datetime.fromisoformat(rec.text)
            except ValueError:
                device_time = None
    for wanted in (quantity,) if quantity else ("Energy", "Volume"):
        for rec in frame.records:
            if (
                rec.quantity != wanted
                or rec.storage
                or rec.value is None
                or rec.function != FUNCTIONS[0]
            ):
                continue
            value = rec.value * ENERGY_TO_KWH.get(rec.unit, Decimal(1))
            if register_count <= 1 and rec.tariff == 0:
                counters.setdefault("T1", _plain(value))
            elif register_count > 1 and 1 <= rec.tariff <= min(register_count, 8):
                counters.setdefault(f"T{rec.tariff}", _plain(value))
        if counters:
            break
    return values, counters, device_time
