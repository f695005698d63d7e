# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a resident's portal shows about submission windows and monthly
consumption information (RULES.md 3.1 and 1.4), as plain data."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .admission import in_window

# A monthly window opens at least once in any 62 days.
HORIZON_DAYS = 62


@dataclass(frozen=True)
class WindowState:
    """The submission window as seen on ``today``.

    :ivar is_open: readings are accepted today.
    :ivar opens_on: first day of the window open today, else of the next one.
    :ivar closes_on: last day (the deadline) of that window.
    :ivar opens_in: days until ``opens_on`` (0 when open).
    """

    is_open: bool
    opens_on: date
    closes_on: date
    opens_in: int


def window_state(today, first, last):
    """The window ``first``..``last`` (days of the month, as
    :func:`meterkit.admission.in_window` reads them) around ``today``.

    Counted day by day with ``in_window`` itself, so that the portal never
    announces a day the admission would refuse. ``None`` without a window
    (``first`` empty) or when the window never closes within
    ``HORIZON_DAYS`` (e.g. 2..1): readings are accepted every day.
    """
    if not first:
        return None
    start = today
    if in_window(today, first, last):
        start = _edge(today, first, last, -1)
    else:
        start = _edge(today, first, last, 1, inside=False)
        start = start + timedelta(days=1) if start else None
    end = start and _edge(start, first, last, 1)
    if not start or not end:
        return None
    return WindowState(
        is_open=start <= today,
        opens_on=start,
        closes_on=end,
        opens_in=max((start - today).days, 0),
    )


def change_percent(current, reference):
    """The change from ``reference`` to ``current`` in percent, rounded half
    up to a whole percent; ``None`` without a reference or when it is zero
    (no percentage of nothing)."""
    if reference is None or current is None or not reference:
        return None
    change = (Decimal(current) - Decimal(reference)) * 100 / Decimal(reference)
    return int(change.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _edge(day, first, last, step, inside=True):
    """The last day from ``day`` on (going by ``step`` days) whose window
    membership is ``inside``; None past ``HORIZON_DAYS``."""
    for _ in range(HORIZON_DAYS):
        following = day + timedelta(days=step)
        if in_window(following, first, last) != inside:
            return day
        day = following
    return None
