# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit: the pure-Python core of the meter_* Odoo addons.

It never imports ``odoo``. Quantities are :class:`decimal.Decimal`, instants are
passed in, and inputs and outputs are frozen dataclasses.
"""

from . import codes
from .admission import MeterRules, admission_error
from .errors import MeterkitError, ReadingError
from .readings import (
    ConsumptionResult,
    ReadingPoint,
    chain_consumption,
    check_decimals,
    consumption,
    consumption_series,
    decimal_places,
    interpolate,
    interpolate_weighted,
    parse_value,
    replacement_consumption,
)
from .tabular import read_rows, safe_cell, write_xlsx
from .validation import Issue, validate_series

__version__ = "1.0.0"

__all__ = [
    "ConsumptionResult",
    "Issue",
    "MeterRules",
    "MeterkitError",
    "ReadingError",
    "ReadingPoint",
    "__version__",
    "admission_error",
    "chain_consumption",
    "check_decimals",
    "codes",
    "consumption",
    "consumption_series",
    "decimal_places",
    "interpolate",
    "interpolate_weighted",
    "parse_value",
    "read_rows",
    "replacement_consumption",
    "safe_cell",
    "validate_series",
    "write_xlsx",
]
