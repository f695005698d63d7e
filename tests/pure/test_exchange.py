# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit.exchange: chain settling, the XML format, XLSX columns, cron
schedules and file-name templates."""

import io
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import MeterkitError, codes
from meterkit.exchange import (
    XSD_PATH,
    local_to_utc,
    next_run_utc,
    parse_cron,
    parse_readings_rows,
    parse_readings_xml,
    render_filename,
    settle_chain,
    write_readings_xlsx,
    write_readings_xml,
)

D = Decimal
NEG = codes.NEGATIVE_CONSUMPTION


def t(day):
    return datetime(2025, 1, day)


# ------------------------------------------------------------
# settle_chain
# ------------------------------------------------------------

SETTLE_CASES = [
    # previous, new values (day, value), stored later, kept, rejected
    (None, [(1, 5), (2, 7)], [], [(0, 0), (1, 2)], []),
    (D(3), [(1, 5), (2, 7)], [], [(0, 2), (1, 2)], []),
    (D(10), [(1, 5), (2, 12)], [], [(1, 2)], [(0, NEG)]),
    (None, [(1, 5), (2, 4), (3, 6)], [], [(0, 0), (2, 1)], [(1, NEG)]),
    # A stored reading lower than the new one before it drops the new one.
    (D(1), [(2, 9)], [(3, 5)], [], [(0, NEG)]),
    (D(1), [(2, 4)], [(3, 5)], [(0, 3)], []),
    # New rows after a stored one count from it.
    (D(1), [(2, 4), (4, 8)], [(3, 5)], [(0, 3), (1, 3)], []),
    (D(1), [(4, 4)], [(3, 5)], [], [(0, NEG)]),
    # Unordered input is settled in time order; positions are kept.
    (None, [(3, 9), (1, 5)], [], [(1, 0), (0, 4)], []),
]


@pytest.mark.parametrize(("previous", "new", "later", "kept", "rejected"), SETTLE_CASES)
def test_settle_chain(previous, new, later, kept, rejected):
    result = settle_chain(
        previous,
        [(t(day), D(v)) for day, v in new],
        [(t(day), D(v)) for day, v in later],
    )
    assert result == ([(p, D(c)) for p, c in kept], rejected)


def test_settle_chain_multiplier():
    assert settle_chain(D(1), [(t(1), D(3))], multiplier=D(10)) == ([(0, D(20))], [])


@given(
    st.lists(st.integers(min_value=0, max_value=50), max_size=20),
    st.lists(st.integers(min_value=0, max_value=50), max_size=5),
)
def test_settle_chain_never_leaves_a_negative_step(new, stored):
    new_rows = [(datetime(2025, 1, 1, i), D(v)) for i, v in enumerate(new)]
    stored_rows = sorted(
        (datetime(2025, 1, 1, i, 30), D(v)) for i, v in enumerate(sorted(stored))
    )
    kept, rejected = settle_chain(None, new_rows, stored_rows)
    assert len(kept) + len(rejected) == len(new_rows)
    chain = sorted([new_rows[p] for p, _c in kept] + stored_rows)
    assert all(a[1] <= b[1] for a, b in zip(chain, chain[1:], strict=False))
    assert all(cons >= 0 for _p, cons in kept)


# ------------------------------------------------------------
# XML
# ------------------------------------------------------------

NS = 'xmlns="urn:meter-suite:readings:1"'


def xml(body, prolog=b'<?xml version="1.0" encoding="UTF-8"?>\n'):
    return prolog + f"<readings {NS}>\n{body}\n</readings>\n".encode()


def test_xml_round_trip_and_schema():
    readings = [
        {
            "meter_id": "__export__.meter_meter_1_abc",
            "meter": "EL-1",
            "register": "T2",
            "read_at": datetime(2025, 1, 31, 22, 0),
            "value": D("1234.50"),
            "consumption": D(12),
            "site": "=cmd|x",
        },
        {"meter": "HW-1", "register": "T1", "read_at": t(2), "value": D(7)},
    ]
    data = write_readings_xml(readings, generated=t(3), company="ACME", scope="Site")
    rows, errors = parse_readings_xml(data, "out.xml")
    assert errors == []
    assert [(r.meter_id, r.meter, r.register, r.read_at, r.value) for r in rows] == [
        (
            "__export__.meter_meter_1_abc",
            "EL-1",
            "T2",
            datetime(2025, 1, 31, 22),
            D("1234.5"),
        ),
        ("", "HW-1", "T1", t(2), D(7)),
    ]
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(XSD_PATH)).validate(io.BytesIO(data))


def test_rows_say_whether_their_time_had_an_offset():
    data = xml(
        '<reading meter="A" read_at="2025-01-01T00:00:00Z" value="1"/>\n'
        '<reading meter="A" read_at="2025-01-02T00:00:00+01:00" value="1"/>\n'
        '<reading meter="A" read_at="2025-01-03" value="1"/>'
    )
    rows, _errors = parse_readings_xml(data, "in.xml")
    assert [(r.read_at, r.local) for r in rows] == [
        (datetime(2025, 1, 1), False),
        (datetime(2025, 1, 1, 23), False),
        (datetime(2025, 1, 3), True),
    ]


@pytest.mark.parametrize(
    ("local", "tz", "utc"),
    [
        (datetime(2026, 1, 31, 0, 0), "Europe/Zurich", datetime(2026, 1, 30, 23, 0)),
        (datetime(2026, 7, 31, 0, 0), "Europe/Zurich", datetime(2026, 7, 30, 22, 0)),
        (datetime(2026, 3, 29, 2, 30), "Europe/Zurich", datetime(2026, 3, 29, 1, 30)),
        (datetime(2026, 1, 31, 0, 0), "Europe/Moscow", datetime(2026, 1, 30, 21, 0)),
        (datetime(2026, 1, 31, 0, 0), "UTC", datetime(2026, 1, 31, 0, 0)),
    ],
)
def test_local_to_utc(local, tz, utc):
    assert local_to_utc(local, tz) == utc


ROW_ERROR_CASES = [
    ('<reading meter="A" read_at="2025-01-01" value="abc"/>', "value 'abc'"),
    ('<reading meter="A" read_at="yesterday" value="1"/>', "read_at 'yesterday'"),
    ('<reading meter="A" read_at="2025-01-01" value="NaN"/>', "value 'NaN'"),
    ('<reading meter="A" read_at="2025-01-01" value="1_000"/>', "value '1_000'"),
    ('<reading read_at="2025-01-01" value="1"/>', "no meter_id and no meter"),
    ('<reading meter="A" register="T9" read_at="2025-01-01" value="1"/>', "T1..T8"),
    ('<reading meter="A" value="1"/>', "read_at ''"),
]


@pytest.mark.parametrize(("element", "message"), ROW_ERROR_CASES)
def test_xml_bad_reading_is_a_row_error_and_others_are_kept(element, message):
    data = xml(
        '<reading meter="OK" read_at="2025-01-01T00:00:00+01:00" value="1"/>\n'
        + element
    )
    rows, errors = parse_readings_xml(data, "in.xml")
    assert [(r.meter, r.read_at) for r in rows] == [("OK", datetime(2024, 12, 31, 23))]
    assert len(errors) == 1
    assert errors[0].code == codes.NOT_PARSABLE
    assert errors[0].line == 4
    assert message in errors[0].message


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<readings xmlns="urn:meter-suite:readings:1">
<reading meter="&lol2;" read_at="2025-01-01" value="1"/></readings>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<readings xmlns="urn:meter-suite:readings:1">
<reading meter="&xxe;" read_at="2025-01-01" value="1"/></readings>"""
XXE_UTF16 = (
    '<?xml version="1.0" encoding="UTF-16"?>\n'
    '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd">\n'
    f"<readings {NS}/>"
).encode("utf-16")

HOSTILE_CASES = [
    (LAUGHS, "in.xml: a DOCTYPE or ENTITY declaration is not allowed (line 2)"),
    (XXE, "in.xml: a DOCTYPE or ENTITY declaration is not allowed (line 2)"),
    (XXE_UTF16, "in.xml, line 1: a DOCTYPE is not allowed"),
    (
        xml('<reading meter="A" read_at="2025-01-01" value="1"/>')[:-20],
        "in.xml, line 3: not well-formed XML or truncated",
    ),
    (b"", "in.xml: the file is empty"),
    (b"<readings/>", "in.xml, line 1: the root element must be"),
    (
        xml('<reading meter="A" read_at="2025-01-01" value="1"><x/></reading>'),
        "in.xml, line 3: unexpected element",
    ),
    (
        xml("<other/>"),
        "in.xml, line 3: unexpected element <{urn:meter-suite:readings:1}other>",
    ),
    (b"\x00\x01garbage", "in.xml"),
]


@pytest.mark.parametrize(("data", "message"), HOSTILE_CASES)
def test_xml_hostile_or_broken_file_is_refused(data, message):
    with pytest.raises(MeterkitError) as caught:
        parse_readings_xml(data, "in.xml")
    assert caught.value.code == codes.BAD_FILE
    assert str(caught.value).startswith(message)


def test_xml_limits():
    data = xml('<reading meter="A" read_at="2025-01-01" value="1"/>' * 3)
    with pytest.raises(MeterkitError, match="more than 2 readings"):
        parse_readings_xml(data, "in.xml", max_readings=2)
    with pytest.raises(MeterkitError, match="larger than 10 bytes"):
        parse_readings_xml(data, "in.xml", max_bytes=10)


# ------------------------------------------------------------
# XLSX
# ------------------------------------------------------------


def test_xlsx_round_trip_and_no_formula():
    readings = [
        {
            "meter_id": "x.m1",
            "meter": '=HYPERLINK("http://evil")',
            "register": "T1",
            "read_at": datetime(2025, 1, 31, 22),
            "value": D("10.5"),
            "site": "@SUM(A1)",
        }
    ]
    data = write_readings_xlsx(readings)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    rows, errors = parse_readings_rows(data, "out.xlsx")
    assert errors == []
    assert rows[0].meter == '\'=HYPERLINK("http://evil")'
    assert (rows[0].meter_id, rows[0].read_at, rows[0].value) == (
        "x.m1",
        datetime(2025, 1, 31, 22),
        D("10.5"),
    )


def test_xlsx_with_entity_declarations_is_refused():
    """openpyxl parses through defusedxml (a requirement): a worksheet
    declaring entities ("billion laughs") is refused as a whole."""
    data = write_readings_xlsx(
        [{"meter": "A", "register": "T1", "read_at": t(1), "value": D(1)}]
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b"?>",
                    b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
                    1,
                )
            archive.writestr(info, body)
    with pytest.raises(MeterkitError) as caught:
        parse_readings_rows(hostile.getvalue(), "bomb.xlsx")
    assert str(caught.value).startswith("bomb.xlsx: not a valid .xlsx file")
    assert "EntitiesForbidden" in str(caught.value)


CSV_CASES = [
    (b"meter,read_at,value\nA,2025-01-01,1\nB,2025-01-02,x\n", 1, [(3, "value 'x'")]),
    (
        b"meter_id;register;read_at;value\nm.a;T2;2025-01-01 10:00;1,5\n",
        0,
        [(2, "value '1,5'")],
    ),
]


@pytest.mark.parametrize(("data", "good", "bad"), CSV_CASES)
def test_rows_errors_name_the_line(data, good, bad):
    rows, errors = parse_readings_rows(data, "in.csv")
    assert len(rows) == good
    assert [
        (e.line, e.message[: len(m)]) for e, (_l, m) in zip(errors, bad, strict=True)
    ] == bad


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"meter,value\nA,1\n", "in.csv", "in.csv: missing column(s) read_at"),
        (
            b"read_at,value\n2025-01-01,1\n",
            "in.csv",
            "in.csv: missing column(s) meter_id or meter",
        ),
        (write_readings_xlsx([])[:200], "in.xlsx", "in.xlsx: not a valid .xlsx file"),
    ],
)
def test_rows_bad_file(data, filename, message):
    with pytest.raises(MeterkitError) as caught:
        parse_readings_rows(data, filename)
    assert str(caught.value).startswith(message)


# ------------------------------------------------------------
# cron schedules
# ------------------------------------------------------------

CRON_CASES = [
    # fields, after, next
    (
        ("*", "*", "*", "*", "*"),
        datetime(2026, 1, 1, 10, 5, 30),
        datetime(2026, 1, 1, 10, 6),
    ),
    (("0", "2", "*", "*", "*"), datetime(2026, 1, 1, 2, 0), datetime(2026, 1, 2, 2, 0)),
    (
        ("0", "2", "*", "*", "*"),
        datetime(2026, 1, 1, 1, 59),
        datetime(2026, 1, 1, 2, 0),
    ),
    (
        ("*/15", "*", "*", "*", "*"),
        datetime(2026, 1, 1, 10, 16),
        datetime(2026, 1, 1, 10, 30),
    ),
    (
        ("0,30", "8-9", "*", "*", "*"),
        datetime(2026, 1, 1, 9, 30),
        datetime(2026, 1, 2, 8, 0),
    ),
    # 2026-01-03 is a Saturday; weekdays 1-5 -> Monday 5th.
    (("0", "6", "*", "*", "1-5"), datetime(2026, 1, 3), datetime(2026, 1, 5, 6, 0)),
    # Sunday as 0 or 7.
    (("0", "0", "*", "*", "7"), datetime(2026, 1, 1), datetime(2026, 1, 4, 0, 0)),
    # day and weekday both set: either matches (1st of month or Monday).
    (("0", "0", "1", "*", "1"), datetime(2026, 1, 1, 1), datetime(2026, 1, 5, 0, 0)),
    (("0", "0", "29", "2", "*"), datetime(2026, 3, 1), datetime(2028, 2, 29, 0, 0)),
    (("0", "0", "31", "1,3", "*"), datetime(2026, 2, 1), datetime(2026, 3, 31, 0, 0)),
]


@pytest.mark.parametrize(("fields", "after", "expected"), CRON_CASES)
def test_cron_next(fields, after, expected):
    assert parse_cron(*fields).next_after(after) == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("60", "*", "*", "*", "*"), "cron field minute '60'"),
        (("*", "5-2", "*", "*", "*"), "cron field hour '5-2'"),
        (("*", "*", "0", "*", "*"), "cron field day '0'"),
        (("*", "*", "*", "x", "*"), "cron field month 'x'"),
        (("*", "*", "*", "*", "8"), "cron field weekday '8'"),
        (("*/0", "*", "*", "*", "*"), "cron field minute '*/0'"),
        (("", "*", "*", "*", "*"), "cron field minute ''"),
        (("0", "0", "31", "2", "*"), "day '31' never occurs"),
    ],
)
def test_cron_refused(fields, message):
    with pytest.raises(MeterkitError) as caught:
        parse_cron(*fields)
    assert caught.value.code == codes.INVALID_ARGUMENT
    assert str(caught.value).startswith(message)


ZURICH_CASES = [
    # fields, after (UTC), next (UTC); Zurich is UTC+1 in winter, UTC+2 in summer
    (("0", "2", "*", "*", "*"), datetime(2026, 1, 15), datetime(2026, 1, 15, 1, 0)),
    (("0", "2", "*", "*", "*"), datetime(2026, 7, 14, 23), datetime(2026, 7, 15, 0, 0)),
    # 29 March 2026, 02:30 does not exist in Zurich: it runs at 01:30 UTC.
    (("30", "2", "*", "*", "*"), datetime(2026, 3, 29), datetime(2026, 3, 29, 1, 30)),
    # 25 October 2026, 02:30 happens twice: it runs once, at the first one.
    (
        ("30", "2", "*", "*", "*"),
        datetime(2026, 10, 24, 23),
        datetime(2026, 10, 25, 0, 30),
    ),
    (
        ("30", "2", "*", "*", "*"),
        datetime(2026, 10, 25, 0, 30),
        datetime(2026, 10, 26, 1, 30),
    ),
]


@pytest.mark.parametrize(("fields", "after", "expected"), ZURICH_CASES)
def test_next_run_in_a_time_zone(fields, after, expected):
    assert next_run_utc(parse_cron(*fields), after, "Europe/Zurich") == expected


def test_next_run_utc_default_and_unknown_zone():
    schedule = parse_cron("0", "2")
    assert next_run_utc(schedule, datetime(2026, 1, 1)) == datetime(2026, 1, 1, 2)
    with pytest.raises(MeterkitError, match="unknown time zone 'Mars/Base'"):
        next_run_utc(schedule, datetime(2026, 1, 1), "Mars/Base")


# ------------------------------------------------------------
# file-name templates
# ------------------------------------------------------------

WHEN = datetime(2026, 3, 4, 5, 6, 7)


@pytest.mark.parametrize(
    ("template", "entity", "expected"),
    [
        ("readings_{entity}_{date}", "SA", "readings_SA_20260304.xml"),
        ("{entity}-{datetime}.xlsx", "Site A/B", "Site_A_B-20260304-050607.xlsx"),
        ("r_{date:%Y-%m}.xml", "x", "r_2026-03.xml"),
        ("fixed.xml", "x", "fixed.xml"),
        # a dot in the entity is not the file's extension
        ("readings_{entity}_{date}", "Bldg. 1", "readings_Bldg._1_20260304.xml"),
    ],
)
def test_render_filename(template, entity, expected):
    assert (
        render_filename(template, entity=entity, when=WHEN, extension="xml") == expected
    )


def test_render_filename_entity_id():
    name = render_filename(
        "{entity}-{entity_id}.xml", entity="S", entity_id=7, when=WHEN
    )
    assert name == "S-7.xml"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{site}.xml", "unknown placeholder {site}"),
        ("{entity.__class__}.xml", "unbalanced brace"),
        ("{date:%Y/%m}.xml", "is not a file name"),
        ("{entity:x}", "{entity} takes no format"),
        ("", "is not a file name"),
    ],
)
def test_render_filename_refused(template, message):
    with pytest.raises(
        MeterkitError, match=message.replace("{", r"\{").replace("}", r"\}")
    ):
        render_filename(template, entity="A", when=WHEN)
