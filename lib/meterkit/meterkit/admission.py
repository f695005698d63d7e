# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Whether one reading may be stored on a meter: the rules every writing path
(form, import, gateway, API) applies before a value enters a register chain."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import codes
from .readings import decimal_places, register_index

__all__ = [
    "FUTURE_TOLERANCE",
    "MAX_VALUE",
    "MeterRules",
    "admission_error",
    "in_window",
    "latest_instant",
    "local_day",
]

#: how far ahead of "now" a reading may be dated (clocks of devices drift)
FUTURE_TOLERANCE = timedelta(minutes=15)
#: the largest value accepted on a counter without a rollover value or a
#: maximum of its own: 10^12, more digits than any register shows
MAX_VALUE = Decimal(10) ** 12


@dataclass(frozen=True)
class MeterRules:
    """What a meter accepts.

    :ivar registers: number of registers, T1..Tn.
    :ivar commissioning: first day readings are accepted (None: no limit).
    :ivar rollover_value: values must stay below it (None: the counter never wraps).
    :ivar decimals: decimal places allowed (None: any).
    :ivar blocked: a code when the meter takes no readings at all
        (:data:`~meterkit.codes.VIRTUAL_METER`, :data:`~meterkit.codes.CLOSED_SITE`,
        :data:`~meterkit.codes.ARCHIVED_METER`,
        :data:`~meterkit.codes.READINGS_DISABLED`,
        :data:`~meterkit.codes.VERIFICATION_EXPIRED`), else None.
    :ivar window: ``(first, last)`` days of the month readings are accepted on
        (both included; ``first > last`` wraps over the month end, e.g. 25-5);
        None: any day.
    :ivar tz: IANA time zone the window's days are counted in (naive instants
        are UTC); None: UTC.
    :ivar verification_until: last day the meter's verification is valid when its
        rule refuses readings of expired meters; None: no such limit.
    :ivar not_after: the latest instant a reading may be dated (naive UTC, see
        :func:`latest_instant`); None: no limit.
    :ivar max_value: values must stay below it when the meter has no rollover
        value (the capacity of a register of the resource); None:
        :data:`MAX_VALUE`.
    """

    registers: int = 1
    commissioning: date | None = None
    rollover_value: Decimal | None = None
    decimals: int | None = None
    blocked: str | None = None
    window: tuple[int, int] | None = None
    tz: str | None = None
    verification_until: date | None = None
    not_after: datetime | None = None
    max_value: Decimal | None = None


def latest_instant(now, tolerance=FUTURE_TOLERANCE):
    """The latest instant a reading taken by ``now`` may carry: ``now`` (naive
    UTC or aware) plus ``tolerance``, as naive UTC for
    :attr:`MeterRules.not_after`."""
    return _naive_utc(now) + tolerance


def _naive_utc(instant):
    if instant.tzinfo:
        return instant.astimezone(timezone.utc).replace(tzinfo=None)
    return instant


def admission_error(rules, register, read_at, value):
    """Code of the first rule that ``value`` read at ``read_at`` on ``register``
    ("T1".."T8") breaks, or None when the reading may be stored.

    The order is fixed so that a row always gets the same code: negative value,
    blocked meter, register, commissioning, future, expired verification,
    submission window, rollover, capacity, decimals. A value at or above the
    rollover value, or without one at or above the capacity of the register
    (``max_value``, else :data:`MAX_VALUE`), is refused, as is an instant later
    than ``not_after``: one absurd reading must not become the previous reading
    of every real one after it.
    """
    if value < 0:
        return codes.NEGATIVE_VALUE
    if rules.blocked:
        return rules.blocked
    if register_index(register) not in range(1, rules.registers + 1):
        return codes.BAD_REGISTER
    day = read_at.date() if isinstance(read_at, datetime) else read_at
    if rules.commissioning and day < rules.commissioning:
        return codes.BEFORE_COMMISSIONING
    if rules.not_after and _after(read_at, rules.not_after):
        return codes.IN_THE_FUTURE
    if rules.verification_until and day > rules.verification_until:
        return codes.VERIFICATION_EXPIRED
    if rules.window and not in_window(local_day(read_at, rules.tz), *rules.window):
        return codes.OUTSIDE_WINDOW
    if rules.rollover_value and value >= rules.rollover_value:
        return codes.ABOVE_ROLLOVER
    if not rules.rollover_value and value >= (rules.max_value or MAX_VALUE):
        return codes.ABOVE_CAPACITY
    if rules.decimals is not None and decimal_places(value) > rules.decimals:
        return codes.NOT_INTEGER if rules.decimals == 0 else codes.TOO_MANY_DECIMALS
    return None


def _after(read_at, not_after):
    """Whether ``read_at`` (naive UTC, aware, or a day) is later than the naive
    UTC instant ``not_after`` (a day is later when it starts after it)."""
    if isinstance(read_at, datetime):
        return _naive_utc(read_at) > not_after
    return read_at > not_after.date()


def local_day(read_at, tz=None):
    """Calendar day of ``read_at`` in time zone ``tz`` (naive instants are UTC;
    a date is its own day)."""
    if not isinstance(read_at, datetime):
        return read_at
    if tz:
        aware = read_at if read_at.tzinfo else read_at.replace(tzinfo=timezone.utc)
        return aware.astimezone(ZoneInfo(tz)).date()
    return read_at.date()


def in_window(day, first, last):
    """Whether ``day`` falls in the monthly window ``first``..``last`` (days of
    the month, both included). ``first > last`` wraps over the month end
    (25..5 means the 25th to the 5th of the next month); a last day of 31 covers
    the end of every month."""
    if first <= last:
        return first <= day.day <= last
    return day.day >= first or day.day <= last
