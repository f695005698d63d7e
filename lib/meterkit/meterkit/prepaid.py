# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Prepaid balances and their alarm thresholds (RULES.md §4.4).

A prepaid account holds money: top-ups raise the balance, deductions (consumption,
periodic fees, common-area shares) and refunds lower it. The balance decides a
*level* and whether supply should be on:

======== ========================================== ==============================
level    balance                                    supply
======== ========================================== ==============================
normal   ``balance >= alarm1``                      on
alarm1   ``alarm2 <= balance < alarm1``             on; the tenant is notified
alarm2   ``0 < balance < alarm2``                   off; one grace re-close
zero     ``-overdraft_limit < balance <= 0``        off; one re-close into the
                                                    overdraft when a limit is set
locked   ``balance <= -overdraft_limit`` (and <= 0) off until recharged
======== ========================================== ==============================

Once off, supply comes back only when the balance reaches the *restore* threshold
(a top-up or a back-billing credit); reaching it also re-arms the grace re-close and the
overdraft. A re-close keeps supply on while the balance stays at or above the level
it was granted at; a worse level cuts again. The *maximum balance* (hoarding limit)
caps top-ups. All amounts are :class:`~decimal.Decimal`; nothing here reads a clock.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from . import codes
from .errors import MeterkitError

__all__ = [
    "LEVELS",
    "PrepaidError",
    "Status",
    "Thresholds",
    "Transition",
    "check_refund",
    "check_top_up",
    "evaluate",
    "level_of",
    "post",
    "reclose",
]

#: how each kind of move changes the balance
MOVE_SIGNS = {"top_up": 1, "deduction": -1, "refund": -1}

LEVELS = ("normal", "alarm1", "alarm2", "zero", "locked")
_SEVERITY = {level: index for index, level in enumerate(LEVELS)}
#: levels at which supply is cut unless a re-close covers them
CUT_LEVELS = ("alarm2", "zero", "locked")

NOT_POSITIVE = "prepaid_not_positive"
TOO_PRECISE = "prepaid_too_precise"
ABOVE_MAXIMUM = "prepaid_above_maximum"
ABOVE_BALANCE = "prepaid_above_balance"
RECLOSE_REFUSED = "prepaid_reclose_refused"


class PrepaidError(MeterkitError):
    """A top-up, refund or re-close that the account's rules refuse."""


@dataclass(frozen=True)
class Thresholds:
    """The account's limits, in the account's currency.

    :param alarm1: notify the tenant below this balance.
    :param alarm2: cut supply below this balance (one grace re-close).
    :param restore: supply cut by the balance comes back at this balance.
    :param overdraft_limit: how far below zero a re-closed supply may run (>= 0).
    :param max_balance: hoarding limit: no top-up may raise the balance above it
        (``None``: no limit).
    """

    alarm1: Decimal
    alarm2: Decimal
    restore: Decimal
    overdraft_limit: Decimal = Decimal(0)
    max_balance: Decimal | None = None

    def __post_init__(self):
        if not Decimal(0) <= self.alarm2 <= self.alarm1:
            raise MeterkitError(
                codes.INVALID_ARGUMENT, "Thresholds need 0 <= alarm 2 <= alarm 1."
            )
        if self.restore < self.alarm2:
            raise MeterkitError(
                codes.INVALID_ARGUMENT,
                "The restore threshold cannot be below alarm 2.",
            )
        if self.overdraft_limit < 0:
            raise MeterkitError(
                codes.INVALID_ARGUMENT, "The overdraft limit cannot be negative."
            )
        if self.max_balance is not None and self.max_balance < self.restore:
            raise MeterkitError(
                codes.INVALID_ARGUMENT,
                "The maximum balance cannot be below the restore threshold.",
            )


@dataclass(frozen=True)
class Status:
    """Where an account stands between two balance changes.

    :param supply: ``"on"`` or ``"off"``.
    :param level: one of :data:`LEVELS`.
    :param reclosed: the level at which the user re-closed a cut supply, if any.
    :param grace_used: the one grace re-close was taken since the last restore.
    """

    supply: str = "on"
    level: str = "normal"
    reclosed: str | None = None
    grace_used: bool = False


@dataclass(frozen=True)
class Transition:
    """The new status after a balance change, and what changed.

    :param notify: the balance just fell below alarm 1 (tell the tenant).
    :param switched: supply changed (``"on"``/``"off"``), else ``None``.
    """

    status: Status
    notify: bool
    switched: str | None


def level_of(thresholds, balance):
    """The level of ``balance`` (see the module table)."""
    if balance >= thresholds.alarm1:
        return "normal"
    if balance >= thresholds.alarm2:
        return "alarm1"
    if balance > 0:
        return "alarm2"
    if balance > -thresholds.overdraft_limit:
        return "zero"
    return "locked"


def evaluate(thresholds, balance, previous):
    """The status after the balance became ``balance``.

    - At or above ``restore``: supply on, re-close and grace re-armed.
    - Off and below ``restore``: stays off.
    - On: cut at a cut level, unless a re-close was granted at that level or a
      worse one.
    """
    level = level_of(thresholds, balance)
    if balance >= thresholds.restore:
        status = Status("on", level, None, False)
    elif previous.supply == "off":
        status = replace(previous, level=level)
    elif level in CUT_LEVELS and not (
        previous.reclosed and _SEVERITY[level] <= _SEVERITY[previous.reclosed]
    ):
        status = replace(previous, supply="off", level=level, reclosed=None)
    else:
        status = replace(previous, level=level)
    notify = _SEVERITY[previous.level] < 1 <= _SEVERITY[level]
    switched = status.supply if status.supply != previous.supply else None
    return Transition(status, notify, switched)


def reclose(thresholds, balance, previous):
    """The status after the user asked to re-close a cut supply.

    Above zero it is the one grace re-close; at zero it runs into the overdraft,
    once, when a limit is set; a locked account must be recharged.

    :raise PrepaidError: supply is on, or no re-close is left at this balance.
    """
    level = level_of(thresholds, balance)
    refused = None
    if previous.supply == "on":
        refused = "Supply is already on."
    elif level == "locked":
        refused = "The account is locked: it must be topped up."
    elif level == "zero" and previous.reclosed == "zero":
        refused = "The overdraft re-close was already used."
    elif level != "zero" and previous.grace_used:
        refused = "The grace re-close was already used."
    if refused:
        raise PrepaidError(RECLOSE_REFUSED, refused)
    grace = previous.grace_used or level != "zero"
    # a re-close covers every level down to the one it was granted at
    covered = "zero" if level == "zero" else "alarm2"
    return Status("on", level, covered, grace)


def check_top_up(thresholds, balance, amount, quantum):
    """Refuse a top-up that is not a positive amount of whole ``quantum`` (e.g.
    ``Decimal("0.01")``) or that would raise the balance above the maximum.

    :raise PrepaidError: with the reason.
    """
    _check_amount(amount, quantum)
    maximum = thresholds.max_balance
    if maximum is not None and balance + amount > maximum:
        raise PrepaidError(
            ABOVE_MAXIMUM,
            f"The balance would reach {balance + amount}, above the maximum "
            f"balance of {maximum}: at most {max(maximum - balance, Decimal(0))} "
            "can be topped up.",
        )


def check_refund(balance, amount, quantum):
    """Refuse a refund that is not a positive amount of whole ``quantum`` or that
    is larger than the balance.

    :raise PrepaidError: with the reason.
    """
    _check_amount(amount, quantum)
    if amount > balance:
        raise PrepaidError(
            ABOVE_BALANCE,
            f"A refund of {amount} is larger than the balance of {balance}.",
        )


def post(thresholds, balance, status, kind, amount, quantum):
    """Apply one move: ``(new balance, Transition)``.

    A top-up and a refund are checked (:func:`check_top_up`,
    :func:`check_refund`); a deduction is what was consumed, so it is always
    applied, and a negative one (a back-billing credit) raises the balance.

    :param kind: a key of :data:`MOVE_SIGNS`.
    :raise PrepaidError: the move is refused; nothing changes.
    """
    if kind == "top_up":
        check_top_up(thresholds, balance, amount, quantum)
    elif kind == "refund":
        check_refund(balance, amount, quantum)
    elif kind != "deduction":
        raise MeterkitError(codes.INVALID_ARGUMENT, f"Unknown move kind {kind!r}.")
    elif amount % quantum:
        raise PrepaidError(
            TOO_PRECISE, f"The amount {amount} is not a multiple of {quantum}."
        )
    new_balance = balance + MOVE_SIGNS[kind] * amount
    return new_balance, evaluate(thresholds, new_balance, status)


def _check_amount(amount, quantum):
    if amount <= 0:
        raise PrepaidError(NOT_POSITIVE, f"The amount {amount} is not positive.")
    if amount % quantum:
        raise PrepaidError(
            TOO_PRECISE, f"The amount {amount} is not a multiple of {quantum}."
        )
