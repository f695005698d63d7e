# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Counter values as polled from devices: truncation and poll slots."""

from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from ._common import check_decimals_argument

__all__ = ["as_decimal", "poll_slot", "truncate_counter"]


def as_decimal(value, places=None):
    """A stored number (float, int, Decimal, numeric text or None) as a Decimal.

    Floats go through their shortest text (``0.1`` gives ``Decimal("0.1")``,
    not the binary expansion); ``None`` and ``False`` give ``Decimal(0)``.

    With ``places`` the number is quantized to that many decimals: the form
    in which an amount stored with ``places`` digits (a ``numeric`` column the
    ORM hands back as a float) is compared and summed. A float read from such a
    column gives back exactly the stored decimal whenever it has at most 15
    significant digits (``1234567.123456`` at 6 places, ``12345.1234567891``
    at 10); a float carrying more digits is rounded half-even to ``places``.
    """
    number = Decimal(str(value or 0))
    if places is None:
        return number
    check_decimals_argument(places)
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def truncate_counter(value, decimals):
    """A counter as a meter shows it: ``value`` truncated to ``decimals``
    places, never rounded up (``12.79`` with 1 decimal gives ``12.7``)."""
    check_decimals_argument(decimals)
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)


def poll_slot(now: datetime, interval_minutes: int) -> datetime:
    """The instant readings of a poll at ``now`` are stamped with: ``now``
    floored to the poll interval within its day (seconds dropped), so that a
    retried or repeated poll of the same slot gives the same instant.

    An interval below one minute counts as one minute.
    """
    minutes = now.hour * 60 + now.minute
    floored = minutes - minutes % max(int(interval_minutes), 1)
    return now.replace(hour=floored // 60, minute=floored % 60, second=0, microsecond=0)
