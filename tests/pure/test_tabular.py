# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Bounded CSV/XLSX reading and formula-safe export (meterkit.tabular)."""

import csv
import io
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import meterkit
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from meterkit import MeterkitError, codes, read_rows, safe_cell, write_xlsx

D = Decimal
UTC0 = timezone(timedelta(0))
LIB = Path(__file__).resolve().parents[2] / "lib" / "meterkit"


def rows_of(data, filename="readings.csv", **kwargs):
    return read_rows(data, filename, **kwargs)


def xlsx_bytes(lines, *, title="Readings"):
    """Build an .xlsx with openpyxl, one list per row (None leaves a cell empty)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data, name, change):
    """Return a copy of the archive with member ``name`` passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


# ------------------------------------------------------------
# CSV
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "header", "rows"),
    [
        (b"meter,value\nA,12\n", ["meter", "value"], [("A", "12", 2)]),
        (b"meter;value\nA;12,5\n", ["meter", "value"], [("A", "12,5", 2)]),
        (b"meter\tvalue\nA\t12\n", ["meter", "value"], [("A", "12", 2)]),
        (b"\xef\xbb\xbfmeter,value\r\nA,12\r\n", ["meter", "value"], [("A", "12", 2)]),
        (b"meter,value\nA,12", ["meter", "value"], [("A", "12", 2)]),
        (
            b" Meter  ID ;Read At;VALUE \n A ; 2026-01-01 ; 7 \n",
            ["meter_id", "read_at", "value"],
            [("A", "2026-01-01", "7", 2)],
        ),
        (
            b"meter,value\n\nA,1\n,\n\nB,2\n",
            ["meter", "value"],
            [("A", "1", 3), ("B", "2", 6)],
        ),
        (
            b'meter,value\n"A\nsecond line",1\nB,2\n',
            ["meter", "value"],
            [("A\nsecond line", "1", 2), ("B", "2", 4)],
        ),
        (b'meter,value\n"A, B",""\n', ["meter", "value"], [("A, B", "", 2)]),
        (b"meter,value\nA\n", ["meter", "value"], [("A", "", 2)]),
        (b"meter,value,,\nA,1,,\n", ["meter", "value"], [("A", "1", 2)]),
        (b"meter\nA\n", ["meter"], [("A", 2)]),
        (b"meter,value\n", ["meter", "value"], []),
        (b"\n\nmeter,value\nA,1\n", ["meter", "value"], [("A", "1", 4)]),
        (
            "compteur;d\u00e9bit\n\u00e9t\u00e9;3\n".encode(),
            ["compteur", "d\u00e9bit"],
            [("\u00e9t\u00e9", "3", 2)],
        ),
    ],
)
def test_read_csv(data, header, rows):
    got_header, got_rows = rows_of(data)
    assert got_header == header
    assert [tuple(row.values()) for row in got_rows] == rows
    assert all(list(row) == [*header, "__row__"] for row in got_rows)


@pytest.mark.parametrize(
    ("data", "filename", "kwargs", "fragment"),
    [
        (b"", "readings.csv", {}, "empty"),
        (b"\n\n  \n", "readings.csv", {}, "no header"),
        (b"a,b\n1,2\n", "readings.txt", {}, "unknown file type"),
        (b"a,b\n1,2\n", "readings", {}, "unknown file type"),
        (b"a,b\n1,2\n", "", {}, "unknown file type"),
        ("a;b\n\u00e9;2\n".encode("cp1252"), "readings.csv", {}, "UTF-8"),
        (b"a,b\n1,\x002\n", "readings.csv", {}, "binary"),
        (b"a,a\n1,2\n", "readings.csv", {}, "duplicate"),
        (b"Serial Number,serial_number\n1,2\n", "readings.csv", {}, "duplicate"),
        (b"a,,b\n1,2,3\n", "readings.csv", {}, "column 2 has no header"),
        (b"a,__row__\n1,2\n", "readings.csv", {}, "reserved"),
        (b"a,b\n1,2,3\n", "readings.csv", {}, "line 2"),
        (b'a,b\n"x"y,1\n', "readings.csv", {}, "line 2"),
        (b"a\n1\n2\n3\n", "readings.csv", {"max_rows": 2}, "more than 2"),
        (b"a\n1\n2\n", "readings.csv", {"max_bytes": 5}, "larger than 5"),
        (b"a,b\n1,2\n", "readings.xlsx", {}, "not a valid .xlsx"),
        (b"\x00\x01garbage\xff" * 50, "readings.xlsx", {}, "not a valid .xlsx"),
        (b"PK\x03\x04truncated", "readings.xlsx", {}, "not a valid .xlsx"),
    ],
)
def test_read_rows_bad_files(data, filename, kwargs, fragment):
    with pytest.raises(MeterkitError) as info:
        read_rows(data, filename, **kwargs)
    assert info.value.code == codes.BAD_FILE
    assert fragment in str(info.value)
    assert str(info.value).startswith(filename or "the file")


def test_read_rows_max_rows_is_inclusive_and_ignores_blank_lines():
    _, rows = rows_of(b"a\n1\n\n2\n\n", max_rows=2)
    assert [row["a"] for row in rows] == ["1", "2"]


def test_read_rows_refuses_text_input():
    with pytest.raises(TypeError):
        read_rows("a,b\n1,2\n", "readings.csv")


def test_read_rows_huge_csv_field_is_a_bad_file():
    data = b"a\n" + b"x" * 200_000 + b"\n"
    with pytest.raises(MeterkitError) as info:
        rows_of(data)
    assert info.value.code == codes.BAD_FILE


# ------------------------------------------------------------
# XLSX
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (1e-7, "0.0000001"),
        (1e20, "100000000000000000000"),
        (-3.25, "-3.25"),
        (D("99999.900"), "99999.9"),
        (True, "TRUE"),
        ("  spaced  ", "spaced"),
        (datetime(2026, 1, 31, 10, 30), "2026-01-31 10:30:00"),
        (date(2026, 1, 31), "2026-01-31 00:00:00"),
        (None, ""),
    ],
)
def test_read_xlsx_renders_cells(cell, text):
    data = xlsx_bytes([["Meter", "Value"], ["A", cell]])
    header, rows = read_rows(data, "readings.xlsx")
    assert header == ["meter", "value"]
    assert rows == [{"meter": "A", "value": text, "__row__": 2}]


def test_read_xlsx_formula_without_cached_value_is_refused():
    data = xlsx_bytes([["meter", "value"], ["A", "=1+2"]])
    # openpyxl stored a formula and no cached result (it was read as "" before)
    with pytest.raises(
        MeterkitError, match=r"readings.xlsx, line 2: formula in cell B2"
    ):
        read_rows(data, "readings.xlsx")


def _cache_result(xml):
    """Give the formula of the sheet the cached result 3 (as Excel saves it)."""
    assert b"<f>1+2</f><v></v>" in xml or b"<f>1+2</f><v />" in xml
    return xml.replace(b"<f>1+2</f><v></v>", b"<f>1+2</f><v>3</v>").replace(
        b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>"
    )


@pytest.mark.parametrize(
    "formula_cell", [["A", "=1+2"], ["=1+2", 5]], ids=["value", "meter"]
)
def test_read_xlsx_formula_with_cached_result_is_refused(formula_cell):
    """A formula is never taken as data, not even through the result the file
    caches for it (that result was read as the value before)."""
    data = xlsx_bytes([["meter", "value"], ["B", 1], formula_cell])
    data = rewrite_zip(data, "xl/worksheets/sheet1.xml", _cache_result)
    column = "B" if formula_cell[1] == "=1+2" else "A"
    with pytest.raises(
        MeterkitError, match=rf"line 3: formula in cell {column}3"
    ) as info:
        read_rows(data, "readings.xlsx")
    assert info.value.code == codes.BAD_FILE
    assert info.value.row == 3


def test_read_xlsx_text_that_looks_like_a_formula_is_text():
    """A text cell starting with "=" is text (a string cell), not a formula."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["meter", "value"])
    workbook.active.append(["A", 1])
    workbook.active["A2"].value = "=not a formula"
    workbook.active["A2"].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, rows = read_rows(buffer.getvalue(), "readings.xlsx")
    assert rows[0]["meter"] == "=not a formula"


def test_read_xlsx_row_numbers_follow_the_sheet():
    data = xlsx_bytes([[None], [None], ["meter", "value"], ["A", 1], [None], ["B", 2]])
    header, rows = read_rows(data, "Readings.XLSX")
    assert header == ["meter", "value"]
    assert [(row["meter"], row["__row__"]) for row in rows] == [("A", 4), ("B", 6)]


def test_read_xlsx_first_sheet_only():
    workbook = openpyxl.Workbook()
    workbook.active.append(["first"])
    workbook.active.append(["1"])
    other = workbook.create_sheet("other")
    other.append(["second"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    header, rows = read_rows(buffer.getvalue(), "readings.xlsx")
    assert header == ["first"]
    assert rows == [{"first": "1", "__row__": 2}]


def test_read_xlsx_ignores_a_hostile_dimension():
    data = xlsx_bytes([["meter", "value"], ["A", 1]])
    data = rewrite_zip(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml
        ),
    )
    header, rows = read_rows(data, "readings.xlsx")
    assert header == ["meter", "value"]
    assert rows == [{"meter": "A", "value": "1", "__row__": 2}]


def test_read_xlsx_max_rows():
    data = xlsx_bytes([["a"], *[[i] for i in range(5)]])
    with pytest.raises(MeterkitError) as info:
        read_rows(data, "readings.xlsx", max_rows=4)
    assert info.value.code == codes.BAD_FILE
    assert "line 6" in str(info.value)


@pytest.mark.parametrize(
    "lines",
    [
        [["a", "a"], [1, 2]],
        [["a", None, "b"], [1, 2, 3]],
        [[None]],
        [["a"], [1, 2]],
    ],
)
def test_read_xlsx_bad_headers_and_rows(lines):
    with pytest.raises(MeterkitError) as info:
        read_rows(xlsx_bytes(lines), "readings.xlsx")
    assert info.value.code == codes.BAD_FILE


def test_read_xlsx_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(MeterkitError) as info:
        read_rows(buffer.getvalue(), "readings.xlsx")
    assert info.value.code == codes.BAD_FILE
    assert "readings.xlsx" in str(info.value)


def test_read_xlsx_truncated_workbook():
    data = xlsx_bytes([["a"], [1]])
    with pytest.raises(MeterkitError) as info:
        read_rows(data[: len(data) // 2], "readings.xlsx")
    assert info.value.code == codes.BAD_FILE


def test_read_xlsx_corrupt_sheet_xml():
    data = rewrite_zip(
        xlsx_bytes([["a"], [1]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml[: len(xml) // 2],
    )
    with pytest.raises(MeterkitError) as info:
        read_rows(data, "readings.xlsx")
    assert info.value.code == codes.BAD_FILE


def test_read_xlsx_refuses_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(MeterkitError) as info:
        read_rows(data, "bomb.xlsx", max_bytes=100_000)
    assert info.value.code == codes.BAD_FILE
    assert "unpacks" in str(info.value)


def test_read_xlsx_csv_content():
    with pytest.raises(MeterkitError) as info:
        read_rows(b"meter,value\nA,1\n", "readings.xlsx")
    assert info.value.code == codes.BAD_FILE


# ------------------------------------------------------------
# safe_cell / write_xlsx
# ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+41 79 000 00 00", "'+41 79 000 00 00"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (
            '=HYPERLINK("http://x.invalid","click")',
            '\'=HYPERLINK("http://x.invalid","click")',
        ),
        ("'=already quoted", "'=already quoted"),
        ("normal", "normal"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        (-5, -5),
        (D("-1.5"), D("-1.5")),
        (2.5, 2.5),
        (date(2026, 1, 1), date(2026, 1, 1)),
        (None, None),
        (True, True),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


HOSTILE = ["=1+2", "+1", "-1", "@x", "\t=1", "=cmd|'/C calc'!A0"]


@pytest.fixture(params=["xlsxwriter", "openpyxl"])
def backend(request, monkeypatch):
    """Run the export test with each writer (openpyxl when xlsxwriter is absent)."""
    if request.param == "openpyxl":
        monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    else:
        pytest.importorskip("xlsxwriter")
    return request.param


def test_write_xlsx_round_trip(backend):
    header = ["Meter", "Value", "Read at", "Note"]
    rows = [
        ["A", D("12.5"), datetime(2026, 1, 31, 10, 30), "=1+2"],
        ["B", 7, date(2026, 2, 1), None],
        ["-C", D("0.001"), datetime(2026, 1, 1, 12, tzinfo=UTC0), "@x"],
        ["D", D("12345678901234567"), time(6, 15), 3.5],
        ["E", True, timedelta(hours=1), "+1"],
    ]
    header_read, rows_read = read_rows(write_xlsx(header, rows), "export.xlsx")
    assert header_read == ["meter", "value", "read_at", "note"]
    assert [list(row.values()) for row in rows_read] == [
        ["A", "12.5", "2026-01-31 10:30:00", "'=1+2", 2],
        ["B", "7", "2026-02-01 00:00:00", "", 3],
        ["'-C", "0.001", "2026-01-01 12:00:00", "'@x", 4],
        ["D", "12345678901234567", "06:15:00", "3.5", 5],
        ["E", "TRUE", "1:00:00", "'+1", 6],
    ]


def test_write_xlsx_never_writes_formulas(backend):
    data = write_xlsx(HOSTILE, [HOSTILE, [1, -1, D("-2.5"), None, "x", object()]])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert cells
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)
    assert workbook.active["A3"].value == 1
    assert workbook.active["B3"].value == -1


def test_write_xlsx_aware_datetime_in_utc(backend):
    zurich = timezone(timedelta(hours=1))
    data = write_xlsx(["at"], [[datetime(2026, 1, 1, 13, tzinfo=zurich)]])
    _, rows = read_rows(data, "export.xlsx")
    assert rows[0]["at"] == "2026-01-01 12:00:00"


def test_write_xlsx_control_characters(backend):
    data = write_xlsx(["note"], [["bell\x07 and text"]])
    _, rows = read_rows(data, "export.xlsx")
    assert rows[0]["note"].startswith("bell")
    assert rows[0]["note"].endswith("and text")


def test_write_xlsx_empty_rows(backend):
    header, rows = read_rows(write_xlsx(["a", "b"], []), "export.xlsx")
    assert (header, rows) == (["a", "b"], [])


# ------------------------------------------------------------
# packaging boundaries
# ------------------------------------------------------------


def test_import_is_pure():
    code = (
        "import sys, meterkit;"
        "bad = {'odoo', 'openpyxl', 'xlsxwriter'} & set(sys.modules);"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=LIB)


def test_no_odoo_import_in_the_library():
    for path in (LIB / "meterkit").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+odoo\b", text, re.MULTILINE), path
        assert text.startswith("# Copyright 2026 Meterkit contributors\n"), path


def test_version_matches_pyproject():
    pyproject = (LIB / "pyproject.toml").read_text()
    assert f'version = "{meterkit.__version__}"' in pyproject
    assert meterkit.__version__ == "1.0.0"


# ------------------------------------------------------------
# properties
# ------------------------------------------------------------


@given(st.text())
def test_property_safe_cell_never_starts_a_formula(text):
    result = safe_cell(text)
    assert isinstance(result, str)
    assert not result.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert result in (text, "'" + text)


@given(st.one_of(st.integers(), st.decimals(), st.floats(), st.dates(), st.none()))
def test_property_safe_cell_leaves_non_text_alone(value):
    assert safe_cell(value) is value


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20
)


@given(
    st.lists(
        st.lists(cell_text, min_size=2, max_size=2),
        min_size=1,
        max_size=5,
    )
)
def test_property_csv_round_trip(lines):
    lines = [[cell.strip() for cell in line] for line in lines]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["meter", "value"])
    writer.writerows(lines)
    _, rows = read_rows(buffer.getvalue().encode(), "readings.csv")
    expected = [line for line in lines if any(line)]
    assert [[row["meter"], row["value"]] for row in rows] == expected
