# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Readings in XLSX (or CSV) files: documented columns, bounded reading and
formula-safe writing (through :mod:`meterkit.tabular`).

Columns read on import (header names, any order, case-insensitive):

============  ========================================================
``meter_id``  external id of the meter (as written by exports)
``meter``     identifier (name) of the meter; one of the two is needed
``register``  ``T1``..``T8``, default ``T1``
``read_at``   instant, ISO 8601 text or a spreadsheet date/time, UTC
``value``     counter value
============  ========================================================

Exports also write ``consumption``, ``site``, ``building``, ``unit``,
``resource``, ``source`` and ``state``; imports ignore these columns.
"""

from .. import codes
from ..errors import MeterkitError
from ..tabular import ROW_KEY, read_rows, write_xlsx
from .readings_xml import ReadingRow, reading_row

__all__ = [
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "parse_readings_rows",
    "write_readings_xlsx",
]

IMPORT_COLUMNS = ("meter_id", "meter", "register", "read_at", "value")
EXPORT_COLUMNS = (
    "meter_id",
    "meter",
    "register",
    "read_at",
    "value",
    "consumption",
    "site",
    "building",
    "unit",
    "resource",
    "source",
    "state",
)


def parse_readings_rows(data, filename, *, max_rows=1_000_000, max_bytes=100_000_000):
    """Read the readings of an XLSX or CSV file.

    :return: ``(rows, errors)`` like :func:`~meterkit.exchange.parse_readings_xml`;
        ``line`` is the row number in the sheet.
    :raise MeterkitError: ``BAD_FILE`` naming the file for an unreadable or
        truncated file, or a header without ``read_at``, ``value`` and one of
        ``meter_id`` / ``meter``.
    """
    header, records = read_rows(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    missing = [name for name in ("read_at", "value") if name not in header]
    if "meter_id" not in header and "meter" not in header:
        missing.insert(0, "meter_id or meter")
    if missing:
        raise MeterkitError(
            codes.BAD_FILE,
            f"{filename}: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(IMPORT_COLUMNS)}",
            row=1,
        )
    rows, errors = [], []
    instants = {}
    for record in records:
        get = record.get
        result = reading_row(
            record[ROW_KEY],
            get("meter_id"),
            get("meter"),
            get("register"),
            get("read_at", ""),
            get("value", ""),
            instants,
        )
        (rows if isinstance(result, ReadingRow) else errors).append(result)
    return rows, errors


def write_readings_xlsx(readings):
    """The XLSX file (bytes) of ``readings``: mappings with the keys of
    :data:`EXPORT_COLUMNS`. No cell can become a formula."""
    return write_xlsx(
        list(EXPORT_COLUMNS),
        [[reading.get(column) for column in EXPORT_COLUMNS] for reading in readings],
    )
