# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The readings XML exchange format: a hardened parser and a writer.

The format (schema: ``meter_readings.xsd`` beside this module)::

    <readings xmlns="urn:meter-suite:readings:1" generated="2026-01-31T23:00:00Z">
      <reading meter_id="__export__.meter_meter_12_ab12cd34" meter="EL-A1"
               register="T1" read_at="2026-01-31T22:00:00Z" value="1234.5"/>
    </readings>

A reading names its meter by external id (``meter_id``) or identifier
(``meter``), or both (then the external id wins). ``register`` defaults to
``T1``; ``read_at`` is an ISO 8601 instant, UTC when it has no offset;
``value`` a decimal number with a dot. Other attributes (``site``,
``building``, ``consumption``, ...) are written by exports and ignored by
imports.

The parser refuses anything but this document: a DOCTYPE (so no entity can be
declared: no XXE, no "billion laughs"), external resources, trees deeper or
files larger than the limits, malformed or truncated XML. Such files raise
:class:`~meterkit.MeterkitError` ``BAD_FILE`` naming the file and line; a
reading with a bad attribute becomes a per-row error and the others are kept.
"""

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import codes
from ..errors import MeterkitError
from ..readings import REGISTER_NAMES

__all__ = [
    "NAMESPACE",
    "XSD_PATH",
    "ReadingRow",
    "RowError",
    "parse_readings_xml",
    "write_readings_xml",
]

NAMESPACE = "urn:meter-suite:readings:1"
XSD_PATH = Path(__file__).with_name("meter_readings.xsd")
_ROOT = f"{{{NAMESPACE}}}readings"
_READING = f"{{{NAMESPACE}}}reading"
REGISTERS = frozenset(REGISTER_NAMES)


class ReadingRow(NamedTuple):
    """One reading of an exchange file.

    :ivar line: 1-based line (XML) or row (XLSX) in the file.
    :ivar meter_id: external id of the meter, or "".
    :ivar meter: identifier (name) of the meter, or "".
    :ivar register: "T1".."T8".
    :ivar read_at: naive datetime, UTC unless ``local``.
    :ivar value: the counter value.
    :ivar local: ``read_at`` was given without a UTC offset (read as UTC,
        unless the caller knows the meter's time zone: :func:`local_to_utc`).
    """

    line: int
    meter_id: str
    meter: str
    register: str
    read_at: datetime
    value: Decimal
    local: bool = False


class RowError(NamedTuple):
    """A reading of a file that cannot be read; the others are kept."""

    line: int
    code: str
    message: str


def _bad_file(filename, detail, line=None):
    where = filename if line is None else f"{filename}, line {line}"
    return MeterkitError(codes.BAD_FILE, f"{where}: {detail}", row=line)


def parse_instant(text):
    """A naive UTC datetime from an ISO 8601 text (UTC when no offset is given).

    :raise ValueError: when ``text`` is not an ISO 8601 date or datetime.
    """
    return _read_instant(text)[0]


def _read_instant(text):
    """``(naive datetime, local)``: UTC when ``text`` has an offset, else the
    wall-clock time it gives (``local`` True)."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        return instant, True
    return instant.astimezone(timezone.utc).replace(tzinfo=None), False


def local_to_utc(instant, tz):
    """The naive UTC datetime of a wall-clock time in time zone ``tz`` (a
    time skipped by a daylight-saving change keeps the offset before it; a
    repeated one is its first occurrence).

    :raise MeterkitError: ``INVALID_ARGUMENT`` for an unknown time zone.
    """
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise MeterkitError(
            codes.INVALID_ARGUMENT, f"unknown time zone {tz!r}", field="tz"
        ) from error
    return instant.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def parse_decimal(text):
    """A finite Decimal from a decimal text (dot separator, optional exponent)
    or a number; raise ValueError otherwise (``NaN``, ``1_000``, ``1,5``...)."""
    if type(text) is str:
        if "_" in text:
            raise ValueError(f"{text!r} is not a number")
    elif isinstance(text, bool) or not isinstance(text, int | float | Decimal):
        raise ValueError(f"{text!r} is not a number")
    else:
        text = str(text)
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"{text!r} is not a number") from error
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return number


def reading_row(line, meter_id, meter, register, read_at, value, instants=None):
    """Check the fields of one reading; return a ReadingRow or a RowError.

    ``instants`` is an optional dict caching parsed ``read_at`` texts (files
    repeat the same instants for many meters).
    """
    meter_id, meter = (meter_id or "").strip(), (meter or "").strip()
    register = (register or "T1").strip().upper()
    if not meter_id and not meter:
        return RowError(line, codes.NOT_PARSABLE, "no meter_id and no meter given")
    if register not in REGISTERS:
        return RowError(
            line, codes.NOT_PARSABLE, f"register {register!r} is not T1..T8"
        )
    try:
        if isinstance(read_at, datetime):
            local = read_at.tzinfo is None
            instant = (
                read_at
                if local
                else read_at.astimezone(timezone.utc).replace(tzinfo=None)
            )
        elif instants is not None and read_at in instants:
            instant, local = instants[read_at]
        else:
            instant, local = _read_instant(read_at)
            if instants is not None:
                instants[read_at] = instant, local
    except (TypeError, ValueError):
        return RowError(
            line, codes.NOT_PARSABLE, f"read_at {read_at!r} is not an ISO 8601 instant"
        )
    try:
        number = parse_decimal(value)
    except ValueError:
        return RowError(line, codes.NOT_PARSABLE, f"value {value!r} is not a number")
    return ReadingRow(line, meter_id, meter, register, instant, number, local)


def parse_readings_xml(data, filename, *, max_bytes=50_000_000, max_readings=1_000_000):
    """Read the readings of an XML exchange file.

    :param data: the file's bytes.
    :param filename: named in every error.
    :return: ``(rows, errors)``: :class:`ReadingRow` and :class:`RowError` lists
        in file order.
    :raise MeterkitError: ``BAD_FILE`` naming the file (and line when known) for
        an empty, too large, malformed or truncated file, a DOCTYPE or entity,
        a root other than ``readings`` of the format's namespace, an unknown
        element, or more than ``max_readings`` readings.
    """
    from lxml import etree

    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    if not data.strip():
        raise _bad_file(filename, "the file is empty")
    if len(data) > max_bytes:
        raise _bad_file(filename, f"the file is larger than {max_bytes} bytes")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _bad_file(
            filename,
            f"a DOCTYPE or ENTITY declaration is not allowed (line "
            f"{_line_of(data, data.find(b'<!'))})",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(bytes(data), parser)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else None
        raise _bad_file(
            filename, f"not well-formed XML or truncated ({error.msg})", line
        ) from error
    _check_root(root, filename)
    if len(root) > max_readings:
        raise _bad_file(filename, f"more than {max_readings} readings")
    rows, errors = [], []
    instants = {}
    for element in root:
        if element.tag != _READING or len(element):
            bad = element if element.tag != _READING else element[0]
            raise _bad_file(
                filename,
                f"unexpected element <{bad.tag}>: only <reading> is allowed "
                "in <readings>, and it holds no element",
                bad.sourceline,
            )
        get = element.get
        result = reading_row(
            element.sourceline,
            get("meter_id"),
            get("meter"),
            get("register"),
            get("read_at", ""),
            get("value"),
            instants,
        )
        (rows if type(result) is ReadingRow else errors).append(result)
    return rows, errors


def _line_of(data, offset):
    return data.count(b"\n", 0, max(offset, 0)) + 1


def _check_root(root, filename):
    if root.getroottree().docinfo.doctype:
        raise _bad_file(filename, "a DOCTYPE is not allowed", 1)
    if root.tag != _ROOT:
        raise _bad_file(
            filename,
            f'the root element must be <readings xmlns="{NAMESPACE}">, '
            f"not <{root.tag}>",
            root.sourceline,
        )


def write_readings_xml(readings, *, generated=None, company=None, scope=None):
    """The XML exchange file of ``readings`` (bytes, UTF-8).

    :param readings: iterable of mappings with ``read_at`` (naive UTC
        datetime), ``value``, ``register`` and optionally ``meter_id``,
        ``meter``, ``site``, ``building``, ``unit``, ``resource``,
        ``consumption``, ``source``, ``state``.
    :param generated: naive UTC datetime written on the root, if given.
    :param company: company name written on the root, if given.
    :param scope: what was exported (site or building), if given.
    """
    from lxml import etree

    root = etree.Element(_ROOT, nsmap={None: NAMESPACE})
    if generated is not None:
        root.set("generated", _instant(generated))
    for key, text in (("company", company), ("scope", scope)):
        if text:
            root.set(key, text)
    for reading in readings:
        attrs = {}
        for key in ("meter_id", "meter", "register"):
            if reading.get(key):
                attrs[key] = str(reading[key])
        attrs["read_at"] = _instant(reading["read_at"])
        attrs["value"] = _number(reading["value"])
        for key in ("site", "building", "unit", "resource", "source", "state"):
            if reading.get(key):
                attrs[key] = str(reading[key])
        if reading.get("consumption") is not None:
            attrs["consumption"] = _number(reading["consumption"])
        etree.SubElement(root, _READING, attrs)
    root.text = "\n  " if len(root) else None
    for child in root:
        child.tail = "\n  "
    if len(root):
        root[-1].tail = "\n"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _instant(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value):
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")
