# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Readings exchange: skipping bad rows of a chain, the XML format (safe
parser and writer), XLSX columns, schedules in cron fields and file-name
templates."""

from .chain import settle_chain
from .readings_xml import (
    NAMESPACE,
    XSD_PATH,
    ReadingRow,
    RowError,
    local_to_utc,
    parse_decimal,
    parse_instant,
    parse_readings_xml,
    reading_row,
    write_readings_xml,
)
from .schedule import CronSchedule, next_run_utc, parse_cron, render_filename
from .tabular_readings import (
    EXPORT_COLUMNS,
    parse_readings_rows,
    write_readings_xlsx,
)

__all__ = [
    "EXPORT_COLUMNS",
    "NAMESPACE",
    "XSD_PATH",
    "CronSchedule",
    "ReadingRow",
    "RowError",
    "local_to_utc",
    "next_run_utc",
    "parse_cron",
    "parse_decimal",
    "parse_instant",
    "parse_readings_rows",
    "parse_readings_xml",
    "reading_row",
    "render_filename",
    "settle_chain",
    "write_readings_xlsx",
    "write_readings_xml",
]
