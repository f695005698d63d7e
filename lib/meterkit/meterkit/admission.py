# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Whether one reading may be stored on a meter: the rules every writing path
(form, import, gateway, API) applies before a value enters a register chain."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from . import codes
from .readings import decimal_places

__all__ = ["MeterRules", "admission_error"]


@dataclass(frozen=True)
class MeterRules:
    """What a meter accepts.

    :ivar registers: number of registers, T1..Tn.
    :ivar commissioning: first day readings are accepted (None: no limit).
    :ivar rollover_value: values must stay below it (None: the counter never wraps).
    :ivar decimals: decimal places allowed (None: any).
    :ivar blocked: a code when the meter takes no readings at all
        (:data:`~meterkit.codes.VIRTUAL_METER`, :data:`~meterkit.codes.CLOSED_SITE`,
        :data:`~meterkit.codes.ARCHIVED_METER`), else None.
    """

    registers: int = 1
    commissioning: date | None = None
    rollover_value: Decimal | None = None
    decimals: int | None = None
    blocked: str | None = None


def admission_error(rules, register, read_at, value):
    """Code of the first rule that ``value`` read at ``read_at`` on ``register``
    ("T1".."T8") breaks, or None when the reading may be stored.

    The order is fixed so that a row always gets the same code: negative value,
    blocked meter, register, commissioning, rollover, decimals.
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
    if rules.rollover_value and value >= rules.rollover_value:
        return codes.ABOVE_ROLLOVER
    if rules.decimals is not None and decimal_places(value) > rules.decimals:
        return codes.NOT_INTEGER if rules.decimals == 0 else codes.TOO_MANY_DECIMALS
    return None


def register_index(register):
    """3 for "T3"; None for anything that is not T1..T8."""
    if (
        isinstance(register, str)
        and len(register) == 2
        and register[0] == "T"
        and register[1] in "12345678"
    ):
        return int(register[1])
    return None
