# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When a meter's verification (calibration) is due: the nightly check of the
Russian practice (seed 002), in its fixed order.

1. the next verification date has passed;
2. else, the last verification date plus the interval has passed;
3. else, the commissioning date plus the interval has passed.

The first check that has its data decides; when no check has its data, nothing
changes.
"""

from dataclasses import dataclass
from datetime import date

__all__ = [
    "RULE_COMMISSIONING",
    "RULE_LAST_VERIFICATION",
    "RULE_NEXT_DATE",
    "VerificationDecision",
    "add_years",
    "verification_check",
]

RULE_NEXT_DATE = "next_date"
RULE_LAST_VERIFICATION = "last_verification"
RULE_COMMISSIONING = "commissioning"


@dataclass(frozen=True)
class VerificationDecision:
    """Outcome of :func:`verification_check`.

    :ivar due: True when the verification has expired, False when it is valid,
        None when the data is missing (no change).
    :ivar rule: the rule that decided (``RULE_*``), None when the data is missing.
    :ivar deadline: the last day the verification is valid under that rule.
    """

    due: bool | None
    rule: str | None
    deadline: date | None


def verification_check(
    today, *, next_date=None, last_date=None, commissioning=None, interval_years=None
):
    """Decide whether the verification of a meter has expired on ``today``.

    A deadline equal to ``today`` is still valid ("not older than today").
    ``interval_years`` of 0 or None means the interval is unknown.
    """
    if next_date:
        return _decide(today, RULE_NEXT_DATE, next_date)
    if interval_years:
        if last_date:
            deadline = add_years(last_date, interval_years)
            return _decide(today, RULE_LAST_VERIFICATION, deadline)
        if commissioning:
            deadline = add_years(commissioning, interval_years)
            return _decide(today, RULE_COMMISSIONING, deadline)
    return VerificationDecision(None, None, None)


def _decide(today, rule, deadline):
    return VerificationDecision(deadline < today, rule, deadline)


def add_years(day, years):
    """``day`` plus whole ``years``; the 29th of February becomes the 28th in a
    year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
