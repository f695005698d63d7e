# Copyright 2026 Meter Suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Small helpers of billed periods.

The readings of a billed period are read and valued by meter_base's
consumption API (``meter.consumption``, over :mod:`meterkit.series`); this
module only holds the local-day bounds of a period, the texts of quantities
and instants, and the error that blocks a billing point.
"""

from datetime import timedelta

from meterkit.estimates import local_midnight_utc
from meterkit.series import shown_quantity, shown_time

__all__ = ["UsageError", "local_day_bounds", "shown_quantity", "shown_time"]


def local_day_bounds(date_from, date_to, tz_name):
    """Naive UTC ``(start, end)`` of the local days ``date_from`` to ``date_to``
    (both included): ``end`` is the local midnight after ``date_to``."""
    return (
        local_midnight_utc(date_from, tz_name),
        local_midnight_utc(date_to + timedelta(days=1), tz_name),
    )


class UsageError(Exception):
    """A billing point cannot be billed as is; the message says why."""
