# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tabular files: bounded CSV/XLSX reading for imports, formula-safe XLSX export.

Reading never trusts the file: size and row count are bounded, the archive is
checked before openpyxl opens it, and every failure is a :class:`MeterkitError` with
code ``BAD_FILE`` naming the file (and the line when known). Writing treats every
text as text: nothing a user typed can become a spreadsheet formula (OWASP "CSV
injection").
"""

import contextlib
import csv
import io
import math
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal

from . import codes
from .errors import MeterkitError

__all__ = ["read_rows", "safe_cell", "write_xlsx"]

ROW_KEY = "__row__"
_DELIMITERS = (",", ";", "\t")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Uncompressed size allowed for an .xlsx archive, as a multiple of max_bytes.
_UNZIP_RATIO = 10
# Excel keeps 15 significant digits; longer numbers are exported as text.
_MAX_DIGITS = 15
_CONTEXT = Context(prec=100)


# ------------------------------------------------------------
# READING
# ------------------------------------------------------------


def read_rows(data, filename, *, max_rows=100_000, max_bytes=20_000_000):
    """Read the header and rows of a ``.csv`` or ``.xlsx`` file.

    - CSV: UTF-8 (optional BOM); the delimiter is the most frequent of ``,``, ``;``
      and tab in the header line.
    - XLSX (needs openpyxl): first worksheet; integral numbers render as
      ``"12"``, others without float noise (``"0.1"``), dates and datetimes in
      ISO format. A formula cell is refused (``formula in cell B2``), even when
      the file caches a result for it: data is typed, never computed.

    The header is the first non-blank line. Header names are stripped, lower-cased
    and inner blanks become ``_`` (``"Serial number"`` -> ``"serial_number"``);
    trailing empty header cells are ignored. Blank lines are skipped.

    :return: ``(header, rows)``; each row maps every header name to a stripped
        string (``""`` for an empty cell) and ``"__row__"`` to the row's 1-based
        line number in the file (the header is normally line 1).
    :raise MeterkitError: ``BAD_FILE`` naming the file: empty or too large file,
        unknown extension, not UTF-8 / not a valid xlsx, a formula cell, more
        than ``max_rows``
        data rows, empty, duplicate or reserved header name, or a row with more
        cells than the header.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    _check_size(data, filename, max_bytes)
    extension = filename.lower().rpartition(".")[2] if "." in filename else ""
    if extension == "csv":
        records = _csv_records(bytes(data), filename)
    elif extension == "xlsx":
        records = _xlsx_records(bytes(data), filename, max_bytes * _UNZIP_RATIO)
    else:
        raise _bad_file(filename, "unknown file type: use a .csv or .xlsx file")
    with contextlib.closing(records):
        return _collect(records, filename, max_rows)


def _bad_file(filename, detail, row=None):
    name = filename or "the file"
    where = name if row is None else f"{name}, line {row}"
    return MeterkitError(codes.BAD_FILE, f"{where}: {detail}", field=None, row=row)


def _check_size(data, filename, max_bytes):
    if not data:
        raise _bad_file(filename, "the file is empty")
    if len(data) > max_bytes:
        raise _bad_file(
            filename, f"the file is larger than {max_bytes} bytes ({len(data)})"
        )


def _collect(records, filename, max_rows):
    """Build header and row dicts from ``(line, cells)`` records."""
    header = None
    rows = []
    for line, cells in records:
        if not any(cells):
            continue
        if header is None:
            header = _header(cells, filename, line)
        elif len(rows) >= max_rows:
            raise _bad_file(filename, f"more than {max_rows} data rows", line)
        else:
            rows.append(_row(header, cells, filename, line))
    if header is None:
        raise _bad_file(filename, "no header line: the file has no data")
    return header, rows


def _header(cells, filename, line):
    while cells and not cells[-1]:
        cells = cells[:-1]
    names = ["_".join(cell.lower().split()) for cell in cells]
    for position, name in enumerate(names, start=1):
        if not name:
            raise _bad_file(filename, f"column {position} has no header", line)
        if name == ROW_KEY:
            raise _bad_file(filename, f"column name {ROW_KEY!r} is reserved", line)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise _bad_file(
            filename,
            f"duplicate column(s) in the header: {', '.join(duplicates)}",
            line,
        )
    return names


def _row(header, cells, filename, line):
    if any(cells[len(header) :]):
        raise _bad_file(
            filename,
            f"{len(cells)} cells but only {len(header)} columns in the header",
            line,
        )
    row = dict.fromkeys(header, "")
    row.update(zip(header, cells, strict=False))
    row[ROW_KEY] = line
    return row


def _csv_records(data, filename):
    """Yield ``(line, stripped cells)`` for every CSV record (start line)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _bad_file(
            filename,
            f"not UTF-8 text (byte {error.start}); save the file as 'CSV UTF-8'",
        ) from error
    if "\x00" in text:
        raise _bad_file(filename, "binary content: not a CSV file")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_sniff(text), strict=True
    )
    line = 1
    try:
        for cells in reader:
            yield line, [cell.strip() for cell in cells]
            line = reader.line_num + 1
    except csv.Error as error:
        raise _bad_file(filename, f"malformed CSV: {error}", line) from error


def _sniff(text):
    """Return the delimiter most frequent in the first non-blank line (``,`` if
    none)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _xlsx_records(data, filename, max_unzipped):
    """Yield ``(row number, rendered cells)`` for every row of the first sheet."""
    load_workbook = _openpyxl_loader(filename)
    _check_archive(data, filename, max_unzipped)
    try:
        # data_only=False: a formula is seen as a formula (and refused), never
        # replaced by the result the file claims to have cached.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:
        raise _bad_file(filename, f"not a valid .xlsx file ({error})") from error
    try:
        if not workbook.worksheets:
            raise _bad_file(filename, "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        # The stored dimension may be wrong or hostile; never pad rows to it.
        sheet.reset_dimensions()
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            yield line, [_render_cell(cell, filename, line) for cell in cells]
    except MeterkitError:
        raise
    except Exception as error:
        raise _bad_file(filename, f"cannot read the worksheet ({error})") from error
    finally:
        workbook.close()


def _openpyxl_loader(filename):
    try:
        from openpyxl import load_workbook
    except ImportError as error:
        raise _bad_file(
            filename, "reading .xlsx files needs openpyxl (pip install meterkit[xlsx])"
        ) from error
    return load_workbook


def _check_archive(data, filename, max_unzipped):
    """Refuse non-zip data and archives that unpack to more than ``max_unzipped``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _bad_file(
            filename, "not a valid .xlsx file (not a zip archive)"
        ) from error
    if unzipped > max_unzipped:
        raise _bad_file(
            filename, f"the archive unpacks to more than {max_unzipped} bytes"
        )


def _render_cell(cell, filename, line):
    """Render one worksheet cell; a formula is refused, whatever it caches."""
    if cell.data_type == "f":
        raise _bad_file(filename, f"formula in cell {cell.coordinate}", line)
    return _render(cell.value)


def _render(value):
    """Render one cell value as a stripped string, without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _render_number(Decimal(str(value)))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _render_number(number):
    if not number.is_finite():
        return str(number)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


# ------------------------------------------------------------
# WRITING
# ------------------------------------------------------------


def safe_cell(value):
    """Guard one export cell against formula injection.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
    returned prefixed with a single quote (``"=1+2"`` -> ``"'=1+2"``), so that no
    spreadsheet evaluates it. Any other value (numbers, Decimals, dates, None, other
    text) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_xlsx(header, rows):
    """Write one worksheet (header line, then rows) and return the .xlsx bytes.

    Uses xlsxwriter when importable, else openpyxl. Every text goes through
    :func:`safe_cell` and is written as a string, never as a formula. Numbers stay
    numbers, except non-finite ones and those with more than 15 significant digits
    (Excel would round them), which are written as text. Aware datetimes are
    written in UTC without their zone; None leaves the cell empty; other values are
    written as their ``str()``.
    """
    lines = [[_export_value(value) for value in line] for line in [header, *rows]]
    try:
        import xlsxwriter
    except ImportError:
        return _write_openpyxl(lines)
    return _write_xlsxwriter(xlsxwriter, lines)


def _export_value(value):
    """Return None, a bool, a number, a date/time or a formula-safe str."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value if _exact_in_excel(value) else safe_cell(str(value))
    if isinstance(value, datetime) and value.tzinfo is not None:
        return (value - value.utcoffset()).replace(tzinfo=None)
    if isinstance(value, date | time):
        return value
    if isinstance(value, timedelta):
        return str(value)
    return safe_cell(value if isinstance(value, str) else str(value))


def _exact_in_excel(number):
    if isinstance(number, float):
        return math.isfinite(number)
    decimal = Decimal(number)
    if not decimal.is_finite():
        return False
    return len(decimal.normalize(_CONTEXT).as_tuple().digits) <= _MAX_DIGITS


def _number_format(value):
    if isinstance(value, datetime):
        return "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, date):
        return "yyyy-mm-dd"
    return "hh:mm:ss"


def _write_xlsxwriter(xlsxwriter, lines):
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(buffer, options)
    sheet = workbook.add_worksheet()
    formats = {}
    for row, line in enumerate(lines):
        for col, value in enumerate(line):
            _xlsxwriter_cell(workbook, sheet, formats, (row, col), value)
    workbook.close()
    return buffer.getvalue()


def _xlsxwriter_cell(workbook, sheet, formats, position, value):
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(*position, value)
    elif isinstance(value, bool):
        sheet.write_boolean(*position, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(*position, float(value))
    else:
        pattern = _number_format(value)
        if pattern not in formats:
            formats[pattern] = workbook.add_format({"num_format": pattern})
        sheet.write_datetime(*position, value, formats[pattern])


def _write_openpyxl(lines):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for line in lines:
        cells = []
        for value in line:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
                cell.data_type = "s"
            else:
                cell = WriteOnlyCell(sheet, value)
                if isinstance(value, date | time):
                    cell.number_format = _number_format(value)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
