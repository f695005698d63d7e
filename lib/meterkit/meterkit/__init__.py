# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""meterkit: the pure-Python core of the meter_* Odoo addons.

It never imports ``odoo``. Quantities are :class:`decimal.Decimal`, instants are
passed in, and inputs and outputs are frozen dataclasses.
"""

from . import codes
from .admission import MeterRules, admission_error, latest_instant
from .allocation import (
    allocate,
    allocate_equal,
    apportion_common,
    cash_round,
    main_meter_residual,
    prorate,
    round_money,
)
from .counters import as_decimal, poll_slot, truncate_counter
from .errors import AllocationError, MeterkitError, ReadingError, TariffError
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
from .series import (
    Boundary,
    BoundaryText,
    MissingReading,
    PeriodUsage,
    RegisterUsage,
    SeriesReading,
    boundary,
    boundary_text,
    period_usage,
    register_usage,
    total_by_register,
)
from .tabular import read_rows, safe_cell, write_xlsx
from .tariffs import (
    Component,
    Line,
    Segment,
    TariffVersion,
    Tier,
    Usage,
    evaluate,
    evaluate_period,
    split_period,
    split_usage,
)
from .tou import (
    TouCalendar,
    TouSeason,
    TouSlot,
    band_at,
    max_demand,
    split_intervals_by_band,
)
from .validation import Issue, validate_series

__version__ = "1.0.0"

__all__ = [
    "AllocationError",
    "Component",
    "Line",
    "Segment",
    "TariffError",
    "TariffVersion",
    "Tier",
    "TouCalendar",
    "TouSeason",
    "TouSlot",
    "Usage",
    "allocate",
    "allocate_equal",
    "apportion_common",
    "band_at",
    "cash_round",
    "evaluate",
    "evaluate_period",
    "main_meter_residual",
    "max_demand",
    "prorate",
    "round_money",
    "split_intervals_by_band",
    "split_period",
    "split_usage",
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
    "latest_instant",
    "parse_value",
    "read_rows",
    "replacement_consumption",
    "safe_cell",
    "validate_series",
    "write_xlsx",
    "Boundary",
    "BoundaryText",
    "MissingReading",
    "RegisterUsage",
    "SeriesReading",
    "PeriodUsage",
    "as_decimal",
    "period_usage",
    "boundary",
    "boundary_text",
    "poll_slot",
    "register_usage",
    "total_by_register",
    "truncate_counter",
]
