# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers shared by the meterkit modules (private)."""

from . import codes
from .errors import MeterkitError


def point_label(point):
    """Name a reading point in messages: its key (if any) and its instant."""
    read_at = point.read_at
    at = read_at.isoformat() if hasattr(read_at, "isoformat") else repr(read_at)
    if point.key is None:
        return f"reading at {at}"
    return f"reading {point.key!r} at {at}"


def check_decimals_argument(decimals):
    """Raise INVALID_ARGUMENT unless ``decimals`` is an int >= 0 (bools refused)."""
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise MeterkitError(
            codes.INVALID_ARGUMENT,
            f"decimals must be an integer >= 0, not {decimals!r}",
            field="decimals",
        )
